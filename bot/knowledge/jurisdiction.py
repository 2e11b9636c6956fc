"""Which legal order a question is about, from the words it uses, in any of our four languages.

"Hur många år får ett ramavtal gälla i Danmark?" is a Swedish question about Danish law. Dense
multilingual embeddings find the topic but not the country, so the retriever uses these cues to
prefer provisions of the named jurisdiction; without a cue it assumes the asker's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Word stems (matched at a word start) that name a country, its people or its procurement acts.
_CUES: dict[str, tuple[str, ...]] = {
    "DK": ("danmark", "dansk", "danish", "denmark", "dänemark", "dänisch", "udbudslov", "tilbudslov",
           "retsinformation", "konkurrence- og forbrugerstyrelsen", "kfst"),
    "SE": ("sverige", "svensk", "swedish", "sweden", "schwed", "lagen om offentlig upphandling",
           "upphandlingsmyndigheten", "konkurrensverket", "sfs 2016"),
    "DE": ("tysk", "german", "deutsch", "gwb", "vgv", "uvgo", "vob", "sektvo", "konzvgv", "bundes",
           "wettbewerbsbeschränkungen"),
    "EU": ("direktiv", "directive", "richtlinie", "2014/24", "2014/25", "2014/23", "eu-domstol", "eu-gerichtshof",
           "court of justice", "eu:s upphandlingsdirektiv", "eu-rett", "eu-recht", "eu law", "eu-rätt"),
}
_PATTERNS = {code: re.compile(r"(?<![\w])(?:" + "|".join(re.escape(c) for c in cues) + r")", re.IGNORECASE)
             for code, cues in _CUES.items()}
# Word endings that name the EU directives inside Danish, Swedish and German compounds ("udbudsdirektivet",
# "upphandlingsdirektivet", "EU-Vergaberichtlinie").
_COMPOUND_EU = re.compile(r"\w(?:direktiv|richtlinie)", re.IGNORECASE)
# Acronyms count in upper case only ("lou" is an ordinary word elsewhere).
_ACRONYMS = {"SE": re.compile(r"(?<![\w])(?:LOU|LUF|LUK)(?![\w])")}
HOME_JURISDICTION = {"da": "DK", "sv": "SE", "de": "DE", "en": "EU"}


@dataclass(frozen=True)
class JurisdictionGuess:
    """Jurisdictions a question names (``explicit``) or, failing that, the asker's home one."""

    codes: tuple[str, ...]
    explicit: bool


def infer_jurisdictions(text: str, language: str) -> JurisdictionGuess:
    """Jurisdictions named in ``text``; the language's home jurisdiction when none is named."""
    found = []
    for code, pattern in _PATTERNS.items():
        acronyms = _ACRONYMS.get(code)
        compound = code == "EU" and _COMPOUND_EU.search(text)
        if pattern.search(text) or (acronyms and acronyms.search(text)) or compound:
            found.append(code)
    if found:
        return JurisdictionGuess(tuple(found), True)
    return JurisdictionGuess((HOME_JURISDICTION.get(language, "EU"),), False)

