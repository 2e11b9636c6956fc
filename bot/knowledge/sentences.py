"""Sentences and ``[n]`` citation markers of generated text, split incrementally as a stream arrives.

A sentence ends at ``.``/``!``/``?`` (plus any citation markers right after it, which belong to it) followed by
space and a character that is not lower case, or at a line break. A boundary counts only once the next sentence's
first character has arrived, so splitting a stream piece by piece gives exactly the sentences of the whole text,
and concatenating the pieces gives the text back unchanged.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_CITES = r"(?:[ \t]*\[\d+(?:\s*[,;]\s*\d+)*\])*"
_BOUNDARY = re.compile(
    rf"[.!?…][\"”’)*_]*{_CITES}(?:[ \t]*\n\s*|[ \t]+)(?=[^\s\[a-zæøåäöüßéè])"
    r"|\n\s*(?=[^\s\[])"
)
# Abbreviations that end in a full stop inside a sentence (da, sv, de, en), lower-cased, without the stop.
ABBREVIATIONS = frozenset(
    "stk nr abs art kap pkt jf jfr bl f eks evt ca mio mia dvs d v z b u a s vgl bzw ggf inkl ekskl sog lit "
    "e g i e etc no vs cf resp ff dir".split()
)


def citations(text: str) -> list[int]:
    """Every cited source number, in order of appearance (``[1]``, ``[1][3]``, ``[1, 2]``)."""
    return [int(n) for group in _MARKER.findall(text) for n in re.split(r"\s*[,;]\s*", group)]


def strip_citations(text: str) -> str:
    """The text without its citation markers."""
    return re.sub(r"\s+([.!?,;:])", r"\1", _MARKER.sub("", text)).strip()


def render_citations(text: str, render: dict[int, str]) -> str:
    """Replace each marker by one rendered form per cited number (``render[n]``; unknown numbers stay ``[n]``)."""
    def one(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1))]
        return "".join(render.get(n, f"[{n}]") for n in numbers)
    return _MARKER.sub(one, text)


def _ends_in_abbreviation(piece: str) -> bool:
    match = re.search(r"(\w+)[.]\W*$", piece.rstrip())
    return bool(match) and match is not None and match.group(1).lower() in ABBREVIATIONS


class SentenceSplitter:
    """Feed text as it streams in; get back whole sentences (each with its trailing whitespace)."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[str]:
        """Add streamed text; return the sentences it completed."""
        self._buffer += text
        done: list[str] = []
        start = 0
        for match in _BOUNDARY.finditer(self._buffer):
            if match.end() <= start:
                continue
            head = self._buffer[start:match.end()]
            if match.group(0)[0] in ".!?…" and _ends_in_abbreviation(self._buffer[start:match.start() + 1]):
                continue
            done.append(head)
            start = match.end()
        self._buffer = self._buffer[start:]
        return done

    def flush(self) -> list[str]:
        """The rest of the text once the stream ended."""
        rest, self._buffer = self._buffer, ""
        return [rest] if rest.strip() else []


def split_sentences(text: str) -> list[str]:
    """All sentences of a whole text, exactly as a stream of it would be split."""
    splitter = SentenceSplitter()
    return splitter.feed(text) + splitter.flush()
