"""The per-channel digest (``innobroker digest``, run weekly from cron): new challenges and pushed matches.

Without ``--since`` a digest starts where the channel's previous digest ended (or ``workflows.digest_days`` ago),
so a cron job that runs late or twice neither skips nor repeats anything.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.conversations.store import utcnow
from bot.db import Database
from bot.workflows import challenges, pushes
from bot.workflows.models import DigestRow
from bot.workflows.types import Channel, Digest, DigestMatch

_PERIOD = re.compile(r"(\d+(?:\.\d+)?)\s*([mhdw])", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A period back from now (``7d``, ``24h``, ``2w``, ``90m``) or a date/time (``2026-05-01``) as naive UTC."""
    now = now or utcnow()
    period = _PERIOD.fullmatch(text.strip())
    if period:
        return now - timedelta(**{_UNITS[period.group(2).lower()]: float(period.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"not a period or date: {text!r} (use 7d, 24h, 2w or 2026-05-01)") from exc
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def last_until(database: Database, platform: str, channel: str, workspace: str | None = None) -> datetime | None:
    """Where the channel's previous digest ended, if one was posted."""
    query = select(DigestRow.until).where(DigestRow.platform == platform, DigestRow.channel == channel)
    if workspace is not None:
        query = query.where(DigestRow.workspace == workspace)
    with database.transaction() as session:
        return session.scalars(query.order_by(DigestRow.until.desc()).limit(1)).first()


def build(database: Database, platform: str, channel: Channel, since: datetime, until: datetime,
          workspace: str | None = None) -> Digest:
    """Challenges published and matches pushed to ``channel`` in ``[since, until)``."""
    found = challenges.listing(database, platform, workspace, channel.id, since, until, posted_only=True)
    posted = [(push, intros) for push, intros in pushes.records(database, since, platform, workspace, channel.id,
                                                                 until) if push.status == pushes.POSTED]
    matches = []
    for push, intros in posted:
        names = {kind: [s["name"] for s in push.suggestions if s["kind"] == kind] for kind in ("supplier", "peer")}
        matches.append(DigestMatch(push.need, push.user, push.created_at, names["supplier"], names["peer"], intros))
    workspaces = {c.workspace for c in found} | {push.workspace for push, _ in posted}
    name = channel.name or next((c.channel.name for c in found if c.channel.name), None)
    return Digest(platform, workspace or (next(iter(workspaces)) if len(workspaces) == 1 else None),
                  Channel(channel.id, name), since, until, found, matches)


def record(database: Database, digest: Digest, message_ref: str | None) -> None:
    """Remember a posted digest, so the next one starts where it ended."""
    counts = {"challenges": len(digest.challenges), "matches": len(digest.matches)}
    with database.transaction() as session:
        session.add(DigestRow(platform=digest.platform, workspace=digest.workspace or "", channel=digest.channel.id,
                              channel_name=digest.channel.name, since=digest.since, until=digest.until,
                              counts=counts, message_ref=message_ref, created_at=utcnow()))
