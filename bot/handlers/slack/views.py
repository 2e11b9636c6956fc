"""Modals (need, feedback, profile) and the App Home tab."""

from __future__ import annotations

import json
from typing import Any

from bot.conversations import Profile, Turn
from bot.handlers.slack.blocks import Block, actions, button, context, divider, escape, header, plain, sections
from bot.i18n import t
from bot.workflows.types import MemberProfile

TITLE_CHARS = 24
LABEL_CHARS = 2000
PREVIEW_CHARS = 140
COUNTRIES = (("DK", "Danmark"), ("SE", "Sverige"), ("DE", "Deutschland"), ("NO", "Norge"), ("FI", "Suomi"),
             ("NL", "Nederland"), ("AT", "Österreich"), ("IS", "Ísland"))
LANGUAGE_NAMES = (("da", "Dansk"), ("sv", "Svenska"), ("de", "Deutsch"), ("en", "English"))
REASONS = ("wrong", "incomplete", "outdated", "other")


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value}


def _select(action_id: str, choices: tuple[tuple[str, str], ...], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id,
                               "options": [_option(code, f"{name} ({code})") for code, name in choices]}
    chosen = [(code, name) for code, name in choices if code == initial]
    if chosen:
        element["initial_option"] = _option(chosen[0][0], f"{chosen[0][1]} ({chosen[0][0]})")
    return element


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False,
           hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label, LABEL_CHARS), "element": element,
                    "optional": optional}
    if hint:
        block["hint"] = plain(hint, LABEL_CHARS)
    return block


def _modal(callback_id: str, title: str, submit: str, language: str, blocks: list[Block],
           metadata: dict[str, Any]) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback_id, "title": plain(title, TITLE_CHARS),
            "submit": plain(submit, TITLE_CHARS), "close": plain(t("cancel", language), TITLE_CHARS),
            "private_metadata": json.dumps(metadata), "blocks": blocks}


def need_modal(language: str, profile: Profile) -> dict[str, Any]:
    """The "Describe a need" modal: need, preferred country, optional CPV code, where to post the result."""
    need = {"type": "plain_text_input", "action_id": "need", "multiline": True, "min_length": 3, "max_length": 3000,
            "placeholder": plain(t("need_placeholder", language), 150)}
    blocks = [
        _input("need", t("need_label", language), need),
        _input("country", t("country_label", language), _select("country", COUNTRIES, profile.country), True),
        _input("cpv", t("cpv_label", language), {"type": "plain_text_input", "action_id": "cpv", "max_length": 12},
               True, t("cpv_hint", language)),
        _input("destination", t("destination_label", language),
               {"type": "conversations_select", "action_id": "destination",
                "filter": {"include": ["public", "private"], "exclude_bot_users": True}},
               True, t("destination_hint", language)),
    ]
    return _modal("need_modal", t("need_title", language), t("find_button", language), language, blocks,
                  {"language": language})


def feedback_modal(language: str, turn_id: int) -> dict[str, Any]:
    """The short "what was wrong" modal opened by 👎."""
    options = [_option(reason, t(f"reason_{reason}", language)) for reason in REASONS]
    blocks = [
        _input("reason", t("feedback_reason", language),
               {"type": "radio_buttons", "action_id": "reason", "options": options}, True),
        _input("comment", t("feedback_comment", language),
               {"type": "plain_text_input", "action_id": "comment", "multiline": True, "max_length": 2000}, True),
    ]
    return _modal("feedback_modal", t("feedback_title", language), t("submit", language), language, blocks,
                  {"turn": turn_id, "language": language})


def profile_modal(language: str, profile: Profile, from_home: bool, organisation_label: str | None,
                  member: MemberProfile | None = None) -> dict[str, Any]:
    """Edit organisation (searched in the directory as the user types), country and language; with ``member``
    also the organisation's interests, current needs and consent to be contacted (bot.workflows)."""
    organisation: dict[str, Any] = {"type": "external_select", "action_id": "organisation", "min_query_length": 1,
                                    "placeholder": plain(t("profile_org_placeholder", language), 150)}
    if profile.organisation:
        organisation["initial_option"] = _option(profile.organisation, organisation_label or profile.organisation)
    blocks = [
        _input("organisation", t("profile_org", language), organisation, True),
        _input("country", t("profile_country", language), _select("country", COUNTRIES, profile.country), True),
        _input("language", t("profile_language", language),
               _select("language", LANGUAGE_NAMES, profile.language), True),
    ]
    if member is not None:
        blocks += _member_inputs(language, member)
    return _modal("profile_modal", t("profile_title", language), t("save", language), language, blocks,
                  {"language": language, "home": from_home})


def _member_inputs(language: str, member: MemberProfile) -> list[Block]:
    def text(action_id: str, value: str) -> dict[str, Any]:
        element = {"type": "plain_text_input", "action_id": action_id, "multiline": True, "max_length": 3000}
        return {**element, "initial_value": value} if value else element

    consent = _option("consent", t("profile_consent_option", language))
    checkbox: dict[str, Any] = {"type": "checkboxes", "action_id": "consent", "options": [consent]}
    if member.consent:
        checkbox["initial_options"] = [consent]
    return [
        _input("interests", t("profile_interests", language), text("interests", member.interests), True,
               t("profile_interests_hint", language)),
        _input("needs", t("profile_needs", language), text("needs", member.needs), True,
               t("profile_needs_hint", language)),
        _input("consent", t("profile_consent", language), checkbox, True, t("profile_consent_hint", language)),
    ]


def notice_modal(language: str, title: str, text: str) -> dict[str, Any]:
    """A closing confirmation shown in place of a submitted modal."""
    return {"type": "modal", "title": plain(title, TITLE_CHARS), "close": plain(t("close", language), TITLE_CHARS),
            "blocks": sections(escape(text))}


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return escape(flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…")


def _turn_line(turn: Turn, language: str) -> str:
    result = turn.result
    if result.get("problem"):
        outcome = "⚠️"
    elif "citations" in result:
        labels = [c.get("label", "") for c in result["citations"][:2]]
        outcome = ", ".join(labels) if labels and not result.get("abstained") else t("home_abstained", language)
    else:
        names = [s["name"] for s in (result.get("suppliers") or result.get("peers") or [])[:3]]
        outcome = ", ".join(names) or t("home_no_results", language)
    return f"• {_preview(turn.text)} → {escape(outcome)}  _({turn.created_at:%Y-%m-%d})_"


def home_view(language: str, profile: Profile, questions: list[Turn], matches: list[Turn], command: str,
              organisation_label: str | None) -> dict[str, Any]:
    """The App Home: capabilities, quick actions, the user's profile and recent questions and matches."""
    keys = ("help_ask", "help_match", "help_peers", "help_mention")
    capabilities = "\n".join(f"• {t(key, language)}" for key in keys)
    unset = t("home_not_set", language)
    languages = dict(LANGUAGE_NAMES)
    profile_text = "\n".join([
        f"*{t('profile_org', language)}:* {escape(organisation_label or unset)}",
        f"*{t('profile_country', language)}:* {escape(profile.country or unset)}",
        f"*{t('profile_language', language)}:* {languages.get(profile.language or '', unset)}",
    ])
    blocks: list[Block] = [
        *header("innobroker"), *sections(escape(t("help_intro", language))), *sections(capabilities),
        *context(f"`{command} help`"),
        actions(button(t("need_title", language), "open_need_modal", "home", "primary"),
                button(t("edit_profile", language), "edit_profile", "home")),
        divider(), *header(t("home_profile", language)), *sections(profile_text),
    ]
    for title, turns in (("home_recent_questions", questions), ("home_recent_matches", matches)):
        blocks += [divider(), *header(t(title, language))]
        lines = [_turn_line(turn, language) for turn in turns]
        blocks += sections("\n".join(lines)) if lines else context(t("home_none", language))
    return {"type": "home", "blocks": blocks}


def organisation_options(found: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Options for the organisation picker (values stay within Slack's 150 characters)."""
    return [_option(org_id, label) for org_id, label in found if len(org_id) <= 150]
