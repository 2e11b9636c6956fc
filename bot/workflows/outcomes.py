"""Outcomes of suggestions, stored as feedback on the card's turn: intro requests (open → introduced or declined by
a broker) and "not relevant" verdicts with an optional reason and comment.

They are recorded and reported; they do not change the ranking (see docs/brokers.md, "Outcomes and ranking").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.conversations.models import FeedbackRow, TurnRow
from bot.conversations.store import utcnow
from bot.db import Database
from bot.workflows.types import Actor, Outcome

INTRO, DISMISS = "intro", "dismiss"
OPEN, INTRODUCED, DECLINED = "open", "introduced", "declined"
STATUSES = (OPEN, INTRODUCED, DECLINED)
DISMISS_REASONS = ("field", "size", "country", "known", "other")


def suggestion_name(result: dict[str, Any], kind: str, org: str) -> str:
    """The suggested organisation's name as shown on the card (its id when the card no longer lists it)."""
    listed = result.get("suppliers" if kind == "supplier" else "peers") or []
    return next((s["name"] for s in listed if s.get("id") == org), org)


def _outcome(row: FeedbackRow, turn: TurnRow) -> Outcome:
    kind, _, org = row.target.partition(":")
    status = row.status if row.verdict == INTRO else None  # a verdict changed elsewhere may leave a stale status
    return Outcome(row.id, row.verdict, turn.platform, turn.workspace, turn.channel, row.user_id, kind, org,
                   suggestion_name(turn.result, kind, org), turn.text, turn.language, row.created_at, status,
                   row.reason, row.comment, row.handled_by, row.handled_at, row.note)


def _same_workspace(turn: TurnRow, actor: Actor) -> bool:
    """Whether a turn belongs to the actor's Slack workspace or Teams tenant (ids from buttons are not trusted)."""
    return (turn.platform, turn.workspace) == (actor.platform, actor.workspace)


def record(database: Database, actor: Actor, turn_id: int, kind: str, org: str, verdict: str,
           reason: str | None = None, comment: str | None = None) -> tuple[Outcome, bool] | None:
    """Store a verdict on one suggestion of a turn; (outcome, whether the verdict is new), None if the turn is gone.

    A new intro request starts ``open``; repeating it changes nothing; any other verdict clears the intro status.
    """
    target = f"{kind}:{org}"
    for attempt in range(2):
        try:
            with database.transaction() as session:
                turn = session.get(TurnRow, turn_id)
                if turn is None or not _same_workspace(turn, actor):
                    return None
                row = session.scalars(select(FeedbackRow).where(
                    FeedbackRow.turn_id == turn_id, FeedbackRow.user_id == actor.user, FeedbackRow.target == target,
                )).first()
                new = row is None or row.verdict != verdict
                if row is None:
                    row = FeedbackRow(turn_id=turn_id, user_id=actor.user, target=target, verdict=verdict,
                                      created_at=utcnow())
                    session.add(row)
                if new:
                    row.verdict, row.created_at = verdict, utcnow()
                    row.status = OPEN if verdict == INTRO else None
                    row.handled_by = row.handled_at = row.note = None
                elif verdict != INTRO:
                    row.status = None
                if reason is not None:
                    row.reason = reason[:32] or None
                if comment is not None:
                    row.comment = comment.strip() or None
                session.flush()
                return _outcome(row, turn), new
        except IntegrityError:  # two clicks at once: the other one inserted the row; update it instead
            if attempt:
                raise
    return None


def set_status(database: Database, intro_id: int, status: str, broker: Actor,
               note: str | None = None) -> Outcome | None:
    """A broker's follow-up of an intro request (``introduced``, ``declined`` or back to ``open``)."""
    if status not in STATUSES:
        raise ValueError(f"unknown intro status {status!r}")
    with database.transaction() as session:
        row = session.get(FeedbackRow, intro_id)
        if row is None or row.verdict != INTRO:
            return None
        turn = session.get(TurnRow, row.turn_id)
        if turn is None or not _same_workspace(turn, broker):
            return None
        row.status, row.handled_by, row.handled_at = status, broker.user, utcnow()
        if note is not None:
            row.note = note.strip() or None
        session.flush()
        return _outcome(row, turn)


def _query(verdicts: tuple[str, ...], platform: str | None, workspace: str | None,
           since: datetime | None) -> Any:
    query = (select(FeedbackRow, TurnRow).join(TurnRow, FeedbackRow.turn_id == TurnRow.id)
             .where(FeedbackRow.target != "", FeedbackRow.verdict.in_(verdicts)))
    if platform is not None:
        query = query.where(TurnRow.platform == platform)
    if workspace is not None:
        query = query.where(TurnRow.workspace == workspace)
    if since is not None:
        query = query.where(FeedbackRow.created_at >= since)
    return query


def listing(database: Database, verdicts: tuple[str, ...] = (INTRO, DISMISS), status: str | None = None,
            platform: str | None = None, workspace: str | None = None, since: datetime | None = None,
            limit: int | None = None, newest_first: bool = False) -> list[Outcome]:
    """Outcomes of suggestions, oldest first unless ``newest_first``; optionally only intros in ``status``."""
    query = _query(verdicts, platform, workspace, since)
    if status is not None:
        query = query.where(FeedbackRow.status == status)
    order = (FeedbackRow.created_at.desc(), FeedbackRow.id.desc()) if newest_first else (FeedbackRow.created_at,
                                                                                         FeedbackRow.id)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    with database.transaction() as session:
        return [_outcome(row, turn) for row, turn in session.execute(query).tuples()]


def recent_outcomes(database: Database, platform: str, workspace: str, limit: int) -> list[Outcome]:
    """The latest dismissals and handled intro requests, newest first (by when they were decided)."""
    decided = func.coalesce(FeedbackRow.handled_at, FeedbackRow.created_at)
    query = (_query((INTRO, DISMISS), platform, workspace, None)
             .where((FeedbackRow.verdict == DISMISS) | (FeedbackRow.status.in_((INTRODUCED, DECLINED))))
             .order_by(decided.desc(), FeedbackRow.id.desc()).limit(limit))
    with database.transaction() as session:
        return [_outcome(row, turn) for row, turn in session.execute(query).tuples()]


def count(database: Database, platform: str, workspace: str, status: str = OPEN) -> int:
    """How many intro requests of a workspace are in ``status``."""
    query = (select(func.count()).select_from(FeedbackRow).join(TurnRow, FeedbackRow.turn_id == TurnRow.id)
             .where(FeedbackRow.verdict == INTRO, FeedbackRow.status == status, TurnRow.platform == platform,
                    TurnRow.workspace == workspace))
    with database.transaction() as session:
        return int(session.scalar(query) or 0)


def get(database: Database, intro_id: int) -> Outcome | None:
    """One outcome by id."""
    with database.transaction() as session:
        row = session.get(FeedbackRow, intro_id)
        turn = session.get(TurnRow, row.turn_id) if row is not None else None
        return _outcome(row, turn) if row is not None and turn is not None else None
