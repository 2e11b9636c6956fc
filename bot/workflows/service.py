"""``Workflows``: the platform-neutral API of the broker workflows that the Slack and Teams handlers render.

Every method takes a neutral ``Actor``, checks the actor's role first, does its database writes in one transaction
each, and returns a neutral result or a ``Refusal`` whose message is ready to show. Handlers do only what needs the
platform: check that the bot is in a channel, post, and report back (``push_posted``/``push_failed``…).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from bot.assistant import Reply
from bot.config import Settings
from bot.conversations import ConversationStore, Profile
from bot.conversations.store import utcnow
from bot.i18n import t
from bot.intent import Intent
from bot.language import detect_language
from bot.matching.service import MatchingError, MatchService
from bot.matching.types import MatchResult
from bot.workflows import challenges, digest, gdpr, outcomes, profiles, pushes, reports, suggest
from bot.workflows.roles import Mention, Role, holders, neutral_mention, refusal, role_of
from bot.workflows.types import (
    Actor,
    BrokerOverview,
    Challenge,
    ChallengeDraft,
    ChallengePlan,
    Channel,
    Digest,
    Erasure,
    Interest,
    InterestResult,
    IntroRequest,
    MemberProfile,
    Outcome,
    PeerSearch,
    PushPlan,
    Refusal,
)

if TYPE_CHECKING:
    from bot.assistant import Assistant

T = TypeVar("T")


class Workflows:
    """Roles, pushes, intro follow-up, member profiles and peers, challenges, digests, reports and erasure."""

    def __init__(self, settings: Settings, conversations: ConversationStore, matcher: MatchService,
                 mention: Mention = neutral_mention) -> None:
        self.settings, self.config = settings, settings.workflows
        self.conversations, self.database, self.matcher = conversations, conversations.database, matcher
        self.mention = mention

    @classmethod
    def of(cls, assistant: Assistant, mention: Mention = neutral_mention) -> Workflows:
        """The workflows on the assistant's database and matcher (cheap: build one per handler or request)."""
        return cls(assistant.settings, assistant.conversations, assistant.matcher, mention)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(function, *args)

    async def _match(self, text: str, profile: Profile, language: str) -> MatchResult:
        return await self._run(suggest.match, self.matcher, text, profile.organisation, profile.country, language,
                               self.settings.chat.match_top)

    # Roles ---------------------------------------------------------------------------------------------------

    def role(self, actor: Actor) -> Role:
        """The actor's role (admin, broker, member or none) from ``workflows`` in app.yaml."""
        return role_of(self.config, actor)

    def refuse(self, actor: Actor, needed: Role, action: str, language: str) -> Refusal | None:
        """None when the actor holds ``needed``; else a refusal that names who can do ``action``."""
        return refusal(self.config, actor, needed, action, language, self.mention)

    def brokers(self) -> list[str]:
        """Who is told about intro requests: the configured brokers (the admins only when there are none)."""
        return list(dict.fromkeys(self.config.brokers)) or holders(self.config, Role.ADMIN)

    def refusal(self, code: str, language: str, **fields: Any) -> Refusal:
        """A refusal for a condition only the handler can see (``not_in_channel``, ``unknown_channel``,
        ``post_failed``), worded like the core's own."""
        return Refusal(code, t(f"refusal_{code}", language).format(**fields))

    # Profiles and peers --------------------------------------------------------------------------------------

    async def member(self, actor: Actor) -> MemberProfile:
        """The actor's member profile."""
        return await self._run(profiles.load, self.database, actor)

    async def save_profile(self, actor: Actor, member: MemberProfile, language: str) -> Refusal | None:
        """Validate the organisation against the directory, then store the whole profile in one transaction."""
        if member.organisation:
            try:
                await self._run(self.matcher.resolve, member.organisation)
            except MatchingError as exc:
                return Refusal("invalid", str(exc), {"organisation": str(exc)})
        await self._run(profiles.save, self.database, actor, member)
        return None

    async def set_consent(self, actor: Actor, consent: bool) -> MemberProfile:
        """Give or withdraw consent to be shown as a contact to other members (immediately effective)."""
        return await self._run(profiles.set_consent, self.database, actor, consent)

    async def peers(self, actor: Actor, topic: str, language: str, channel: str = "") -> PeerSearch | Refusal:
        """Peer buyers for a topic: directory peers (stored as a turn with intro buttons) and members with similar
        needs; contacts only of members who consented (directory contacts only with the directory's consent)."""
        text = " ".join(topic.split())
        if not text:
            return Refusal("invalid", t("peers_usage", language))
        member = await self.member(actor)
        language = detect_language(text, default=member.language or language)
        top = self.settings.chat.match_top
        try:
            found = await self._run(suggest.peers, self.matcher, text, member.organisation, member.country, top)
        except MatchingError as exc:
            return Refusal("invalid", t("problem", language).format(problem=exc))
        candidates = await self._run(profiles.with_needs, self.database, actor.platform, actor.workspace)
        similar = await self._run(profiles.similar, text, language, candidates, actor, member.organisation, top,
                                  partial(suggest.label, self.matcher))
        turn = await self._run(self.conversations.add_turn, actor.place(channel), Intent.PEERS.value, text, text,
                               language, {"peers": [p.to_json() for p in found]})
        return PeerSearch(Reply(turn.id, Intent.PEERS, language, text, text, peers=found), similar)

    # Pushes --------------------------------------------------------------------------------------------------

    async def push(self, actor: Actor, channel: Channel, need: str, language: str) -> PushPlan | Refusal:
        """Match a need and reserve its card for ``channel`` (brokers only; the same suggestion is not pushed to
        a channel twice within ``workflows.push_dedupe_days``). Check first that the bot is in the channel."""
        refused = self.refuse(actor, Role.BROKER, "act_push", language)
        if refused:
            return refused
        text = " ".join(need.split())
        if not text:
            return Refusal("invalid", t("push_need_missing", language))
        since = utcnow() - timedelta(days=self.config.push_dedupe_days)
        earlier = await self._run(pushes.earlier, self.database, actor, channel, text, since)
        if earlier is not None:
            return pushes.duplicate(earlier, channel, language, self.config.push_dedupe_days, self.mention)
        profile = await self._run(self.conversations.profile, actor.place())
        card_language = detect_language(text, default=profile.language or language)
        try:
            match = await self._match(text, profile, card_language)
        except MatchingError as exc:
            return Refusal("invalid", t("problem", language).format(problem=exc))
        if not match.suppliers and not match.peers:
            return Refusal("empty", t("push_empty", language))
        record, created = await self._run(pushes.reserve, self.database, actor, channel, text, match, card_language,
                                          since)
        if not created:
            return pushes.duplicate(record, channel, language, self.config.push_dedupe_days, self.mention)
        reply = Reply(record.turn_id, Intent.MATCH, card_language, text, text, match=match)
        return PushPlan(record.id, channel, actor, reply, record.created_at)

    async def push_posted(self, push_id: int, message_ref: str) -> None:
        """Record that the push was posted (``message_ref``: the platform's reference, e.g. ``C123:1712.0001``)."""
        await self._run(pushes.finish, self.database, push_id, True, message_ref)

    async def push_failed(self, push_id: int, error: str) -> None:
        """Record that posting failed; a failed push does not count as pushed for de-duplication."""
        await self._run(pushes.finish, self.database, push_id, False, None, error)

    # Outcomes ------------------------------------------------------------------------------------------------

    async def request_intro(self, actor: Actor, turn_id: int, kind: str, org: str,
                            language: str) -> IntroRequest | Refusal:
        """Record an intro request (status ``open``) and say which brokers to notify; repeated clicks are not new."""
        refused = self.refuse(actor, Role.MEMBER, "act_intro", language)
        if refused:
            return refused
        done = await self._run(outcomes.record, self.database, actor, turn_id, kind, org, outcomes.INTRO)
        if done is None:
            return Refusal("not_found", t("turn_missing", language))
        return IntroRequest(done[0], done[1], tuple(self.brokers()))

    async def dismiss(self, actor: Actor, turn_id: int, kind: str, org: str, language: str,
                      reason: str | None = None, comment: str | None = None) -> Outcome | Refusal:
        """Record "not relevant" on a suggestion, with an optional reason (``outcomes.DISMISS_REASONS``) and comment."""
        done = await self._run(outcomes.record, self.database, actor, turn_id, kind, org, outcomes.DISMISS, reason,
                               comment)
        return done[0] if done else Refusal("not_found", t("turn_missing", language))

    async def set_intro_status(self, actor: Actor, intro_id: int, status: str, language: str,
                               note: str | None = None) -> Outcome | Refusal:
        """A broker marks an intro request ``introduced``, ``declined`` or ``open`` again; notify ``outcome.user``."""
        refused = self.refuse(actor, Role.BROKER, "act_intros", language)
        if refused:
            return refused
        if status not in outcomes.STATUSES:
            return Refusal("invalid", t("intro_not_found", language))
        done = await self._run(outcomes.set_status, self.database, intro_id, status, actor, note)
        return done or Refusal("not_found", t("intro_not_found", language))

    async def overview(self, actor: Actor, language: str, limit: int = 5) -> BrokerOverview | Refusal:
        """What a broker's home shows: open intro requests, recent outcomes, challenges with interest, gaps."""
        refused = self.refuse(actor, Role.BROKER, "act_intros", language)
        if refused:
            return refused
        where = (actor.platform, actor.workspace)
        open_intros = await self._run(lambda: outcomes.listing(
            self.database, (outcomes.INTRO,), outcomes.OPEN, *where, limit=limit, newest_first=True))
        open_total = await self._run(outcomes.count, self.database, *where)
        recent = await self._run(outcomes.recent_outcomes, self.database, *where, limit)
        latest = await self._run(lambda: challenges.listing(self.database, *where, posted_only=True, limit=limit,
                                                            newest_first=True))
        interested = [(c, await self._run(challenges.interests, self.database, c.id)) for c in latest]
        gaps = await self._run(self.gaps, actor.platform, actor.workspace)
        return BrokerOverview(open_intros, open_total, recent, interested, len(gaps))

    # Challenges ----------------------------------------------------------------------------------------------

    def validate_challenge(self, draft: ChallengeDraft, language: str) -> dict[str, str]:
        """Form errors keyed by draft field (``title``, ``need``, ``budget_min``, ``budget_max``, ``currency``,
        ``cpv``, ``channel``); empty when the draft can be published."""
        return challenges.validate(draft, language)

    async def publish_challenge(self, actor: Actor, draft: ChallengeDraft, language: str) -> ChallengePlan | Refusal:
        """Validate, match suppliers and store the challenge as pending (members; default channel
        ``workflows.network_channel``). Check the bot is in the channel, post, then ``challenge_posted``."""
        refused = self.refuse(actor, Role.MEMBER, "act_challenge", language)
        if refused:
            return refused
        if draft.channel is None and self.config.network_channel:
            draft = replace(draft, channel=Channel(self.config.network_channel))
        errors = self.validate_challenge(draft, language)
        if errors:
            return Refusal("invalid", t("ch_invalid", language), errors)
        profile = await self._run(self.conversations.profile, actor.place())
        text = f"{' '.join(draft.title.split())}. {draft.need.strip()}"
        card_language = detect_language(text, default=profile.language or language)
        try:
            query = await self._run(suggest.with_cpv, self.matcher, text, challenges.cpv_codes(draft.cpv)[0],
                                    card_language)
            match = await self._match(query, profile, card_language)
        except MatchingError as exc:
            return Refusal("invalid", t("problem", language).format(problem=exc))
        challenge = await self._run(challenges.create, self.database, actor, draft, profile.organisation,
                                    card_language, query, match)
        reply = Reply(challenge.turn_id, Intent.MATCH, card_language, challenge.need, query,
                      match=replace(match, peers=[]))
        return ChallengePlan(challenge, reply)

    async def challenge_posted(self, challenge_id: int, message_ref: str) -> None:
        """Record that the challenge card was posted."""
        await self._run(challenges.finish, self.database, challenge_id, True, message_ref)

    async def challenge_failed(self, challenge_id: int, error: str) -> None:
        """Record that posting the challenge failed."""
        await self._run(challenges.finish, self.database, challenge_id, False, None, error)

    async def challenge(self, challenge_id: int) -> Challenge | None:
        """One challenge with its interest count."""
        return await self._run(challenges.get, self.database, challenge_id)

    async def interested(self, actor: Actor, challenge_id: int, language: str) -> InterestResult | Refusal:
        """Register the actor's interest in a challenge (members; once per person)."""
        refused = self.refuse(actor, Role.MEMBER, "act_interest", language)
        if refused:
            return refused
        member = await self.member(actor)
        done = await self._run(challenges.add_interest, self.database, actor, challenge_id, member.organisation)
        if done is None:
            return Refusal("not_found", t("ch_not_found", language))
        return InterestResult(*done)

    async def interests(self, actor: Actor, challenge_id: int,
                        language: str) -> tuple[Challenge, list[Interest]] | Refusal:
        """Who is interested in a challenge (organisations as "Name (CC)"): for brokers and the challenge's author."""
        challenge = await self.challenge(challenge_id)
        if challenge is None or (challenge.platform, challenge.workspace) != (actor.platform, actor.workspace):
            return Refusal("not_found", t("ch_not_found", language))
        if challenge.user != actor.user:
            refused = self.refuse(actor, Role.BROKER, "act_interest_list", language)
            if refused:
                return refused
        people = await self._run(challenges.interests, self.database, challenge_id)
        labels = {org: await self.organisation_label(org) for org in {p.organisation for p in people if p.organisation}}
        return challenge, [replace(p, organisation=labels.get(p.organisation or "", p.organisation)) for p in people]

    async def organisation_label(self, reference: str | None) -> str | None:
        """How to show an organisation reference: "Name (CC)" from the directory, else the reference itself."""
        return await self._run(suggest.label, self.matcher, reference) if reference else None

    # Digests, reports, erasure (synchronous: the CLI and cron call them) -------------------------------------

    def digest(self, platform: str, channel: Channel, since: datetime | None = None, until: datetime | None = None,
               workspace: str | None = None) -> Digest:
        """The channel's digest; by default from the end of its previous digest (or ``digest_days`` ago) to now."""
        until = until or utcnow()
        if since is None:
            since = digest.last_until(self.database, platform, channel.id, workspace) or (
                until - timedelta(days=self.config.digest_days))
        return digest.build(self.database, platform, channel, since, until, workspace)

    def digest_sent(self, sent: Digest, message_ref: str | None) -> None:
        """Record a posted digest (the next one starts at its end)."""
        digest.record(self.database, sent, message_ref)

    def gaps(self, platform: str | None = None, workspace: str | None = None,
             since: datetime | None = None) -> list[dict[str, Any]]:
        """Questions that abstained, got 👎 or scored low (default: the last ``workflows.gap_days`` days)."""
        since = since or utcnow() - timedelta(days=self.config.gap_days)
        return reports.gap_rows(self.database, since, self.config.gap_score_below, platform, workspace)

    def forget(self, person: str, platform: str | None = None, workspace: str | None = None,
               dry_run: bool = False) -> Erasure:
        """Erase a person's data in one transaction (``dry_run``: count only); returns what was removed."""
        return gdpr.forget(self.database, person, platform, workspace, dry_run)
