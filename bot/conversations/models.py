"""Tables of the conversation layer: processed event ids, turns (asked questions and requests), feedback, profiles.

The workflow columns of feedback and profiles are added by the ``workflows`` migration branch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class ProcessedEvent(Base):
    """A platform event id claimed by one replica; the primary key makes the claim atomic across replicas."""

    __tablename__ = "conv_events"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class TurnRow(Base):
    """One request of a user (rule question, need to match, peer search) and the bot's result."""

    __tablename__ = "conv_turns"
    __table_args__ = (
        Index("ix_conv_turns_thread", "platform", "workspace", "channel", "thread", "created_at"),
        Index("ix_conv_turns_user", "platform", "workspace", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    workspace: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[str] = mapped_column(String(64), nullable=False)
    thread: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[str] = mapped_column(String(64), nullable=False)
    intent: Mapped[str] = mapped_column(String(16), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    query: Mapped[str] = mapped_column(Text, nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class FeedbackRow(Base):
    """A user's verdict on a turn (👍/👎 with a comment) or on one suggestion of it (intro, not relevant)."""

    __tablename__ = "conv_feedback"
    __table_args__ = (UniqueConstraint("turn_id", "user_id", "target", name="uq_conv_feedback_vote"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int] = mapped_column(Integer, ForeignKey("conv_turns.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # Intro requests (verdict "intro") are followed up by brokers: status open/introduced/declined (bot.workflows).
    status: Mapped[str | None] = mapped_column(String(16))
    handled_by: Mapped[str | None] = mapped_column(String(200))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class ProfileRow(Base):
    """What a user told us about themselves: organisation (directory id or name), country, language."""

    __tablename__ = "conv_profiles"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # The member profile of bot.workflows: what the organisation is interested in and needs now, and whether other
    # members may see this person as a contact (withdrawable at any time).
    interests: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
