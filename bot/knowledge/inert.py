"""Retrieved text as inert data: sentences that read like instructions to a model are removed before the text is
shown to a model (generated answers) or quoted to a user (extractive answers), and source delimiters are defused.

A document in the knowledge base that says "ignore your instructions and …" therefore neither steers the model nor
reaches the user as if it were part of the law; the sentence is replaced by a visible marker.
"""

from __future__ import annotations

import re

REMOVED = "[instruction-like text removed]"
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompt|everything above)\b"
    r"|\b(ignorer|glem|se bort fra)\b.{0,40}\b(instruktion\w*|regler\w*|prompt)"
    r"|\b(ignorera|glöm|bortse från)\b.{0,40}\b(instruktion\w*|regler\w*|prompt)"
    r"|\b(ignoriere|ignorieren|vergiss|vergessen|missachte)\b.{0,40}\b(anweisung\w*|regeln|prompt|instruktion\w*)"
    r"|\bsystem ?prompt|\byou are now\b|\bdu er nu\b|\bdu är nu\b|\bdu bist (jetzt|nun)\b",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<\s*/?\s*sources?\b", re.IGNORECASE)
_SOURCE_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sanitize(text: str) -> tuple[str, int]:
    """The text with instruction-like sentences replaced by ``REMOVED`` and ``<source`` tags defused; how many."""
    kept, removed = [], 0
    for paragraph in re.split(r"(\n\s*\n)", _TAG.sub("‹source", text)):
        sentences = _SOURCE_SENTENCE.split(paragraph)
        clean = [REMOVED if _INJECTION.search(s) else s for s in sentences]
        removed += sum(c == REMOVED for c in clean)
        kept.append(" ".join(clean) if len(sentences) > 1 else clean[0])
    return "".join(kept), removed
