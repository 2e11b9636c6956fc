"""What a chat message asks for: a rule question, a need to match with suppliers, a peer search, or help.

Rule-based over da/sv/de/en phrasing; an explicit prefix (``match: …``, ``peers: …``, ``ask: …``) always wins.
Messages with no evidence default to a rule question, the most common request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    """The kinds of request the assistant serves."""

    ASK = "ask"
    MATCH = "match"
    PEERS = "peers"
    HELP = "help"


@dataclass(frozen=True)
class Understanding:
    """The detected intent, the text without any prefix, and whether the evidence was explicit or strong."""

    intent: Intent
    text: str
    confident: bool


_PREFIXES: dict[str, Intent] = {
    **dict.fromkeys(("ask", "question", "rule", "spørg", "spørgsmål", "fråga", "frage", "regel"), Intent.ASK),
    **dict.fromkeys(("match", "need", "suppliers", "behov", "bedarf", "leverandører", "leverantörer", "anbieter"),
                    Intent.MATCH),
    **dict.fromkeys(("peers", "peer", "buyers", "kolleger", "kollegor", "kollegen", "köpare", "käufer"), Intent.PEERS),
}
_PREFIX = re.compile(r"^\s*([a-zæøåäöüß]+)\s*:\s*", re.IGNORECASE)
_HELP = frozenset({"help", "hjælp", "hjälp", "hilfe", "?", "hej", "hi", "hello", "hallo", "hejsan"})

_PATTERNS: dict[Intent, list[re.Pattern[str]]] = {
    Intent.PEERS: [re.compile(p) for p in (
        r"\bwho (else )?(has|have) (already )?(bought|procured|purchased|tendered)\b",
        r"\bwhich (other )?(municipalit(y|ies)|regions?|buyers?|cities|authorities|councils)\b",
        r"\bother (buyers|municipalities|regions|cities|authorities)\b",
        r"\bhvem (ellers |andre )?har (allerede )?(købt|udbudt|indkøbt|anskaffet)\b",
        r"\bhvilke (andre )?(kommuner|regioner|ordregivere|myndigheder)\b",
        r"\bandre (kommuner|regioner|ordregivere|myndigheder)\b",
        r"\bvem (mer |annars )?har (redan )?(köpt|upphandlat|anskaffat)\b",
        r"\bvilka (andra )?(kommuner|regioner|myndigheter|upphandlande)\b",
        r"\bandra (kommuner|regioner|myndigheter)\b",
        r"\bwer hat (schon |bereits )?.{0,60}\b(beschafft|gekauft|ausgeschrieben|eingekauft)\b",
        r"\bwelche (anderen )?(kommunen|städte|regionen|auftraggeber|behörden)\b",
        r"\bandere (kommunen|städte|regionen|auftraggeber|behörden)\b",
    )],
    Intent.MATCH: [re.compile(p) for p in (
        r"\bwe (need|are looking for|are seeking|want to buy|seek|look for)\b",
        r"\b(find|suggest|recommend|match)( me| us)? (a |an |some )?(suppliers?|vendors?|providers?|compan(y|ies))\b",
        r"\bwho (can|could) (supply|deliver|provide|offer)\b",
        r"\b(suppliers?|vendors?|providers?) (for|of|that|who)\b",
        r"\bvi (søger|mangler|har brug for|skal bruge|vil købe|leder efter|efterspørger)\b",
        r"\bleverandør(er)? (til|af|som|der)\b",
        r"\bhvem kan levere\b",
        r"\bvi (söker|behöver|letar efter|vill köpa|saknar|efterfrågar)\b",
        r"\bleverantör(er)? (till|av|som)\b",
        r"\bvem kan leverera\b",
        r"\bwir (suchen|brauchen|benötigen|möchten|wollen)\b",
        r"\b(anbieter|lieferanten?|hersteller|dienstleister) (für|von|die|der)\b",
        r"\bwer (kann|könnte) .{0,60}\bliefern\b",
    )],
    Intent.ASK: [re.compile(p) for p in (
        r"\b(may|can|must|should|are|do) (we|i|a contracting authority|the buyer)\b",
        r"\b(rules?|law|legal|allowed|threshold|directive|article|deadline|time limit|procedure|exemption)s?\b",
        r"\b(how (long|many|much|often|do|does|should)|hvor (længe|mange|meget|tit)|hur (länge|många|mycket|ofta)|"
        r"wie (lange|viele|viel|oft))\b",
        r"\b(framework agreements?|rammeaftaler?|ramavtal|rahmenvereinbarung|innovation partnership|"
        r"innovationspartnerskab|innovationspartnerskap|innovationspartnerschaft|market dialogue|markedsdialog|"
        r"marknadsdialog|markterkundung)",
        r"\b(må|kan|skal|bør) (vi|man|jeg|en ordregiver|ordregiveren)\b",
        r"\b(regler|reglerne|lov|loven|udbudsloven|tærskelværdi|frist|procedure|lovligt|tilladt|paragraf|direktiv)",
        r"\b(får|kan|måste|ska|bör) (vi|man|jag|en upphandlande|myndigheten)\b",
        r"\b(regler|reglerna|lou|lag|lagen|tröskelvärde|frist|förfarande|tillåtet|direktiv)",
        r"\b(dürfen|können|müssen|sollen) (wir|ich|auftraggeber)\b",
        r"\b(vorschrift|gwb|vgv|uvgo|schwellenwert|frist|verfahren|zulässig|erlaubt|richtlinie|gesetz|paragraph)",
        r"§",
    )],
}

_FOLLOWUP = re.compile(
    r"^\s*(and|what about|how about|also|then|og|hvad med|hvad så med|også|men|och|hur är det med|"
    r"än|också|und|was ist mit|wie ist es mit|auch|aber)\b", re.IGNORECASE,
)
FOLLOWUP_WORDS = 8


def detect_intent(text: str) -> Understanding:
    """Classify a message; a known prefix before a colon forces the intent."""
    stripped = text.strip()
    prefix = _PREFIX.match(stripped)
    if prefix and prefix.group(1).lower() in _PREFIXES:
        return Understanding(_PREFIXES[prefix.group(1).lower()], stripped[prefix.end():].strip(), True)
    lowered = stripped.lower()
    if lowered.rstrip("!.") in _HELP or not lowered:
        return Understanding(Intent.HELP, stripped, True)
    scores = {intent: sum(1 for p in patterns if p.search(lowered)) for intent, patterns in _PATTERNS.items()}
    if scores[Intent.PEERS] and scores[Intent.PEERS] >= scores[Intent.MATCH]:
        return Understanding(Intent.PEERS, stripped, True)
    if scores[Intent.MATCH] > scores[Intent.ASK]:
        return Understanding(Intent.MATCH, stripped, True)
    return Understanding(Intent.ASK, stripped, scores[Intent.ASK] > 0)


_REFERENCE = re.compile(
    r"\b(this|that|it|them|those|these|same|det|den|dette|disse|dem|samme|detta|dessa|denna|samma|"
    r"das|dies|diese|dieser|es|dasselbe|derselbe)\b", re.IGNORECASE,
)


def is_followup(text: str, confident: bool, threaded: bool) -> bool:
    """Continues the previous request: opens like "and …"/"hvad med …", or is short and threaded, referring or vague."""
    if _FOLLOWUP.match(text):
        return True
    short = len(text.split()) <= FOLLOWUP_WORDS
    return short and (threaded or not confident or bool(_REFERENCE.search(text)))
