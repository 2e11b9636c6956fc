"""Human-readable reasons for suggestions, in Danish, Swedish, German or English."""

from __future__ import annotations

import re

_EMPTY_PARENS = re.compile(r"\s*\(\s*\)")
_SPACES = re.compile(r"\s{2,}")

_TEMPLATES: dict[str, dict[str, str]] = {
    "won_under": {
        "en": "won {n} contracts under {cpv}, incl. {buyer} {year}",
        "da": "vandt {n} kontrakter under {cpv}, bl.a. {buyer} {year}",
        "sv": "vann {n} kontrakt inom {cpv}, bl.a. {buyer} {year}",
        "de": "gewann {n} Aufträge unter {cpv}, u. a. {buyer} {year}",
    },
    "won_one_under": {
        "en": "won a contract under {cpv}: {buyer} {year}",
        "da": "vandt en kontrakt under {cpv}: {buyer} {year}",
        "sv": "vann ett kontrakt inom {cpv}: {buyer} {year}",
        "de": "gewann einen Auftrag unter {cpv}: {buyer} {year}",
    },
    "similar": {
        "en": "won a similar contract: “{title}” ({buyer} {year})",
        "da": "vandt en lignende kontrakt: “{title}” ({buyer} {year})",
        "sv": "vann ett liknande kontrakt: ”{title}” ({buyer} {year})",
        "de": "gewann einen ähnlichen Auftrag: „{title}“ ({buyer} {year})",
    },
    "supplied_you": {
        "en": "has supplied {buyer} before: “{title}” ({year})",
        "da": "har leveret til {buyer} før: “{title}” ({year})",
        "sv": "har levererat till {buyer} tidigare: ”{title}” ({year})",
        "de": "hat bereits an {buyer} geliefert: „{title}“ ({year})",
    },
    "offers": {
        "en": "offers: {text}", "da": "tilbyder: {text}", "sv": "erbjuder: {text}", "de": "bietet: {text}",
    },
    "profile": {
        "en": "profile: {text}", "da": "profil: {text}", "sv": "profil: {text}", "de": "Profil: {text}",
    },
    "declared_cpv": {
        "en": "works in {cpv}", "da": "arbejder inden for {cpv}", "sv": "verksam inom {cpv}",
        "de": "tätig im Bereich {cpv}",
    },
    "located": {
        "en": "based in {place}", "da": "har base i {place}", "sv": "finns i {place}", "de": "ansässig in {place}",
    },
    "size": {
        "en": "{size} company; similar contracts often go to {size} companies",
        "da": "{size} virksomhed; lignende kontrakter går ofte til {size} virksomheder",
        "sv": "{size} företag; liknande kontrakt går ofta till {size} företag",
        "de": "{size} Unternehmen; ähnliche Aufträge gehen oft an {size} Unternehmen",
    },
    "network": {
        "en": "member of {network}", "da": "medlem af {network}", "sv": "medlem i {network}",
        "de": "Mitglied in {network}",
    },
    "shared_network": {
        "en": "shares the network {network} with you", "da": "er med i samme netværk som jer: {network}",
        "sv": "är med i samma nätverk som ni: {network}", "de": "im selben Netzwerk wie Sie: {network}",
    },
    "bought_under": {
        "en": "bought under {cpv} {n} times, latest “{title}” ({year})",
        "da": "har købt under {cpv} {n} gange, senest “{title}” ({year})",
        "sv": "har köpt inom {cpv} {n} gånger, senast ”{title}” ({year})",
        "de": "hat {n}-mal unter {cpv} beschafft, zuletzt „{title}“ ({year})",
    },
    "bought_similar": {
        "en": "bought something similar: “{title}” ({year})",
        "da": "har købt noget lignende: “{title}” ({year})",
        "sv": "har köpt något liknande: ”{title}” ({year})",
        "de": "hat Ähnliches beschafft: „{title}“ ({year})",
    },
    "innovation": {
        "en": "ran an innovation procurement: “{title}” ({year})",
        "da": "har gennemført et innovativt indkøb: “{title}” ({year})",
        "sv": "har genomfört en innovationsupphandling: ”{title}” ({year})",
        "de": "hat eine Innovationsbeschaffung durchgeführt: „{title}“ ({year})",
    },
    "open_need": {
        "en": "has an open need: “{title}”", "da": "har et åbent behov: “{title}”",
        "sv": "har ett öppet behov: ”{title}”", "de": "hat einen offenen Bedarf: „{title}“",
    },
    "same_kind": {
        "en": "also a {sector} in {place}", "da": "også en {sector} i {place}", "sv": "också en {sector} i {place}",
        "de": "ebenfalls {sector} in {place}",
    },
    "contact": {
        "en": "contact: {contact}", "da": "kontakt: {contact}", "sv": "kontakt: {contact}", "de": "Kontakt: {contact}",
    },
}

_WORDS: dict[str, dict[str, str]] = {
    "micro": {"en": "micro", "da": "mikro", "sv": "mikro", "de": "Kleinst-"},
    "small": {"en": "small", "da": "lille", "sv": "litet", "de": "kleines"},
    "medium": {"en": "medium-sized", "da": "mellemstor", "sv": "medelstort", "de": "mittleres"},
    "large": {"en": "large", "da": "stor", "sv": "stort", "de": "großes"},
    "municipality": {"en": "municipality", "da": "kommune", "sv": "kommun", "de": "Kommune"},
    "region": {"en": "region", "da": "region", "sv": "region", "de": "Region"},
    "state": {"en": "state authority", "da": "statslig myndighed", "sv": "statlig myndighet", "de": "Bundesbehörde"},
    "other": {"en": "public body", "da": "offentlig organisation", "sv": "offentlig organisation",
              "de": "öffentliche Einrichtung"},
}


def say(key: str, language: str, **values: object) -> str:
    """Fill the reason template ``key`` in ``language`` (English when the language is not one of ours)."""
    entry = _TEMPLATES[key]
    cleaned = {k: ("" if v in (None, 0) else v) for k, v in values.items()}
    text = entry.get(language, entry["en"]).format(**cleaned)
    return _SPACES.sub(" ", _EMPTY_PARENS.sub("", text)).strip().rstrip(":,")


def word(key: str | None, language: str) -> str:
    """A size or sector word in ``language`` (the key itself when unknown)."""
    if not key:
        return ""
    entry = _WORDS.get(key)
    return entry.get(language, entry["en"]) if entry else key


def short(text: str, limit: int = 90) -> str:
    """Cut a text at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
