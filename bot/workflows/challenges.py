"""Innovation challenges: validate a draft, store it with the turn of its suggested suppliers, record interest."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.conversations.models import TurnRow
from bot.conversations.store import utcnow
from bot.db import Database
from bot.i18n import t
from bot.matching.cpv import normalize_code
from bot.matching.types import MatchResult
from bot.workflows.models import ChallengeRow, InterestRow
from bot.workflows.types import Actor, Challenge, ChallengeDraft, Channel, Interest

PENDING, POSTED, FAILED = "pending", "posted", "failed"
TITLE_CHARS, NEED_CHARS, TIMELINE_CHARS = 300, 3000, 300
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(k|m|mio)?", re.IGNORECASE)
_MULTIPLIER = {"": 1, "k": 1_000, "m": 1_000_000, "mio": 1_000_000}


def parse_amount(text: str) -> int | None:
    """A whole amount from ``50000``, ``50 000``, ``50.000``, ``50,000``, ``50k`` or ``1.5m``; None when empty."""
    raw = re.sub(r"[\s'_]", "", text or "")
    if not raw:
        return None
    suffix = re.search(r"(k|m|mio)$", raw, re.IGNORECASE)
    number = raw[: suffix.start()] if suffix else raw
    if suffix and re.fullmatch(r"\d+([.,]\d+)?", number):
        return round(float(number.replace(",", ".")) * _MULTIPLIER[suffix.group(1).lower()])
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+|\d+", number) and not suffix:
        return int(re.sub(r"[.,]", "", number))
    raise ValueError(text)


def cpv_codes(text: str) -> tuple[list[str], list[str]]:
    """Valid CPV codes and the invalid entries of a comma- or space-separated list."""
    valid: list[str] = []
    invalid: list[str] = []
    for entry in re.split(r"[,;\s]+", text or ""):
        if entry:
            code = normalize_code(entry)
            (valid if code else invalid).append(code or entry)
    return list(dict.fromkeys(valid)), invalid


def validate(draft: ChallengeDraft, language: str) -> dict[str, str]:
    """Field errors of a draft (empty when it can be published), keyed by draft field name."""
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = t("ch_err_required", language)
    elif len(draft.title.strip()) > TITLE_CHARS:
        errors["title"] = t("ch_err_long", language).format(limit=TITLE_CHARS)
    if len(draft.need.strip()) < 3:
        errors["need"] = t("ch_err_required", language)
    amounts: dict[str, int | None] = {}
    for name in ("budget_min", "budget_max"):
        try:
            amounts[name] = parse_amount(getattr(draft, name))
        except ValueError:
            errors[name] = t("ch_err_budget", language)
    low, high = amounts.get("budget_min"), amounts.get("budget_max")
    if low is not None and high is not None and high < low:
        errors["budget_max"] = t("ch_err_budget_order", language)
    if draft.currency and not re.fullmatch(r"[A-Za-z]{3}", draft.currency.strip()):
        errors["currency"] = t("ch_err_currency", language)
    _, invalid = cpv_codes(draft.cpv)
    if invalid:
        errors["cpv"] = t("ch_err_cpv", language).format(code=invalid[0])
    if draft.channel is None or not draft.channel.id:
        errors["channel"] = t("ch_err_channel", language)
    return errors


def _challenge(row: ChallengeRow, interested: int = 0, turn: TurnRow | None = None) -> Challenge:
    suppliers = [s["name"] for s in (turn.result.get("suppliers") or [])] if turn is not None else []
    return Challenge(row.id, row.platform, row.workspace, Channel(row.channel, row.channel_name), row.user_id,
                     row.organisation, row.title, row.need, row.timeline, row.budget_min, row.budget_max, row.currency,
                     list(row.cpv), row.language, row.status, row.created_at, row.turn_id, interested, suppliers)


def create(database: Database, actor: Actor, draft: ChallengeDraft, organisation: str | None, language: str,
           query: str, match: MatchResult) -> Challenge:
    """Store the suggested-suppliers turn and the pending challenge in one transaction (the draft is valid)."""
    assert draft.channel is not None
    now = utcnow()
    with database.transaction() as session:
        turn = TurnRow(platform=actor.platform, workspace=actor.workspace, channel=draft.channel.id, thread="",
                       user_id="", intent="match", text=draft.need.strip(), query=query, language=language,
                       result=match.to_json(), created_at=now)
        session.add(turn)
        session.flush()
        row = ChallengeRow(
            platform=actor.platform, workspace=actor.workspace, channel=draft.channel.id,
            channel_name=draft.channel.name, user_id=actor.user, user_email=actor.email, organisation=organisation,
            title=" ".join(draft.title.split())[:TITLE_CHARS], need=draft.need.strip()[:NEED_CHARS],
            timeline=draft.timeline.strip()[:TIMELINE_CHARS], budget_min=parse_amount(draft.budget_min),
            budget_max=parse_amount(draft.budget_max), currency=(draft.currency or "").strip().upper() or None,
            cpv=cpv_codes(draft.cpv)[0], language=language, turn_id=turn.id, status=PENDING, created_at=now)
        session.add(row)
        session.flush()
        return _challenge(row, 0, turn)


def finish(database: Database, challenge_id: int, posted: bool, message_ref: str | None = None,
           error: str | None = None) -> None:
    """Mark a pending challenge as posted (with the message reference) or failed."""
    with database.transaction() as session:
        row = session.get(ChallengeRow, challenge_id)
        if row is not None:
            row.status = POSTED if posted else FAILED
            row.message_ref, row.error = message_ref, error[:200] if error else None


def _count(session: Session, challenge_id: int) -> int:
    query = select(func.count()).select_from(InterestRow).where(InterestRow.challenge_id == challenge_id)
    return int(session.scalar(query) or 0)


def get(database: Database, challenge_id: int) -> Challenge | None:
    """One challenge with its interest count and suggested suppliers."""
    with database.transaction() as session:
        row = session.get(ChallengeRow, challenge_id)
        if row is None:
            return None
        turn = session.get(TurnRow, row.turn_id) if row.turn_id else None
        return _challenge(row, _count(session, row.id), turn)


def add_interest(database: Database, actor: Actor, challenge_id: int,
                 organisation: str | None) -> tuple[Challenge, bool, int] | None:
    """Register the actor's interest once; (challenge, whether it is new, how many are interested now)."""
    for attempt in range(2):
        try:
            with database.transaction() as session:
                row = session.get(ChallengeRow, challenge_id)
                if row is None or (row.platform, row.workspace) != (actor.platform, actor.workspace):
                    return None
                key = (challenge_id, actor.platform, actor.workspace, actor.user)
                new = session.get(InterestRow, key) is None
                if new:
                    session.add(InterestRow(challenge_id=challenge_id, platform=actor.platform,
                                            workspace=actor.workspace, user_id=actor.user, organisation=organisation,
                                            created_at=utcnow()))
                    session.flush()
                total = _count(session, challenge_id)
                return _challenge(row, total), new, total
        except IntegrityError:
            if attempt:
                raise
    return None


def interests(database: Database, challenge_id: int) -> list[Interest]:
    """Who registered interest in a challenge, in order."""
    query = (select(InterestRow).where(InterestRow.challenge_id == challenge_id)
             .order_by(InterestRow.created_at, InterestRow.user_id))
    with database.transaction() as session:
        return [Interest(row.user_id, row.organisation, row.created_at) for row in session.scalars(query)]


def listing(database: Database, platform: str | None = None, workspace: str | None = None,
            channel: str | None = None, since: datetime | None = None, until: datetime | None = None,
            posted_only: bool = False, limit: int | None = None, newest_first: bool = False) -> list[Challenge]:
    """Challenges with interest counts and suggested suppliers, filtered by place and creation time."""
    query = select(ChallengeRow)
    for column, value in ((ChallengeRow.platform, platform), (ChallengeRow.workspace, workspace),
                          (ChallengeRow.channel, channel)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(ChallengeRow.created_at >= since)
    if until is not None:
        query = query.where(ChallengeRow.created_at < until)
    if posted_only:
        query = query.where(ChallengeRow.status == POSTED)
    direction = (ChallengeRow.created_at.desc(), ChallengeRow.id.desc()) if newest_first else (
        ChallengeRow.created_at, ChallengeRow.id)
    query = query.order_by(*direction).limit(limit)
    with database.transaction() as session:
        rows = list(session.scalars(query))
        return [_challenge(row, _count(session, row.id), session.get(TurnRow, row.turn_id) if row.turn_id else None)
                for row in rows]
