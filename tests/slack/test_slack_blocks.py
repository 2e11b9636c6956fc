"""Block Kit limits: long text is split (never cut), long replies paged; Slack markup is cleaned."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.assistant import Reply
from bot.handlers.slack.blocks import MESSAGE_BLOCKS, SECTION_CHARS, escape, link, paginate, sections, split_text
from bot.handlers.slack.delivery import clean_text
from bot.handlers.slack.render import render_reply
from bot.intent import Intent
from bot.matching.types import MatchResult, Suggestion
from bot.types import Answer, Citation


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .\n§æ"), max_size=9000), st.integers(min_value=5, max_value=400))
def test_split_text_keeps_every_word_and_respects_the_limit(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_long_answer_is_split_into_sections_and_pages() -> None:
    quote = "En ordregiver må gerne tale med leverandører. " * 90
    citations = [Citation(n, "dk.md", "Markedsdialog", f"§ {n}", quote, 0.9, f"https://example.dk/{n}", "Udbudsloven")
                 for n in range(1, 21)]
    answer = Answer("q", "da", "…", False, citations, "Dette er ikke juridisk rådgivning.")
    messages = render_reply(Reply(7, Intent.ASK, "da", "q", "q", answer=answer), "/innobroker")
    assert len(messages) > 1
    blocks = [b for m in messages for b in m.blocks]
    assert all(len(m.blocks) <= MESSAGE_BLOCKS for m in messages)
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in blocks if b["type"] == "section")
    shown = "".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert shown.count("leverandører") == 20 * 90
    assert "fortsat (2/" in messages[1].blocks[0]["elements"][0]["text"]
    assert messages[-1].blocks[-1]["elements"][0]["action_id"] == "feedback_up"


def test_thirty_suppliers_are_paged_with_their_buttons() -> None:
    suppliers = [Suggestion(f"s{i}", f"Supplier <{i}> & Co", 0.5, ["won a similar contract"], "DK") for i in range(30)]
    result = MatchResult("need", "en", [], suppliers, [])
    messages = render_reply(Reply(3, Intent.MATCH, "en", "need", "need", match=result), "/innobroker")
    blocks = [b for m in messages for b in m.blocks]
    assert all(len(m.blocks) <= MESSAGE_BLOCKS for m in messages)
    values = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]
              if e["action_id"] == "intro_request"]
    assert values == [f"3|supplier|s{i}" for i in range(30)]
    assert "Supplier &lt;0&gt; &amp; Co" in blocks[3]["text"]["text"]


def test_escaping_and_links() -> None:
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert link("https://x.dk/a|b c", "§ 1 <x>") == "<https://x.dk/a%7Cb%20c|§ 1 &lt;x&gt;>"
    assert sections("") == []


def test_slack_markup_becomes_plain_words() -> None:
    raw = "<@UBOT> hvad siger <https://retsinformation.dk/x|udbudsloven> om <#C1|indkøb> &amp; <@U2>? <!here>"
    assert clean_text(raw, "UBOT") == "hvad siger udbudsloven om #indkøb & @U2? @here"


def test_pages_stay_whole_when_they_fit() -> None:
    blocks = sections("short")
    assert paginate(blocks, "short", "en") == paginate(blocks, "short", "en")
    assert len(paginate(blocks * 50, "t", "en")) == 1 and len(paginate(blocks * 51, "t", "en")) == 2


def test_a_foreign_provision_shows_the_abstract_in_the_askers_language() -> None:
    citation = Citation(1, "sfs-2016-1145.md", "Lag om offentlig upphandling", "6 kap. 15 §",
                        "En upphandlande myndighet får använda förhandlat förfarande …", 0.9, None, law="LOU",
                        language="sv", summary="The negotiated procedure may be used in cases of extreme urgency.")
    answer = Answer("q", "en", "", False, [citation], "This is not legal advice.")
    [message] = render_reply(Reply(7, Intent.ASK, "en", "q", "q", answer=answer), "/innobroker")
    shown = " ".join(b["text"]["text"] for b in message.blocks if b.get("type") == "section")
    assert "_In short (innobroker's translation): The negotiated procedure may be used" in shown
