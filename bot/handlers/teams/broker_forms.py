"""Adaptive Card forms of the broker workflows: the member profile (with consent), the challenge to publish and the
optional "why not relevant". Their buttons are ``Action.Execute`` with the inputs merged into the action's data."""

from __future__ import annotations

from bot.handlers.teams.cards import COUNTRIES, CardMessage, Element, card, execute, heading, rich, run
from bot.i18n import t
from bot.workflows.outcomes import DISMISS_REASONS
from bot.workflows.types import Channel, MemberProfile

CURRENCIES = ("EUR", "DKK", "SEK", "NOK", "ISK")
LANGUAGE_NAMES = (("da", "Dansk"), ("sv", "Svenska"), ("de", "Deutsch"), ("en", "English"))


def dismiss_form(language: str, turn_id: int, kind: str, org: str) -> CardMessage:
    """The optional "why not relevant" form posted after "Not relevant"."""
    choices = [{"title": t(f"dismiss_{reason}", language), "value": reason} for reason in DISMISS_REASONS]
    body = [heading(t("dismiss_title", language)),
            {"type": "Input.ChoiceSet", "id": "reason", "label": t("dismiss_reason", language), "style": "expanded",
             "choices": choices, "isRequired": False},
            {"type": "Input.Text", "id": "comment", "label": t("feedback_comment", language), "isMultiline": True,
             "maxLength": 2000}]
    data = {"turn": turn_id, "kind": kind, "org": org, "language": language}
    return CardMessage(t("dismiss_title", language), card(body, [execute(t("submit", language), "dismiss_reason",
                                                                         data)]))


def _text_input(key: str, label: str, value: str = "", multiline: bool = False, limit: int = 300,
                required: bool = False, hint: str | None = None) -> Element:
    element: Element = {"type": "Input.Text", "id": key, "label": label, "isMultiline": multiline,
                        "maxLength": limit, "isRequired": required}
    if value:
        element["value"] = value
    if hint:
        element["placeholder"] = hint
    return element


def _choices(key: str, label: str, options: list[tuple[str, str]], value: str | None) -> Element:
    element: Element = {"type": "Input.ChoiceSet", "id": key, "label": label, "style": "compact",
                        "isRequired": False, "choices": [{"title": title, "value": code} for code, title in options]}
    if value:
        element["value"] = value
    return element


def profile_form(language: str, member: MemberProfile, organisation: str | None) -> CardMessage:
    """The profile form: organisation, country, language, interests, current needs and consent to be contacted."""
    body = [heading(t("profile_title", language)),
            _text_input("organisation", t("profile_org", language), organisation or "", limit=200),
            _choices("country", t("profile_country", language), [(c, f"{n} ({c})") for c, n in COUNTRIES],
                     member.country),
            _choices("language", t("profile_language", language), list(LANGUAGE_NAMES), member.language),
            _text_input("interests", t("profile_interests", language), member.interests, True, 3000,
                        hint=t("profile_interests_hint", language)),
            _text_input("needs", t("profile_needs", language), member.needs, True, 3000,
                        hint=t("profile_needs_hint", language)),
            {"type": "Input.Toggle", "id": "consent", "label": t("profile_consent", language),
             "title": t("profile_consent_option", language), "value": "true" if member.consent else "false",
             "valueOn": "true", "valueOff": "false"},
            rich(run(t("profile_consent_hint", language), subtle=True))]
    actions = [execute(t("save", language), "profile_save", {"language": language}, "positive")]
    if member.consent:
        body.append(rich(run(t("teams_consent_current", language), subtle=True)))
        actions.append(execute(t("teams_consent_withdraw", language), "profile_consent",
                               {"language": language, "consent": False}))
    return CardMessage(t("profile_title", language), card(body, actions))


def challenge_form(language: str, targets: list[Channel], default: str | None) -> CardMessage:
    """The "publish a challenge" form: title, need, timeline, budget range, currency, CPV codes, target channel."""
    body = [heading(t("ch_modal_title", language)),
            _text_input("title", t("ch_title", language), required=True),
            _text_input("need", t("ch_need", language), multiline=True, limit=3000, required=True),
            _text_input("timeline", t("ch_timeline", language), hint=t("ch_timeline_hint", language)),
            {"type": "ColumnSet", "columns": [
                {"type": "Column", "width": "stretch", "items": [
                    _text_input("budget_min", t("ch_budget_min", language), limit=30)]},
                {"type": "Column", "width": "stretch", "items": [
                    _text_input("budget_max", t("ch_budget_max", language), limit=30)]},
                {"type": "Column", "width": "auto", "items": [
                    _choices("currency", t("ch_currency", language), [(c, c) for c in CURRENCIES], "EUR")]}]},
            _text_input("cpv", t("ch_cpv", language), limit=200, hint=t("ch_cpv_hint", language)),
            {**_choices("channel", t("ch_channel", language), [(c.id, c.name or c.id) for c in targets], default),
             "isRequired": True, "errorMessage": t("ch_err_channel", language)}]
    actions = [execute(t("ch_publish", language), "challenge_publish", {"language": language}, "positive")]
    return CardMessage(t("ch_modal_title", language), card(body, actions))
