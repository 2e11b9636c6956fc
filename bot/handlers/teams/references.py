"""Conversation references in the database, so any replica can message a chat or channel later (proactively).

A reference is stored when the app is installed in a personal chat, group chat or team, and refreshed whenever the
bot is addressed there. Channel threads are stored as their channel (the ``;messageid=`` suffix removed), so a push
starts a new post in the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.conversations.store import utcnow
from bot.db import Base, Database


class TeamsConversationRow(Base):
    """One Teams conversation the bot may write to: its reference and the claims needed to authenticate later."""

    __tablename__ = "teams_conversations"
    __table_args__ = (Index("ix_teams_conversations_team", "tenant_id", "team_id"),)

    conversation_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    tenant_id: Mapped[str] = mapped_column(String(64), nullable=False)
    team_id: Mapped[str | None] = mapped_column(String(512))
    user_id: Mapped[str | None] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200))
    service_url: Mapped[str] = mapped_column(String(1000), nullable=False)
    reference: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    installed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


@dataclass(frozen=True)
class StoredConversation:
    """A conversation reference (Bot Framework JSON) with where it lives and who may be messaged there."""

    conversation_id: str
    kind: str
    tenant_id: str
    team_id: str | None
    user_id: str | None
    name: str | None
    service_url: str
    reference: dict[str, Any]
    claims: dict[str, Any]
    installed: bool = True


def _stored(row: TeamsConversationRow) -> StoredConversation:
    return StoredConversation(row.conversation_id, row.kind, row.tenant_id, row.team_id, row.user_id, row.name,
                              row.service_url, dict(row.reference), dict(row.claims), row.installed)


class ReferenceStore:
    """Reads and writes ``teams_conversations``; synchronous, called through ``asyncio.to_thread``."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def save(self, conversation: StoredConversation) -> None:
        """Insert or refresh a conversation reference (a name already known is kept when the new one is empty)."""
        with self.database.transaction() as session:
            row = session.get(TeamsConversationRow, conversation.conversation_id)
            if row is None:
                row = TeamsConversationRow(conversation_id=conversation.conversation_id)
                session.add(row)
            row.kind, row.tenant_id = conversation.kind, conversation.tenant_id
            row.team_id = conversation.team_id or row.team_id
            row.user_id = conversation.user_id or row.user_id
            row.name = conversation.name or row.name
            row.service_url, row.reference, row.claims = (conversation.service_url, conversation.reference,
                                                          conversation.claims)
            row.installed, row.updated_at = conversation.installed, utcnow()

    def get(self, conversation_id: str) -> StoredConversation | None:
        """The stored reference of a conversation (a channel thread is looked up as its channel)."""
        with self.database.transaction() as session:
            row = session.get(TeamsConversationRow, conversation_id.split(";messageid=", 1)[0])
            return _stored(row) if row else None

    def uninstall(self, conversation_id: str) -> bool:
        """Mark a conversation as no longer reachable (the app was removed there); False when unknown."""
        with self.database.transaction() as session:
            row = session.get(TeamsConversationRow, conversation_id.split(";messageid=", 1)[0])
            if row is None:
                return False
            row.installed, row.updated_at = False, utcnow()
            return True

    def installed(self, kind: str | None = None, tenant_id: str | None = None) -> list[StoredConversation]:
        """Conversations where the app is installed, newest first, optionally of one kind or tenant."""
        query = select(TeamsConversationRow).where(TeamsConversationRow.installed.is_(True))
        if kind:
            query = query.where(TeamsConversationRow.kind == kind)
        if tenant_id:
            query = query.where(TeamsConversationRow.tenant_id == tenant_id)
        with self.database.transaction() as session:
            rows = session.scalars(query.order_by(TeamsConversationRow.updated_at.desc()))
            return [_stored(row) for row in rows]

    def personal(self, tenant_id: str, users: list[str]) -> dict[str, StoredConversation]:
        """The installed personal chats of these users (AAD object ids, any case), keyed by the id as given."""
        wanted = {user.casefold(): user for user in users if user}
        if not wanted:
            return {}
        query = select(TeamsConversationRow).where(
            TeamsConversationRow.installed.is_(True), TeamsConversationRow.kind == "personal",
            TeamsConversationRow.tenant_id == tenant_id, func.lower(TeamsConversationRow.user_id).in_(list(wanted)))
        with self.database.transaction() as session:
            rows = session.scalars(query.order_by(TeamsConversationRow.updated_at))
            return {wanted[(row.user_id or "").casefold()]: _stored(row) for row in rows}

    def names(self, users: list[str]) -> dict[str, str]:
        """Display names of users (casefolded id → name) from the references of their personal chats."""
        wanted = {user.casefold() for user in users if user}
        if not wanted:
            return {}
        query = select(TeamsConversationRow.user_id, TeamsConversationRow.reference).where(
            TeamsConversationRow.kind == "personal", func.lower(TeamsConversationRow.user_id).in_(list(wanted)))
        with self.database.transaction() as session:
            found = {}
            for user, reference in session.execute(query):
                name = ((reference or {}).get("user") or {}).get("name")
                if user and name:
                    found[user.casefold()] = str(name)
            return found
