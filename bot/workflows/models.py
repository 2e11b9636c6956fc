"""Tables of the broker workflows (migration branch ``workflows``) and a row lock that works on SQLite and PostgreSQL.

Intro requests and member profiles live in the conversation tables (``conv_feedback``, ``conv_profiles``), which the
same migration extends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.conversations.store import utcnow
from bot.db import Base


class PushRow(Base):
    """A match card a broker pushed (or tried to push) into a channel: who, where, what and what became of it."""

    __tablename__ = "wf_pushes"
    __table_args__ = (Index("ix_wf_pushes_channel", "platform", "workspace", "channel", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(200))
    channel_name: Mapped[str | None] = mapped_column(String(200))
    need: Mapped[str] = mapped_column(Text)
    need_key: Mapped[str] = mapped_column(String(500))
    suggestion_key: Mapped[str | None] = mapped_column(String(64))
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(2))
    turn_id: Mapped[int | None] = mapped_column(ForeignKey("conv_turns.id", ondelete="SET NULL"))
    user_id: Mapped[str] = mapped_column(String(200))
    user_email: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(200))
    message_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class ChallengeRow(Base):
    """An innovation challenge a buyer published to a network channel."""

    __tablename__ = "wf_challenges"
    __table_args__ = (Index("ix_wf_challenges_channel", "platform", "workspace", "channel", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(200))
    channel_name: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(200))
    user_email: Mapped[str | None] = mapped_column(String(300))
    organisation: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    need: Mapped[str] = mapped_column(Text)
    timeline: Mapped[str] = mapped_column(String(300))
    budget_min: Mapped[int | None] = mapped_column(BigInteger)
    budget_max: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    cpv: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(2))
    turn_id: Mapped[int | None] = mapped_column(ForeignKey("conv_turns.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(200))
    message_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class InterestRow(Base):
    """A member who clicked "Interested" on a challenge (once per person)."""

    __tablename__ = "wf_interests"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("wf_challenges.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class DigestRow(Base):
    """A digest that was posted to a channel (the next one starts where it ended)."""

    __tablename__ = "wf_digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(200))
    channel_name: Mapped[str | None] = mapped_column(String(200))
    since: Mapped[datetime] = mapped_column(DateTime)
    until: Mapped[datetime] = mapped_column(DateTime)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    message_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LockRow(Base):
    """A named lock: updating its row serialises writers (row lock on PostgreSQL, write lock on SQLite)."""

    __tablename__ = "wf_locks"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    touched_at: Mapped[datetime] = mapped_column(DateTime)


def lock(session: Session, key: str) -> None:
    """Hold the lock ``key`` until the session's transaction ends (creating its row on first use)."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(LockRow).values(key=key, touched_at=now).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(LockRow).values(key=key, touched_at=now).on_conflict_do_nothing())
    elif session.get(LockRow, key) is None:  # other databases: best effort
        session.add(LockRow(key=key, touched_at=now))
        session.flush()
    session.execute(update(LockRow).where(LockRow.key == key).values(touched_at=now))

