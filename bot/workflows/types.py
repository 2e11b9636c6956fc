"""Platform-neutral inputs and results of the broker workflows; handlers render them (Block Kit, Adaptive Cards)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.assistant import Reply
from bot.conversations import Place, Profile


@dataclass(frozen=True)
class Actor:
    """Who acts: platform, workspace (Slack team, Teams tenant), user id, and what else identifies them.

    ``aliases`` are further ids of the same person on that platform (e.g. the Teams AAD object id next to the
    ``29:…`` id); roles match the user id, any alias or the e-mail address.
    """

    platform: str
    workspace: str
    user: str
    email: str | None = None
    name: str | None = None
    aliases: tuple[str, ...] = ()

    def place(self, channel: str = "", thread: str = "") -> Place:
        """The conversation ``Place`` of this actor in ``channel``."""
        return Place(self.platform, self.workspace, channel, thread, self.user)


@dataclass(frozen=True)
class Channel:
    """A channel the bot posts into: its id on the platform and, when known, its display name."""

    id: str
    name: str | None = None

    @property
    def label(self) -> str:
        """``#name`` when the name is known, else the id."""
        return f"#{self.name}" if self.name else self.id


@dataclass(frozen=True)
class Refusal:
    """A polite no: a stable ``code`` for handlers, a message in the user's language, per-field form errors.

    Codes: ``role``, ``duplicate``, ``empty``, ``invalid``, ``not_found``, ``not_in_channel``, ``unknown_channel``,
    ``post_failed``.
    """

    code: str
    message: str
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MemberProfile:
    """A member's profile: the basic profile plus the organisation's interests, current needs and consent."""

    organisation: str | None = None
    country: str | None = None
    language: str | None = None
    interests: str = ""
    needs: str = ""
    consent: bool = False
    consent_at: datetime | None = None

    @property
    def basic(self) -> Profile:
        """The conversation layer's ``Profile`` (organisation, country, language)."""
        return Profile(self.organisation, self.country, self.language)


@dataclass(frozen=True)
class MemberPeer:
    """A member whose profile lists needs or interests like the topic; ``contact`` only with their consent."""

    user: str | None
    organisation: str | None
    organisation_label: str | None
    needs: str
    interests: str
    score: float
    matched: list[str]
    contact: str | None


@dataclass(frozen=True)
class PeerSearch:
    """Peer buyers for a topic: directory peers (a stored turn, with intro buttons) and matching members."""

    reply: Reply
    members: list[MemberPeer]


@dataclass(frozen=True)
class PushPlan:
    """A push reserved in the database: post ``reply`` to ``channel``, then call ``push_posted`` or ``push_failed``."""

    id: int
    channel: Channel
    actor: Actor
    reply: Reply
    created_at: datetime


@dataclass(frozen=True)
class PushRecord:
    """A recorded push: who pushed which need and suggestions where, and whether it was posted."""

    id: int
    platform: str
    workspace: str
    channel: Channel
    need: str
    user: str
    email: str | None
    status: str
    suggestions: list[dict[str, Any]]
    turn_id: int | None
    created_at: datetime
    error: str | None = None
    message_ref: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A verdict on one suggestion: an intro request (with its follow-up status) or "not relevant" (with a reason)."""

    id: int
    verdict: str
    platform: str
    workspace: str
    channel: str
    user: str
    kind: str
    org: str
    name: str
    need: str
    language: str
    created_at: datetime
    status: str | None = None
    reason: str | None = None
    comment: str | None = None
    handled_by: str | None = None
    handled_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class IntroRequest:
    """The result of "Request intro": the stored request, whether it is new, and which brokers to notify."""

    outcome: Outcome
    new: bool
    brokers: tuple[str, ...]


@dataclass(frozen=True)
class ChallengeDraft:
    """A challenge as typed into a form (raw strings); ``Workflows.validate_challenge`` checks it."""

    title: str
    need: str
    timeline: str = ""
    budget_min: str = ""
    budget_max: str = ""
    currency: str = "EUR"
    cpv: str = ""
    channel: Channel | None = None


@dataclass(frozen=True)
class Challenge:
    """A published (or pending) innovation challenge."""

    id: int
    platform: str
    workspace: str
    channel: Channel
    user: str
    organisation: str | None
    title: str
    need: str
    timeline: str
    budget_min: int | None
    budget_max: int | None
    currency: str | None
    cpv: list[str]
    language: str
    status: str
    created_at: datetime
    turn_id: int | None = None
    interested: int = 0
    suppliers: list[str] = field(default_factory=list)

    def budget(self) -> str:
        """The budget range as text (``50,000–200,000 EUR``), empty when not given."""
        low, high = self.budget_min, self.budget_max
        if low is not None and high is not None:
            text = f"{low:,}" if low == high else f"{low:,}–{high:,}"
        elif low is not None:
            text = f"≥ {low:,}"
        elif high is not None:
            text = f"≤ {high:,}"
        else:
            return ""
        return f"{text} {self.currency}" if self.currency else text


@dataclass(frozen=True)
class ChallengePlan:
    """A challenge stored as pending with its suggested suppliers: post it, then ``challenge_posted``/``_failed``."""

    challenge: Challenge
    reply: Reply


@dataclass(frozen=True)
class Interest:
    """Someone who registered interest in a challenge."""

    user: str
    organisation: str | None
    created_at: datetime


@dataclass(frozen=True)
class InterestResult:
    """What "Interested" did: whether it was new and how many have registered interest now."""

    challenge: Challenge
    new: bool
    count: int


@dataclass(frozen=True)
class BrokerOverview:
    """What a broker sees at a glance: open intro requests, recent outcomes, challenges, unanswered questions."""

    open_intros: list[Outcome]
    open_total: int
    outcomes: list[Outcome]
    challenges: list[tuple[Challenge, list[Interest]]]
    gaps: int


@dataclass(frozen=True)
class DigestMatch:
    """A match card pushed to the channel during the digest's period."""

    need: str
    user: str
    created_at: datetime
    suppliers: list[str]
    peers: list[str]
    intros: int


@dataclass(frozen=True)
class Digest:
    """What happened in a channel between ``since`` and ``until``: new challenges and pushed matches."""

    platform: str
    workspace: str | None
    channel: Channel
    since: datetime
    until: datetime
    challenges: list[Challenge]
    matches: list[DigestMatch]

    @property
    def empty(self) -> bool:
        """Nothing new in the period."""
        return not self.challenges and not self.matches

    def to_json(self) -> dict[str, Any]:
        """The JSON printed by ``innobroker digest --json``."""
        return {
            "platform": self.platform, "workspace": self.workspace, "channel": self.channel.id,
            "channel_name": self.channel.name, "since": self.since.isoformat(timespec="seconds"),
            "until": self.until.isoformat(timespec="seconds"),
            "challenges": [{"id": c.id, "title": c.title, "need": c.need, "organisation": c.organisation,
                            "timeline": c.timeline, "budget": c.budget(), "cpv": c.cpv, "interested": c.interested,
                            "suppliers": c.suppliers, "created_at": c.created_at.isoformat(timespec="seconds")}
                           for c in self.challenges],
            "matches": [{"need": m.need, "pushed_by": m.user, "suppliers": m.suppliers, "peers": m.peers,
                         "intros": m.intros, "created_at": m.created_at.isoformat(timespec="seconds")}
                        for m in self.matches],
        }


@dataclass(frozen=True)
class Erasure:
    """What ``forget`` removed (or, in a dry run, would remove) about a person, per kind of record."""

    users: list[str]
    removed: dict[str, int]
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        """``{"users", "removed": {kind: count}, "dry_run"}``."""
        return {"users": self.users, "removed": self.removed, "dry_run": self.dry_run}
