"""Member profiles — the organisation's interests, current needs and consent to be contacted — kept on the
conversation layer's profile row, and the members whose needs or interests resemble a topic."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from sqlalchemy import or_, select

from bot.conversations.models import ProfileRow
from bot.conversations.store import utcnow
from bot.db import Database
from bot.knowledge.keyword import tokenize
from bot.language import LANGUAGES, detect_language
from bot.workflows.types import Actor, MemberPeer, MemberProfile

TEXT_LIMIT = 3000
INTEREST_WEIGHT = 0.7
_WORD = re.compile(r"[0-9a-zæøåäöüßéè]+")


def _profile(row: ProfileRow | None) -> MemberProfile:
    if row is None:
        return MemberProfile()
    return MemberProfile(row.organisation, row.country, row.language, row.interests or "", row.needs or "",
                         bool(row.consent), row.consent_at)


def load(database: Database, actor: Actor) -> MemberProfile:
    """The actor's member profile (empty when never saved)."""
    with database.transaction() as session:
        return _profile(session.get(ProfileRow, (actor.platform, actor.workspace, actor.user)))


def save(database: Database, actor: Actor, member: MemberProfile) -> MemberProfile:
    """Create or replace the whole profile in one transaction; consent time changes only when consent does."""
    language = member.language if member.language in LANGUAGES else None
    country = (member.country or "").strip().upper()[:2] or None
    with database.transaction() as session:
        row = session.get(ProfileRow, (actor.platform, actor.workspace, actor.user))
        if row is None:
            row = ProfileRow(platform=actor.platform, workspace=actor.workspace, user_id=actor.user, consent=False)
            session.add(row)
        now = utcnow()
        if bool(row.consent) != member.consent:
            row.consent_at = now
        row.organisation, row.country, row.language = member.organisation or None, country, language
        row.interests = member.interests.strip()[:TEXT_LIMIT] or None
        row.needs = member.needs.strip()[:TEXT_LIMIT] or None
        row.consent, row.updated_at = member.consent, now
        session.flush()
        return _profile(row)


def set_consent(database: Database, actor: Actor, consent: bool) -> MemberProfile:
    """Give or withdraw consent to be contacted, effective immediately for every later peer search."""
    with database.transaction() as session:
        row = session.get(ProfileRow, (actor.platform, actor.workspace, actor.user))
        if row is None:
            row = ProfileRow(platform=actor.platform, workspace=actor.workspace, user_id=actor.user, consent=False)
            session.add(row)
        if bool(row.consent) != consent:
            row.consent, row.consent_at = consent, utcnow()
        row.updated_at = utcnow()
        session.flush()
        return _profile(row)


def with_needs(database: Database, platform: str, workspace: str) -> list[tuple[str, MemberProfile]]:
    """Every member of a workspace whose profile lists interests or current needs."""
    query = select(ProfileRow).where(ProfileRow.platform == platform, ProfileRow.workspace == workspace,
                                     or_(ProfileRow.needs.is_not(None), ProfileRow.interests.is_not(None)))
    with database.transaction() as session:
        return [(row.user_id, _profile(row)) for row in session.scalars(query.order_by(ProfileRow.user_id))]


def _overlap(topic: str, text: str, languages: set[str]) -> tuple[float, set[str]]:
    """Set cosine of stemmed words in the best shared language, and the stems both texts contain."""
    best, shared = 0.0, set()
    for language in languages:
        mine, theirs = set(tokenize(topic, language)), set(tokenize(text, language))
        common = mine & theirs
        if common:
            score = len(common) / math.sqrt(len(mine) * len(theirs))
            if score > best:
                best, shared = score, common
    return best, shared


def _words(text: str, stems: set[str], languages: set[str]) -> list[str]:
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in found and any(set(tokenize(word, language)) & stems for language in languages):
            found.append(word)
    return found


def similar(topic: str, language: str, candidates: list[tuple[str, MemberProfile]], actor: Actor,
            own_organisation: str | None, top: int, label: Callable[[str | None], str | None]) -> list[MemberPeer]:
    """Members whose current needs (or, weighed less, interests) share words with ``topic``, best first.

    The asking member and colleagues of the same organisation are left out; only members who consented are
    given a ``user`` and ``contact``.
    """
    peers: list[MemberPeer] = []
    for user, member in candidates:
        if user == actor.user or (own_organisation and member.organisation == own_organisation):
            continue
        text = f"{member.needs}\n{member.interests}"
        languages = {language, detect_language(text, default=member.language or language)}
        need_score, need_stems = _overlap(topic, member.needs, languages)
        interest_score, interest_stems = _overlap(topic, member.interests, languages)
        score = max(need_score, INTEREST_WEIGHT * interest_score)
        if score <= 0:
            continue
        matched = _words(text, need_stems | interest_stems, languages)
        consented = member.consent
        peers.append(MemberPeer(user if consented else None, member.organisation, label(member.organisation),
                                member.needs, member.interests, round(score, 3), matched,
                                user if consented else None))
    peers.sort(key=lambda peer: -peer.score)
    return peers[:top]
