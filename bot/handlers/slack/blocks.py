"""Block Kit primitives that respect Slack's limits: long text is split, never cut; long replies are paged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.i18n import t

SECTION_CHARS = 3000
CONTEXT_CHARS = 2000
CONTEXT_ELEMENTS = 10
MESSAGE_BLOCKS = 50
HEADER_CHARS = 150
BUTTON_CHARS = 75
FALLBACK_CHARS = 3000

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """One Slack message: notification text plus at most 50 blocks."""

    text: str
    blocks: list[Block]


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link whose URL cannot break out of the ``<url|label>`` syntax."""
    safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"<{safe}|{escape(label)}>"


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?;:])\s+"), re.compile(r"\s+"))


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at paragraph, line, sentence, then word boundaries."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    for pattern in _BREAKS:
        cut = max((m.start() for m in pattern.finditer(text, 0, limit + 1) if 0 < m.start() <= limit), default=0)
        if cut:
            return [text[:cut].rstrip(), *split_text(text[cut:], limit)]
    return [text[:limit], *split_text(text[limit:], limit)]


def sections(text: str) -> list[Block]:
    """One or more mrkdwn sections holding all of ``text``."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in split_text(text)]


def context(*texts: str) -> list[Block]:
    """Context blocks with mrkdwn elements (at most ten per block), splitting long elements."""
    elements = [{"type": "mrkdwn", "text": piece} for text in texts for piece in split_text(text, CONTEXT_CHARS)]
    return [{"type": "context", "elements": elements[i:i + CONTEXT_ELEMENTS]}
            for i in range(0, len(elements), CONTEXT_ELEMENTS)]


def header(text: str) -> list[Block]:
    """A header block, or bold sections when the text is longer than a header may be."""
    if len(text) <= HEADER_CHARS:
        return [{"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}]
    return sections(f"*{escape(text)}*")


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button; labels come from our own strings, so an over-long one is a programming error."""
    if len(text) > BUTTON_CHARS:
        raise ValueError(f"button label longer than {BUTTON_CHARS} characters: {text!r}")
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": text, "emoji": True},
                      "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def actions(*elements: Block) -> Block:
    """An actions block."""
    return {"type": "actions", "elements": list(elements)}


def divider() -> Block:
    """A divider block."""
    return {"type": "divider"}


def fallback(text: str) -> str:
    """Notification text: plain, and short enough for every client."""
    return text if len(text) <= FALLBACK_CHARS else split_text(text, FALLBACK_CHARS - 1)[0] + "…"


def paginate(blocks: list[Block], text: str, language: str, limit: int = MESSAGE_BLOCKS) -> list[Message]:
    """Split blocks into messages of at most ``limit`` blocks; later pages say which part they are."""
    if len(blocks) <= limit:
        return [Message(fallback(text), blocks)]
    first, rest = blocks[: limit], blocks[limit:]
    pages = [first] + [rest[i:i + limit - 1] for i in range(0, len(rest), limit - 1)]
    messages = []
    for number, page in enumerate(pages, start=1):
        note = t("continued", language).format(page=number, pages=len(pages))
        body = page if number == 1 else [*context(f"_{note}_"), *page]
        messages.append(Message(fallback(text if number == 1 else f"{text} ({note})"), body))
    return messages


def feedback_buttons(turn_id: int, language: str) -> Block:
    """👍/👎 buttons carrying the turn they judge."""
    return actions(button(t("helpful_button", language), "feedback_up", str(turn_id)),
                   button(t("unhelpful_button", language), "feedback_down", str(turn_id)))


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object for view fields with a hard length limit (titles, labels): cut with an ellipsis."""
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…", "emoji": True}
