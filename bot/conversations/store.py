"""Persistence of conversations in the relational database: event claims, turns, feedback and profiles.

Synchronous SQLAlchemy; the async core calls it through ``asyncio.to_thread``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.conversations.models import FeedbackRow, ProcessedEvent, ProfileRow, TurnRow
from bot.db import Database

UPSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def utcnow() -> datetime:
    """Naive UTC timestamp, as stored in every DateTime column."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Place:
    """Where a message lives: platform, workspace (Slack team, Teams tenant), channel, thread and author."""

    platform: str
    workspace: str
    channel: str
    thread: str
    user: str


@dataclass(frozen=True)
class Turn:
    """A stored request and its result."""

    id: int
    place: Place
    intent: str
    text: str
    query: str
    language: str
    result: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Profile:
    """A user's organisation (directory id or exact name), country and preferred language."""

    organisation: str | None = None
    country: str | None = None
    language: str | None = None


def _turn(row: TurnRow) -> Turn:
    place = Place(row.platform, row.workspace, row.channel, row.thread, row.user_id)
    return Turn(row.id, place, row.intent, row.text, row.query, row.language, row.result, row.created_at)


class ConversationStore:
    """Reads and writes the ``conv_*`` tables."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def claim(self, key: str, takeover_after_s: float) -> bool:
        """Claim an event id; False when another attempt holds it (finished, or still fresh)."""
        now = utcnow()
        stale = now - timedelta(seconds=takeover_after_s)
        dialect = self.database.engine.dialect.name
        if dialect in UPSERTS:  # one statement, one round trip: claims gate the acknowledgement, even under load
            table = ProcessedEvent.__table__
            statement = UPSERTS[dialect](table).values(key=key, claimed_at=now, done=False).on_conflict_do_update(
                index_elements=[table.c.key], set_={"claimed_at": now},
                where=table.c.done.is_(False) & (table.c.claimed_at < stale),
            ).returning(table.c.key)
            with self.database.engine.begin() as connection:
                return connection.execute(statement).first() is not None
        try:
            with self.database.transaction() as session:
                session.add(ProcessedEvent(key=key, claimed_at=now, done=False))
            return True
        except IntegrityError:
            pass
        with self.database.transaction() as session:
            taken = session.execute(
                update(ProcessedEvent)
                .where(ProcessedEvent.key == key, ProcessedEvent.done.is_(False), ProcessedEvent.claimed_at < stale)
                .values(claimed_at=now)
            )
            return bool(getattr(taken, "rowcount", 0) == 1)

    def release(self, key: str) -> None:
        """Withdraw an unfinished claim (its request was refused), so a redelivery may claim it again."""
        with self.database.transaction() as session:
            session.execute(delete(ProcessedEvent).where(ProcessedEvent.key == key, ProcessedEvent.done.is_(False)))

    def finish(self, key: str) -> None:
        """Mark a claimed event as handled, so no later retry takes it over."""
        with self.database.transaction() as session:
            session.execute(update(ProcessedEvent).where(ProcessedEvent.key == key).values(done=True))

    def add_turn(self, place: Place, intent: str, text: str, query: str, language: str,
                 result: dict[str, Any]) -> Turn:
        """Store a request and its result; returns it with its id."""
        row = TurnRow(platform=place.platform, workspace=place.workspace, channel=place.channel, thread=place.thread,
                      user_id=place.user, intent=intent, text=text, query=query, language=language, result=result,
                      created_at=utcnow())
        with self.database.transaction() as session:
            session.add(row)
            session.flush()
            return _turn(row)

    def turn(self, turn_id: int) -> Turn | None:
        """One turn by id."""
        with self.database.transaction() as session:
            row = session.get(TurnRow, turn_id)
            return _turn(row) if row else None

    def last_in_thread(self, place: Place, since: datetime | None = None) -> Turn | None:
        """The latest turn in the same thread (any author), optionally not older than ``since``."""
        query = select(TurnRow).where(
            TurnRow.platform == place.platform, TurnRow.workspace == place.workspace,
            TurnRow.channel == place.channel, TurnRow.thread == place.thread,
        )
        if since is not None:
            query = query.where(TurnRow.created_at >= since)
        with self.database.transaction() as session:
            row = session.scalars(query.order_by(TurnRow.created_at.desc(), TurnRow.id.desc()).limit(1)).first()
            return _turn(row) if row else None

    def recent(self, place: Place, intents: tuple[str, ...], limit: int = 5) -> list[Turn]:
        """The user's latest turns of the given intents, newest first, across channels."""
        query = (
            select(TurnRow)
            .where(TurnRow.platform == place.platform, TurnRow.workspace == place.workspace,
                   TurnRow.user_id == place.user, TurnRow.intent.in_(intents))
            .order_by(TurnRow.created_at.desc(), TurnRow.id.desc())
            .limit(limit)
        )
        with self.database.transaction() as session:
            return [_turn(row) for row in session.scalars(query)]

    def feedback(self, turn_id: int, user: str, verdict: str, target: str = "", reason: str | None = None,
                 comment: str | None = None) -> None:
        """Record (or change) a user's verdict on a turn or on one of its suggestions."""
        for attempt in range(2):
            try:
                with self.database.transaction() as session:
                    row = session.scalars(select(FeedbackRow).where(
                        FeedbackRow.turn_id == turn_id, FeedbackRow.user_id == user, FeedbackRow.target == target,
                    )).first()
                    if row is None:
                        session.add(FeedbackRow(turn_id=turn_id, user_id=user, target=target, verdict=verdict,
                                                reason=reason, comment=comment, created_at=utcnow()))
                    else:
                        row.verdict = verdict
                        row.reason = reason if reason is not None else row.reason
                        row.comment = comment if comment is not None else row.comment
                return
            except IntegrityError:
                if attempt:
                    raise

    def votes(self, turn_id: int) -> list[dict[str, Any]]:
        """All feedback on a turn (for audits and tests)."""
        with self.database.transaction() as session:
            rows = session.scalars(select(FeedbackRow).where(FeedbackRow.turn_id == turn_id).order_by(FeedbackRow.id))
            return [{"user": r.user_id, "target": r.target, "verdict": r.verdict, "reason": r.reason,
                     "comment": r.comment} for r in rows]

    def profile(self, place: Place) -> Profile:
        """The user's profile (empty when never set)."""
        with self.database.transaction() as session:
            row = session.get(ProfileRow, (place.platform, place.workspace, place.user))
            return Profile(row.organisation, row.country, row.language) if row else Profile()

    def save_profile(self, place: Place, profile: Profile) -> None:
        """Create or replace the user's profile."""
        with self.database.transaction() as session:
            row = session.get(ProfileRow, (place.platform, place.workspace, place.user))
            if row is None:
                row = ProfileRow(platform=place.platform, workspace=place.workspace, user_id=place.user)
                session.add(row)
            row.organisation, row.country, row.language = profile.organisation, profile.country, profile.language
            row.updated_at = utcnow()

