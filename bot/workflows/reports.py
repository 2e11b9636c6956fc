"""Broker reports as rows — intro requests, outcomes, pushes, challenges and knowledge gaps — written as CSV or JSON.

A *gap* is a rule question that abstained, got 👎, or was answered from a best passage scoring below
``workflows.gap_score_below``; identical questions (case and punctuation ignored) are counted together.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select

from bot.conversations.models import FeedbackRow, TurnRow
from bot.db import Database
from bot.workflows import challenges, outcomes, pushes
from bot.workflows.types import Outcome

Row = dict[str, Any]
OUTCOME_COLUMNS = ["id", "created_at", "platform", "workspace", "channel", "user", "verdict", "status", "kind",
                   "organisation_id", "organisation", "need", "reason", "comment", "handled_by", "handled_at", "note"]
INTRO_COLUMNS = [c for c in OUTCOME_COLUMNS if c not in ("verdict", "reason", "comment")]
PUSH_COLUMNS = ["id", "created_at", "platform", "workspace", "channel", "channel_name", "pushed_by", "email", "need",
                "status", "error", "suppliers", "peers", "intros", "message_ref"]
CHALLENGE_COLUMNS = ["id", "created_at", "platform", "workspace", "channel", "channel_name", "author", "organisation",
                     "title", "need", "timeline", "budget_min", "budget_max", "currency", "cpv", "status",
                     "interested", "suppliers"]
GAP_COLUMNS = ["question", "language", "times", "last_asked", "reasons", "best_score", "top_citation", "down_votes",
               "feedback", "turn_ids"]


def _outcome_row(outcome: Outcome) -> Row:
    return {"id": outcome.id, "created_at": outcome.created_at, "platform": outcome.platform,
            "workspace": outcome.workspace, "channel": outcome.channel, "user": outcome.user,
            "verdict": outcome.verdict, "status": outcome.status, "kind": outcome.kind, "organisation_id": outcome.org,
            "organisation": outcome.name, "need": outcome.need, "reason": outcome.reason, "comment": outcome.comment,
            "handled_by": outcome.handled_by, "handled_at": outcome.handled_at, "note": outcome.note}


def intro_rows(database: Database, since: datetime | None = None) -> list[Row]:
    """Every intro request with its follow-up status."""
    return [_outcome_row(o) for o in outcomes.listing(database, (outcomes.INTRO,), since=since)]


def outcome_rows(database: Database, since: datetime | None = None) -> list[Row]:
    """Every verdict on a suggestion: intro requests and "not relevant" with reasons."""
    return [_outcome_row(o) for o in outcomes.listing(database, since=since)]


def push_rows(database: Database, since: datetime | None = None) -> list[Row]:
    """Every push: who, where, what was suggested, whether it was posted, and the intro requests it got."""
    rows = []
    for push, intros in pushes.records(database, since):
        names = {kind: [s["name"] for s in push.suggestions if s["kind"] == kind] for kind in ("supplier", "peer")}
        rows.append({"id": push.id, "created_at": push.created_at, "platform": push.platform,
                     "workspace": push.workspace, "channel": push.channel.id, "channel_name": push.channel.name,
                     "pushed_by": push.user, "email": push.email, "need": push.need, "status": push.status,
                     "error": push.error, "suppliers": names["supplier"], "peers": names["peer"], "intros": intros,
                     "message_ref": push.message_ref})
    return rows


def challenge_rows(database: Database, since: datetime | None = None) -> list[Row]:
    """Every challenge with its interest count and suggested suppliers."""
    return [{"id": c.id, "created_at": c.created_at, "platform": c.platform, "workspace": c.workspace,
             "channel": c.channel.id, "channel_name": c.channel.name, "author": c.user, "organisation": c.organisation,
             "title": c.title, "need": c.need, "timeline": c.timeline, "budget_min": c.budget_min,
             "budget_max": c.budget_max, "currency": c.currency, "cpv": c.cpv, "status": c.status,
             "interested": c.interested, "suppliers": c.suppliers}
            for c in challenges.listing(database, since=since)]


def _best(result: dict[str, Any]) -> tuple[float | None, str | None]:
    cited = [c for c in result.get("citations") or [] if isinstance(c.get("score"), int | float)]
    if not cited:
        return None, None
    top = max(cited, key=lambda c: c["score"])
    return float(top["score"]), top.get("label")


def gap_rows(database: Database, since: datetime | None, score_below: float, platform: str | None = None,
             workspace: str | None = None) -> list[Row]:
    """Rule questions the knowledge base served badly, most frequent first."""
    query = select(TurnRow).where(TurnRow.intent == "ask")
    votes = (select(FeedbackRow).join(TurnRow, FeedbackRow.turn_id == TurnRow.id)
             .where(TurnRow.intent == "ask", FeedbackRow.verdict == "down", FeedbackRow.target == ""))
    for column, value in ((TurnRow.platform, platform), (TurnRow.workspace, workspace)):
        if value is not None:
            query, votes = query.where(column == value), votes.where(column == value)
    if since is not None:
        query, votes = query.where(TurnRow.created_at >= since), votes.where(TurnRow.created_at >= since)
    with database.transaction() as session:
        down: dict[int, list[FeedbackRow]] = {}
        for vote in session.scalars(votes):
            down.setdefault(vote.turn_id, []).append(vote)
        groups: dict[str, Row] = {}
        for turn in session.scalars(query.order_by(TurnRow.created_at, TurnRow.id)):
            if turn.result.get("problem"):
                continue
            score, label = _best(turn.result)
            reasons = {"abstained"} if turn.result.get("abstained") else set()
            if turn.id in down:
                reasons.add("thumbs_down")
            if not reasons and score is not None and score < score_below:
                reasons.add("low_score")
            if not reasons:
                continue
            group = groups.setdefault(pushes.need_key(turn.text), {
                "times": 0, "reasons": set(), "best_score": None, "top_citation": None, "down_votes": 0,
                "feedback": [], "turn_ids": []})
            group.update(question=turn.text, language=turn.language, last_asked=turn.created_at)
            group["times"] += 1
            group["reasons"] |= reasons
            group["turn_ids"].append(turn.id)
            if score is not None and (group["best_score"] is None or score > group["best_score"]):
                group["best_score"], group["top_citation"] = round(score, 3), label
            for vote in down.get(turn.id, []):
                group["down_votes"] += 1
                said = ": ".join(part for part in (vote.reason, vote.comment) if part)
                if said:
                    group["feedback"].append(said)
    rows = [{**g, "reasons": sorted(g["reasons"])} for g in groups.values()]
    rows.sort(key=lambda g: (-g["times"], -g["last_asked"].timestamp()))
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, list | tuple | set):
        return "; ".join(str(item) for item in value)
    return "" if value is None else value


def _json(value: Any) -> Any:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


def write(rows: list[Row], columns: list[str], fmt: str, stream: TextIO) -> None:
    """Rows as CSV (header, ``;``-joined lists) or as one JSON array (ISO dates)."""
    if fmt == "json":
        payload = [{column: _json(row.get(column)) for column in columns} for row in rows]
        stream.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _cell(row.get(column)) for column in columns})


REPORTS: dict[str, tuple[Callable[[Database, datetime | None], list[Row]], list[str]]] = {
    "intros": (intro_rows, INTRO_COLUMNS),
    "outcomes": (outcome_rows, OUTCOME_COLUMNS),
    "pushes": (push_rows, PUSH_COLUMNS),
    "challenges": (challenge_rows, CHALLENGE_COLUMNS),
}
