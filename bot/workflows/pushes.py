"""Broker pushes: reserve a match card for a channel, de-duplicated under a per-channel lock, then mark it posted.

"The same suggestion" is the same need (case, spacing and punctuation ignored) or the same set of suggested
suppliers and peers; either one posted to the channel within the window (or being posted right now) suppresses
the push. Failed and interrupted pushes do not count.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from bot.conversations.models import FeedbackRow, TurnRow
from bot.conversations.store import utcnow
from bot.db import Database
from bot.i18n import t
from bot.matching.types import MatchResult
from bot.workflows.models import PushRow, lock
from bot.workflows.types import Actor, Channel, PushRecord, Refusal

_WORD = re.compile(r"\w+")
PENDING, POSTED, FAILED = "pending", "posted", "failed"
PENDING_TTL = timedelta(minutes=10)  # a push neither posted nor failed by then was interrupted (a crashed replica)


def need_key(text: str) -> str:
    """The need as compared for duplicates: lower-case words only."""
    return " ".join(_WORD.findall(text.casefold()))[:500]


def suggestions(match: MatchResult) -> list[dict[str, Any]]:
    """What a push suggested: kind, id, name and score of each supplier and peer."""
    return [{"kind": kind, "id": s.id, "name": s.name, "score": s.score}
            for kind, listed in (("supplier", match.suppliers), ("peer", match.peers)) for s in listed]


def suggestion_key(match: MatchResult) -> str | None:
    """A fingerprint of the suggested organisations (order ignored); None when nothing was suggested."""
    ids = sorted(f"{item['kind']}:{item['id']}" for item in suggestions(match))
    return hashlib.sha256("\n".join(ids).encode()).hexdigest() if ids else None


def _record(row: PushRow) -> PushRecord:
    return PushRecord(row.id, row.platform, row.workspace, Channel(row.channel, row.channel_name), row.need,
                      row.user_id, row.user_email, row.status, list(row.suggestions), row.turn_id, row.created_at,
                      row.error, row.message_ref)


def _earlier(session: Any, actor: Actor, channel: Channel, key: str, fingerprint: str | None,
             since: datetime) -> PushRow | None:
    same: ColumnElement[bool] = PushRow.need_key == key
    if fingerprint:
        same = or_(same, PushRow.suggestion_key == fingerprint)
    live = or_(PushRow.status == POSTED, and_(PushRow.status == PENDING, PushRow.created_at >= utcnow() - PENDING_TTL))
    query = (select(PushRow)
             .where(PushRow.platform == actor.platform, PushRow.workspace == actor.workspace,
                    PushRow.channel == channel.id, live, PushRow.created_at >= since, same)
             .order_by(PushRow.created_at.desc(), PushRow.id.desc()).limit(1))
    return session.scalars(query).first()


def duplicate(earlier: PushRecord, channel: Channel, language: str, window_days: float,
              mention: Callable[[str], str | None]) -> Refusal:
    """The refusal of a duplicate push: who pushed the same suggestion to the channel, and when."""
    window = t("days", language).format(n=int(window_days) if float(window_days).is_integer() else window_days)
    return Refusal("duplicate", t("push_duplicate", language).format(
        channel=channel.label, who=mention(earlier.user) or earlier.user,
        date=f"{earlier.created_at:%Y-%m-%d %H:%M} UTC", window=window))


def earlier(database: Database, actor: Actor, channel: Channel, need: str, since: datetime) -> PushRecord | None:
    """The latest push of the same need to the channel since ``since`` (the quick check before matching)."""
    with database.transaction() as session:
        row = _earlier(session, actor, channel, need_key(need), None, since)
        return _record(row) if row else None


def reserve(database: Database, actor: Actor, channel: Channel, need: str, match: MatchResult, language: str,
            since: datetime) -> tuple[PushRecord, bool]:
    """Store the card's turn and a pending push in one transaction; (earlier push, False) when it is a duplicate."""
    key, fingerprint = need_key(need), suggestion_key(match)
    with database.transaction() as session:
        lock(session, f"push:{actor.platform}:{actor.workspace}:{channel.id}")
        duplicate = _earlier(session, actor, channel, key, fingerprint, since)
        if duplicate is not None:
            return _record(duplicate), False
        now = utcnow()
        # The card belongs to the channel, not to a person: forgetting the broker keeps members' intro requests.
        turn = TurnRow(platform=actor.platform, workspace=actor.workspace, channel=channel.id, thread="", user_id="",
                       intent="match", text=need, query=need, language=language, result=match.to_json(),
                       created_at=now)
        session.add(turn)
        session.flush()
        row = PushRow(platform=actor.platform, workspace=actor.workspace, channel=channel.id,
                      channel_name=channel.name, need=need, need_key=key, suggestion_key=fingerprint,
                      suggestions=suggestions(match), language=language, turn_id=turn.id, user_id=actor.user,
                      user_email=actor.email, status=PENDING, created_at=now)
        session.add(row)
        session.flush()
        return _record(row), True


def finish(database: Database, push_id: int, posted: bool, message_ref: str | None = None,
           error: str | None = None) -> None:
    """Mark a reserved push as posted (with the platform's message reference) or failed (with the error)."""
    with database.transaction() as session:
        row = session.get(PushRow, push_id)
        if row is None:
            return
        row.status = POSTED if posted else FAILED
        row.message_ref, row.error = message_ref, error[:200] if error else None
        row.updated_at = utcnow()


def records(database: Database, since: datetime | None = None, platform: str | None = None,
            workspace: str | None = None, channel: str | None = None,
            until: datetime | None = None) -> list[tuple[PushRecord, int]]:
    """Pushes (oldest first) with the number of intro requests each card received."""
    query = select(PushRow).order_by(PushRow.created_at, PushRow.id)
    for column, value in ((PushRow.platform, platform), (PushRow.workspace, workspace), (PushRow.channel, channel)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(PushRow.created_at >= since)
    if until is not None:
        query = query.where(PushRow.created_at < until)
    with database.transaction() as session:
        rows = list(session.scalars(query))
        turns = [row.turn_id for row in rows if row.turn_id is not None]
        intros: dict[int, int] = {}
        if turns:
            for turn_id in session.scalars(select(FeedbackRow.turn_id).where(FeedbackRow.turn_id.in_(turns),
                                                                            FeedbackRow.verdict == "intro")):
                intros[turn_id] = intros.get(turn_id, 0) + 1
        return [(_record(row), intros.get(row.turn_id or -1, 0)) for row in rows]
