"""Intent detection in da/sv/de/en and follow-up recognition."""

from __future__ import annotations

import pytest

from bot.intent import Intent, detect_intent, is_followup


@pytest.mark.parametrize(("text", "intent"), [
    ("Må vi tale med leverandørerne, inden vi sender opgaven i udbud?", Intent.ASK),
    ("Hur länge får ett ramavtal gälla?", Intent.ASK),
    ("Dürfen wir vor der Ausschreibung mit Bietern sprechen?", Intent.ASK),
    ("What is the EU threshold for supplies?", Intent.ASK),
    ("Vi søger en leverandør af sensorer til affaldsbeholdere", Intent.MATCH),
    ("Vi behöver ett system för digital vårdplanering", Intent.MATCH),
    ("Wir suchen Anbieter für E-Bikes in der Pflege", Intent.MATCH),
    ("We are looking for suppliers of indoor climate sensors", Intent.MATCH),
    ("Hvilke kommuner har købt elcykler?", Intent.PEERS),
    ("Vem har upphandlat sensorer för avfallskärl?", Intent.PEERS),
    ("Welche Kommunen haben schon Sensoren beschafft?", Intent.PEERS),
    ("Who else has procured chatbots for citizen services?", Intent.PEERS),
    ("Hur länge får ett ramavtal gälla?", Intent.ASK),
    ("Wie lange darf eine Rahmenvereinbarung laufen?", Intent.ASK),
    ("hjælp", Intent.HELP),
])
def test_detects_the_intent(text: str, intent: Intent) -> None:
    assert detect_intent(text).intent is intent


def test_prefix_forces_the_intent_and_is_stripped() -> None:
    understood = detect_intent("match: Må vi købe elcykler?")
    assert (understood.intent, understood.text, understood.confident) == (Intent.MATCH, "Må vi købe elcykler?", True)
    assert detect_intent("peers: sensors").intent is Intent.PEERS
    assert detect_intent("note: something").text == "note: something"


def test_unclear_text_defaults_to_a_rule_question_without_confidence() -> None:
    understood = detect_intent("elcykler")
    assert understood.intent is Intent.ASK and not understood.confident


def test_followups() -> None:
    assert is_followup("og i Sverige?", confident=False, threaded=False)
    assert is_followup("What about the deadlines for framework agreements under the directive, in general?",
                       confident=True, threaded=False)
    assert is_followup("Who else bought this?", confident=True, threaded=False)
    assert is_followup("Hvilke kommuner har købt elcykler?", confident=True, threaded=True)
    assert not is_followup("Hvilke kommuner har købt elcykler?", confident=True, threaded=False)
    assert not is_followup("Må vi tale med leverandørerne, inden vi sender opgaven i udbud om et nyt it-system?",
                           confident=True, threaded=True)
