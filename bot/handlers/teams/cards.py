"""Adaptive Card primitives and the small cards: help, the need form, the "what was wrong" form, notices, errors.

Buttons are ``Action.Execute`` (Teams' universal actions) with an ``Action.Submit`` fallback carrying the same
data plus a ``verb``, so older clients post a message the bot handles the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.i18n import t

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_BYTES = 24_000  # Teams refuses messages over about 28 KB; leave room for the activity around the card
TEXT_CHARS = 6_000
COUNTRIES = (("DK", "Danmark"), ("SE", "Sverige"), ("DE", "Deutschland"), ("NO", "Norge"), ("FI", "Suomi"),
             ("NL", "Nederland"), ("AT", "Österreich"), ("IS", "Ísland"))
REASONS = ("wrong", "incomplete", "outdated", "other")

Element = dict[str, Any]
_CODE = re.compile(r"`([^`]*)`")


@dataclass(frozen=True)
class CardMessage:
    """One Teams message: a plain summary (notifications, streaming, screen readers) and an Adaptive Card."""

    summary: str
    card: dict[str, Any]


def run(value: str, *, bold: bool = False, subtle: bool = False, italic: bool = False, code: bool = False,
        url: str | None = None) -> Element:
    """A TextRun: shown literally (no markdown), so quotes, names and user text need no escaping."""
    element: Element = {"type": "TextRun", "text": value}
    if bold:
        element["weight"] = "Bolder"
    if subtle:
        element["isSubtle"] = True
    if italic:
        element["italic"] = True
    if code:
        element["fontType"] = "Monospace"
    if url:
        element["selectAction"] = {"type": "Action.OpenUrl", "url": url}
    return element


def coded(value: str, **style: Any) -> list[Element]:
    """Runs of one of our strings, whose backticks mark literal input: shown in a monospace font."""
    parts = _CODE.split(value)
    return [run(part, code=bool(i % 2), **style) for i, part in enumerate(parts) if part]


def rich(*runs: Element | list[Element], separator: bool = False) -> Element:
    """A RichTextBlock (it wraps) of runs; lists of runs are flattened."""
    inlines: list[Element] = []
    for item in runs:
        inlines.extend(element for element in (item if isinstance(item, list) else [item]) if element["text"])
    block: Element = {"type": "RichTextBlock", "inlines": inlines}
    if separator:
        block["separator"] = True
    return block


def heading(value: str) -> Element:
    """A section title."""
    return {"type": "TextBlock", "text": value, "wrap": True, "weight": "Bolder", "size": "Medium"}


def split_text(value: str, limit: int = TEXT_CHARS) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line, then word boundaries; nothing is dropped."""
    value = value.strip()
    if len(value) <= limit:
        return [value] if value else []
    cut = value.rfind("\n", 0, limit)
    if cut <= 0:
        cut = value.rfind(" ", 0, limit)
    if cut <= 0:
        cut = limit
    return [value[:cut].rstrip(), *split_text(value[cut:], limit)]


def execute(title: str, verb: str, data: dict[str, Any], style: str | None = None) -> Element:
    """An ``Action.Execute`` button with an ``Action.Submit`` fallback for clients without universal actions."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb, "data": data,
                       "fallback": {"type": "Action.Submit", "title": title, "data": {"verb": verb, **data}}}
    if style:
        action["style"] = style
        action["fallback"]["style"] = style
    return action


def card(body: list[Element], actions: list[Element] | None = None) -> dict[str, Any]:
    """An Adaptive Card Teams renders at full width."""
    content: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": CARD_VERSION, "body": body,
                               "msteams": {"width": "Full"}}
    if actions:
        content["actions"] = actions
    return content


def size_of(payload: Any) -> int:
    """Bytes a payload takes in the activity's JSON."""
    return len(json.dumps(payload, ensure_ascii=False).encode())


def attachment(content: dict[str, Any]) -> dict[str, Any]:
    """The activity attachment carrying a card."""
    return {"contentType": CARD_TYPE, "content": content}


def feedback_actions(turn_id: int, language: str) -> list[Element]:
    """👍/👎 on an answer or match card."""
    data = {"turn": turn_id}
    return [execute(t("helpful_button", language), "feedback_up", data),
            execute(t("unhelpful_button", language), "feedback_down", data)]


def need_form(language: str, country: str | None = None) -> CardMessage:
    """The "Describe a need" form: the need, a preferred country and an optional CPV code."""
    choices = [{"title": f"{name} ({code})", "value": code} for code, name in COUNTRIES]
    country_input: Element = {"type": "Input.ChoiceSet", "id": "country", "label": t("country_label", language),
                              "style": "compact", "choices": choices, "isRequired": False}
    if country:
        country_input["value"] = country
    body = [
        heading(t("need_title", language)),
        {"type": "Input.Text", "id": "need", "label": t("need_label", language), "isMultiline": True,
         "isRequired": True, "maxLength": 3000, "placeholder": t("need_placeholder", language),
         "errorMessage": t("teams_need_empty", language)},
        country_input,
        {"type": "Input.Text", "id": "cpv", "label": t("cpv_label", language), "maxLength": 12,
         "placeholder": t("cpv_hint", language)},
    ]
    actions = [execute(t("find_button", language), "need", {"language": language}, "positive")]
    return CardMessage(t("need_title", language), card(body, actions))


def feedback_form(language: str, turn_id: int) -> CardMessage:
    """The short "what was wrong" form posted after 👎."""
    choices = [{"title": t(f"reason_{reason}", language), "value": reason} for reason in REASONS]
    body = [
        heading(t("feedback_title", language)),
        {"type": "Input.ChoiceSet", "id": "reason", "label": t("feedback_reason", language), "style": "expanded",
         "choices": choices, "isRequired": False},
        {"type": "Input.Text", "id": "comment", "label": t("feedback_comment", language), "isMultiline": True,
         "maxLength": 2000},
    ]
    actions = [execute(t("submit", language), "feedback_details", {"turn": turn_id, "language": language})]
    return CardMessage(t("feedback_title", language), card(body, actions))


def help_message(language: str, greeting: bool = False) -> CardMessage:
    """What the bot can do, the commands, and the need form one click away (after a greeting on install)."""
    commands = (("ask …", "help_ask"), ("match …", "help_match"), ("peers …", "help_peers"),
                ("need", "teams_help_form"), ("profile", "help_profile"), ("challenge", "help_challenge"),
                ("push #channel …", "help_push"), ("brokers", "teams_help_brokers"))
    body = [rich(run(t("help_intro", language))),
            *[rich(run("• "), run(name, code=True), run(f" — {t(key, language)}")) for name, key in commands],
            rich(run(t("help_mention", language), subtle=True))]
    if greeting:
        body.insert(0, rich(run(t("assistant_greeting", language), bold=True)))
    show_form = {"type": "Action.ShowCard", "title": t("need_title", language), "card": need_form(language).card}
    return CardMessage(t("help_intro", language), card(body, [show_form]))


def notice(value: str) -> CardMessage:
    """A short plain notice."""
    return CardMessage(value, card([rich(run(value))]))


def error_message(language: str, reference: str) -> CardMessage:
    """What a user sees when something failed: never silence."""
    value = t("error", language).format(ref=reference)
    return CardMessage(value, card([rich(run(f"⚠️ {value}", bold=True))]))
