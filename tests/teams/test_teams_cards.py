"""Card buttons over the wire: Action.Execute invokes and Action.Submit messages reach the core and the database."""

from __future__ import annotations

from typing import Any

from tests.teams.activities import PERSONAL, TEAM, execute, installation, personal, submit
from tests.teams.conftest import TeamsFactory, TeamsHarness, actions, texts

DK_QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
NEED = "Vi søger elcykler til hjemmeplejen"


async def _card(teams: TeamsHarness, text: str) -> dict[str, Any]:
    before = len(teams.connector.of("message"))
    await teams.send(personal(teams.connector.url, text))
    return (await teams.connector.messages(before + 1))[-1].cards[0]


async def test_execute_thumbs_up_is_stored_and_answered_in_the_invoke_response(teams: TeamsHarness) -> None:
    card = await _card(teams, DK_QUESTION)
    up = actions(card)[0]
    response = await teams.send(execute(teams.connector.url, up["verb"], up["data"]))
    assert response.status == 200
    body = await response.json()
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": "Tak! Din vurdering er gemt sammen med spørgsmålet."}
    votes = teams.assistant.conversations.votes(up["data"]["turn"])
    assert votes == [{"user": "00000000-0000-4000-8000-00000000aaaa", "target": "", "verdict": "up", "reason": None,
                      "comment": None}]


async def test_thumbs_down_posts_the_what_was_wrong_form_and_stores_its_answer(teams: TeamsHarness) -> None:
    card = await _card(teams, DK_QUESTION)
    down = actions(card)[1]
    response = await teams.send(execute(teams.connector.url, "feedback_down", down["data"]))
    assert (await response.json())["value"].startswith("Tak, noteret.")
    _, form_message = await teams.connector.messages(2)
    form = form_message.cards[0]
    reasons = next(e for e in form["body"] if e.get("id") == "reason")
    assert [c["value"] for c in reasons["choices"]] == ["wrong", "incomplete", "outdated", "other"]
    send = actions(form)[0]
    data = {**send["data"], "reason": "outdated", "comment": "Loven er ændret i 2026."}
    response = await teams.send(execute(teams.connector.url, send["verb"], data))
    assert (await response.json())["value"] == "Tak! Mæglerne gennemgår svar med 👎."
    [vote] = teams.assistant.conversations.votes(down["data"]["turn"])
    assert (vote["verdict"], vote["reason"], vote["comment"]) == ("down", "outdated", "Loven er ændret i 2026.")


async def test_submit_fallback_is_handled_like_execute(teams: TeamsHarness) -> None:
    card = await _card(teams, DK_QUESTION)
    fallback = actions(card)[0]["fallback"]
    assert fallback["type"] == "Action.Submit"
    assert (await teams.send(submit(teams.connector.url, fallback["data"]))).status == 202
    _, confirmation = await teams.connector.messages(2)
    assert texts(confirmation.cards[0]) == "Tak! Din vurdering er gemt sammen med spørgsmålet."
    assert teams.assistant.conversations.votes(fallback["data"]["turn"])[0]["verdict"] == "up"


async def test_intro_request_is_recorded_and_posted_to_the_broker_channel(make_teams: TeamsFactory) -> None:
    async with make_teams(broker_channel=TEAM) as teams:
        await teams.send(installation(teams.connector.url, "add"))  # the app is installed in the brokers' team
        await teams.connector.messages(conversation=TEAM)
        card = await _card(teams, NEED)
        intro = next(a for a in actions(card) if a["verb"] == "intro_request")
        response = await teams.send(execute(teams.connector.url, "intro_request", intro["data"]))
        value = (await response.json())["value"]
        assert value.startswith("Anmodning om introduktion til ") and intro["data"]["org"] not in value
        _, notice = await teams.connector.messages(2, conversation=TEAM)
        assert "Mette Hansen beder om en introduktion til" in texts(notice.cards[0])
        assert NEED in texts(notice.cards[0])
        [vote] = teams.assistant.conversations.votes(intro["data"]["turn"])
        assert (vote["verdict"], vote["target"]) == ("intro", f"supplier:{intro['data']['org']}")


async def test_not_relevant_is_recorded(teams: TeamsHarness) -> None:
    card = await _card(teams, NEED)
    dismiss = next(a for a in actions(card) if a["verb"] == "not_relevant")
    response = await teams.send(execute(teams.connector.url, "not_relevant", dismiss["data"]))
    assert (await response.json())["value"].startswith("Noteret: ")
    [vote] = teams.assistant.conversations.votes(dismiss["data"]["turn"])
    assert (vote["verdict"], vote["target"]) == ("dismiss", f"supplier:{dismiss['data']['org']}")


async def test_need_form_is_acknowledged_at_once_and_the_matches_follow(teams: TeamsHarness) -> None:
    data = {"language": "en", "need": "We are looking for electric bikes for home care", "country": "DK", "cpv": ""}
    response = await teams.send(execute(teams.connector.url, "need", data))
    assert (await response.json())["value"] == ("⏳ Understood as a need: suppliers and peer buyers who can help – "
                                               "one moment…")
    [matches] = await teams.connector.messages(conversation=PERSONAL)
    text = texts(matches.cards[0])
    assert "Understood as a need" in text and "Suppliers" in text
    turn = await teams.assistant.turn(actions(matches.cards[0])[0]["data"]["turn"])
    assert turn is not None and turn.intent == "match" and turn.text == data["need"]


async def test_need_form_rejects_a_bad_cpv_code_and_an_empty_need(teams: TeamsHarness) -> None:
    bad = {"language": "de", "need": "Wir suchen Sensoren für Schulen", "cpv": "12ab"}
    assert (await (await teams.send(execute(teams.connector.url, "need", bad))).json())["value"].startswith(
        "Das ist kein CPV-Code")
    empty = {"language": "sv", "need": "  "}
    assert (await (await teams.send(execute(teams.connector.url, "need", empty))).json())["value"] == (
        "Beskriv behovet med några ord.")
    assert teams.connector.of("message") == []


async def test_a_button_of_a_forgotten_request_says_so(teams: TeamsHarness) -> None:
    response = await teams.send(execute(teams.connector.url, "feedback_up", {"turn": 987654}))
    assert (await response.json())["value"] == "That request is no longer stored."
