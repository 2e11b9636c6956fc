"""The matcher as the workflows use it: matches and peers that fall back to no buyer when the profile's
organisation is not in the directory, CPV codes added to a need, organisation labels."""

from __future__ import annotations

from dataclasses import replace

from bot.matching.service import MatchingError, MatchService
from bot.matching.types import MatchResult, Need, Suggestion


def match(matcher: MatchService, text: str, buyer: str | None, country: str | None, language: str,
          top: int) -> MatchResult:
    """Suppliers and peers for a need, as the buyer (or anonymously when the buyer is unknown)."""
    need = Need(text, buyer, country, top, language)
    try:
        return matcher.match(need)
    except MatchingError:
        if buyer is None:
            raise
        return matcher.match(replace(need, buyer_id=None))


def peers(matcher: MatchService, topic: str, buyer: str | None, country: str | None, top: int) -> list[Suggestion]:
    """Peer buyers for a topic (never the buyer itself)."""
    try:
        return matcher.peers(topic, buyer, country, top)
    except MatchingError:
        if buyer is None:
            raise
        return matcher.peers(topic, None, country, top)


def with_cpv(matcher: MatchService, text: str, codes: list[str], language: str) -> str:
    """The need followed by one ``CPV code label`` line per given code (the matcher reads them as evidence)."""
    if not codes:
        return text
    catalog = matcher.index().catalog
    return "\n".join([text, *(f"CPV {code} {catalog.label(code, language)}" for code in codes)])


def label(matcher: MatchService, reference: str | None) -> str | None:
    """How to show an organisation reference: "Name (CC)" from the directory, else the reference itself."""
    if not reference:
        return None
    try:
        position = matcher.resolve(reference)
    except MatchingError:
        return reference
    orgs = matcher.index().orgs
    name, country = orgs.names[position], orgs.countries[position]
    return f"{name} ({country})" if country else name
