"""Messages over the wire: personal, group and channel conversations, threads, follow-ups, streaming, late answers."""

from __future__ import annotations

from tests.teams.activities import CHANNEL, GROUP, PERSONAL, channel, group, personal
from tests.teams.conftest import TeamsFactory, TeamsHarness, actions, texts

DK_QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"


async def test_personal_chat_question_gets_typing_then_a_card_with_linked_provisions(teams: TeamsHarness) -> None:
    activity = personal(teams.connector.url, DK_QUESTION)
    response = await teams.send(activity)
    assert response.status == 202
    [reply] = await teams.connector.messages()
    assert teams.connector.sent[0].type == "typing"
    assert reply.conversation == PERSONAL and reply.reply_to == activity["id"]
    [card] = reply.cards
    text = texts(card)
    assert "Forstået som et spørgsmål om reglerne" in text
    links = [run for block in card["body"] if block.get("type") == "RichTextBlock" for run in block["inlines"]
             if "selectAction" in run]
    assert links[0]["text"] == "Udbudsloven § 39"
    assert links[0]["selectAction"] == {"type": "Action.OpenUrl",
                                        "url": "https://www.retsinformation.dk/eli/lta/2015/1564"}
    buttons = actions(card)
    assert [b["verb"] for b in buttons] == ["feedback_up", "feedback_down"]
    assert buttons[0]["fallback"]["type"] == "Action.Submit" and buttons[0]["fallback"]["data"]["verb"] == "feedback_up"
    turn = await teams.assistant.turn(buttons[0]["data"]["turn"])
    assert turn is not None and turn.text == DK_QUESTION and turn.place.platform == "teams"
    assert turn.result["citations"][0]["label"] == "Udbudsloven § 39"


async def test_group_chat_mention_is_stripped_and_answered_in_the_group(teams: TeamsHarness) -> None:
    activity = group(teams.connector.url, "Für wie lange darf eine Innovationspartnerschaft laufen?")
    assert (await teams.send(activity)).status == 202
    [reply] = await teams.connector.messages()
    assert reply.conversation == GROUP
    text = texts(reply.cards[0])
    assert "Verstanden als Frage zu den Vergaberegeln" in text and "GWB § 119 Abs. 7" in text
    turn = await teams.assistant.turn(actions(reply.cards[0])[0]["data"]["turn"])
    assert turn is not None and turn.text == "Für wie lange darf eine Innovationspartnerschaft laufen?"
    assert turn.place.channel == GROUP and turn.place.thread == ""


async def test_channel_post_is_answered_in_its_thread_and_a_reply_there_is_a_follow_up(teams: TeamsHarness) -> None:
    first = channel(teams.connector.url, "Hur länge får ett ramavtal gälla i Sverige?")
    await teams.send(first)
    thread = f"{CHANNEL};messageid={first['id']}"
    [answer] = await teams.connector.messages(conversation=thread)
    assert answer.reply_to == first["id"]
    followup = channel(teams.connector.url, "och med särskilda skäl?", root=first["id"])
    await teams.send(followup)
    _, second = await teams.connector.messages(2, conversation=thread)
    text = texts(second.cards[0])
    assert "uppföljning av ”Hur länge får ett ramavtal gälla i Sverige?”" in text
    assert "LOU 7 kap. 3 §" in text
    turn = await teams.assistant.turn(actions(second.cards[0])[0]["data"]["turn"])
    assert turn is not None and turn.text == "och med särskilda skäl?"
    assert turn.query.startswith("Hur länge får ett ramavtal gälla") and turn.place.thread == first["id"]


async def test_a_need_in_a_personal_chat_gets_match_cards_with_intro_and_not_relevant(teams: TeamsHarness) -> None:
    await teams.send(personal(teams.connector.url, "Vi søger elcykler til hjemmeplejen"))
    [reply] = await teams.connector.messages()
    card = reply.cards[0]
    text = texts(card)
    assert "Forstået som et behov" in text and "Leverandører" in text and "Ordregivere, der har købt" in text
    intro = [a for a in actions(card) if a["verb"] == "intro_request"]
    assert intro and intro[0]["title"] == "Bed om introduktion"
    assert intro[0]["data"]["kind"] == "supplier" and intro[0]["data"]["org"]
    assert intro[0]["fallback"]["data"] == {"verb": "intro_request", **intro[0]["data"]}
    assert any(a["verb"] == "not_relevant" for a in actions(card))
    assert reply.activity["summary"].startswith("Leverandører: ")


async def test_help_and_the_need_form_command(teams: TeamsHarness) -> None:
    await teams.send(personal(teams.connector.url, "hjælp"))
    [help_reply] = await teams.connector.messages()
    help_card = help_reply.cards[0]
    assert "beskriv et behov og find leverandører" in texts(help_card)
    assert help_card["actions"][0]["type"] == "Action.ShowCard"
    await teams.send(personal(teams.connector.url, "need"))
    _, form = await teams.connector.messages(2)
    inputs = {element["id"]: element for element in form.cards[0]["body"] if "id" in element}
    assert set(inputs) == {"need", "country", "cpv"} and inputs["need"]["isRequired"] is True
    assert form.cards[0]["actions"][0]["verb"] == "need"


async def test_long_work_in_a_personal_chat_is_streamed_and_ends_with_the_card(make_teams: TeamsFactory) -> None:
    async with make_teams(stream_after_s=0.0) as teams:
        await teams.send(personal(teams.connector.url, DK_QUESTION))
        await teams.connector.messages()
        streamed = [s for s in teams.connector.sent if s.stream_type]
        assert [s.stream_type for s in streamed] == ["informative", "final"]
        assert streamed[0].type == "typing" and streamed[0].activity["text"] == "Søger i kilderne og kataloget …"
        final = streamed[-1]
        assert final.type == "message" and final.activity["text"].startswith("Disse bestemmelser")
        assert "Udbudsloven § 39" in texts(final.cards[0])
        stream_id = f"activity-{teams.connector.sent.index(streamed[0]) + 1}"  # the id the connector gave it
        assert [e.get("streamId") for e in final.activity["entities"] if e["type"] == "streaminfo"] == [stream_id]


async def test_work_beyond_the_turn_budget_is_followed_up_proactively_in_the_thread(make_teams: TeamsFactory) -> None:
    async with make_teams(reply_budget_s=0.0) as teams:
        post = channel(teams.connector.url, DK_QUESTION)
        assert (await teams.send(post)).status == 202
        thread = f"{CHANNEL};messageid={post['id']}"
        note, answer = await teams.connector.messages(2, conversation=thread)
        assert "Det tager længere tid end normalt" in texts(note.cards[0]) and note.reply_to == post["id"]
        assert "Udbudsloven § 39" in texts(answer.cards[0])
        assert answer.reply_to != post["id"]  # sent from a continued conversation, after the turn
        turn = await teams.assistant.turn(actions(answer.cards[0])[0]["data"]["turn"])
        assert turn is not None and turn.place.thread == post["id"]


async def test_a_redelivered_activity_is_answered_once(teams: TeamsHarness) -> None:
    activity = personal(teams.connector.url, DK_QUESTION)
    first, again = await teams.send(activity), await teams.send(activity)
    assert (first.status, again.status) == (202, 202)
    assert len(teams.connector.of("message")) == 1 and len(teams.connector.of("typing")) == 1


async def test_a_failure_is_reported_in_the_conversation_with_a_reference(teams: TeamsHarness) -> None:
    teams.connector.refuse = 1  # the connector refuses the answer card
    await teams.send(personal(teams.connector.url, DK_QUESTION))
    [notice] = await teams.connector.messages()
    text = texts(notice.cards[0])
    assert "noget gik galt" in text and "reference" in text


async def test_a_manifest_command_forces_the_intent(teams: TeamsHarness) -> None:
    await teams.send(personal(teams.connector.url, "peers elcykler&nbsp;til hjemmeplejen"))
    [reply] = await teams.connector.messages()
    assert "Forstået som en søgning efter andre ordregivere" in texts(reply.cards[0])
    turn = await teams.assistant.turn(actions(reply.cards[0])[-1]["data"]["turn"])
    assert turn is not None and turn.intent == "peers" and turn.text == "elcykler til hjemmeplejen"
