"""Rendering limits: a reply larger than one Teams message is spread over several cards, with nothing cut."""

from __future__ import annotations

from bot.assistant import Reply
from bot.handlers.teams.cards import CARD_BYTES, size_of
from bot.handlers.teams.render import render_reply
from bot.intent import Intent
from bot.types import Answer, Citation
from tests.teams.conftest import actions, texts


def test_a_long_answer_is_paged_over_several_cards_without_losing_text() -> None:
    quotes = [" ".join(f"Stk. {n}. Ordregiveren skal sikre ligebehandling i punkt {n}.{i}." for i in range(160))
              for n in range(1, 6)]
    citations = [Citation(n, f"corpus/knowledge/dk{n}.md", f"Titel {n}", f"§ {n}", quote, 0.9,
                          f"https://example.org/{n}", law="Udbudsloven") for n, quote in enumerate(quotes, start=1)]
    answer = Answer("q", "da", "", False, citations, "Dette er ikke juridisk rådgivning.")
    messages = render_reply(Reply(7, Intent.ASK, "da", "q", "q", answer=answer))
    assert len(messages) > 1
    assert all(size_of(m.card) <= CARD_BYTES + 2_000 for m in messages)
    assert [bool(m.card.get("actions")) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert [a["verb"] for a in actions(messages[-1].card)] == ["feedback_up", "feedback_down"]
    assert texts(messages[1].card).startswith(f"fortsat (2/{len(messages)})")
    shown = "".join(run["text"] for m in messages for block in _blocks(m.card) for run in block["inlines"])
    assert all(quote.replace(" ", "") in shown.replace(" ", "").replace("\n", "") for quote in quotes)


def _blocks(card: dict) -> list[dict]:
    found = []
    for element in card["body"]:
        found += element["items"] if element["type"] == "Container" else [element]
    return [block for block in found if block["type"] == "RichTextBlock"]


def test_a_foreign_provision_shows_the_abstract_in_the_askers_language() -> None:
    citation = Citation(1, "sfs-2016-1145.md", "Lag om offentlig upphandling", "6 kap. 15 §",
                        "En upphandlande myndighet får använda förhandlat förfarande …", 0.9, None, law="LOU",
                        language="sv", summary="The negotiated procedure may be used in cases of extreme urgency.")
    answer = Answer("q", "en", "", False, [citation], "This is not legal advice.")
    [message] = render_reply(Reply(7, Intent.ASK, "en", "q", "q", answer=answer))
    assert "In short (innobroker's translation): The negotiated procedure may be used" in texts(message.card)
