"""The platform around the handler: JWT on /api/messages only, installs and stored references, proactive pushes,
Slack and Teams giving the same answers and matches, configuration, and the app package."""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import pytest
from microsoft_agents.activity import Activity

from bot.cli import main
from bot.config import load_settings
from bot.handlers.teams.package import png_size
from bot.handlers.teams.parse import teams_place
from bot.handlers.teams.surface import TEAMS
from bot.server import missing_configuration
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, Harness, buttons, direct, mention
from tests.teams.activities import CHANNEL, GROUP, PERSONAL, TEAM, TENANT, channel, group, installation, personal
from tests.teams.conftest import ANONYMOUS, TeamsFactory, TeamsHarness, actions, texts

CLIENT = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "5f0c2a51-7a3e-4d1e-9a55-0b1d2c3e4f50",
          "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "not-a-real-secret",
          "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT}
DK_QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
APP_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


async def test_without_a_valid_jwt_requests_get_401_and_nothing_runs(make_teams: TeamsFactory) -> None:
    async with make_teams(environ=CLIENT) as teams:
        activity = personal(teams.connector.url, DK_QUESTION)
        for headers in (None, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwdw=="}):
            response = await teams.send(activity, headers=headers)
            assert response.status == 401, headers
        health = await teams.client.get("/healthz")
        assert health.status == 200 and (await health.json())["surfaces"] == ["teams"]
        assert teams.connector.sent == []
        assert teams.assistant.conversations.last_in_thread(teams_place(Activity.model_validate(activity))) is None


async def test_slack_routes_stay_outside_the_jwt_middleware(make_teams: TeamsFactory, fake: FakeSlack) -> None:
    environ = {**CLIENT, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url}
    async with make_teams(environ=environ) as teams:
        slack = Harness(teams.client, fake, teams.assistant)
        assert (await slack.event(mention(DK_QUESTION, "100.1"))).status == 200
        [post] = await fake.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == "100.1"
        assert (await teams.send(personal(teams.connector.url, DK_QUESTION))).status == 401
        health = await teams.client.get("/healthz")
        assert (await health.json())["surfaces"] == ["slack", "teams"]


async def test_slack_and_teams_give_the_same_answers_and_matches(make_teams: TeamsFactory, fake: FakeSlack) -> None:
    environ = {**ANONYMOUS, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.url}
    async with make_teams(environ=environ) as teams:
        slack = Harness(teams.client, fake, teams.assistant)
        results = {}
        for name, slack_event, teams_activity in (
            ("answer", mention(DK_QUESTION, "200.1"), channel(teams.connector.url, DK_QUESTION)),
            ("match", direct("Vi søger elcykler til hjemmeplejen", "200.2"),
             personal(teams.connector.url, "Vi søger elcykler til hjemmeplejen")),
        ):
            await slack.event(slack_event)
            posts = await fake.wait_for("chat.postMessage", len(results) + 1)
            await teams.send(teams_activity)
            replies = await teams.connector.messages(len(results) + 1)
            slack_turn = await teams.assistant.turn(int(buttons(posts[-1].params["blocks"])[0]["value"].split("|")[0]))
            teams_turn = await teams.assistant.turn(actions(replies[-1].cards[0])[0]["data"]["turn"])
            assert slack_turn is not None and teams_turn is not None
            assert (slack_turn.place.platform, teams_turn.place.platform) == ("slack", "teams")
            assert slack_turn.intent == teams_turn.intent and slack_turn.language == teams_turn.language
            results[name] = (slack_turn.result, teams_turn.result, texts(replies[-1].cards[0]))
        slack_answer, teams_answer, teams_text = results["answer"]
        assert slack_answer == teams_answer and teams_answer["citations"]
        assert all(c["label"] in teams_text for c in teams_answer["citations"])
        slack_match, teams_match, teams_text = results["match"]
        assert slack_match == teams_match and teams_match["suppliers"]
        assert all(s["name"] in teams_text for s in teams_match["suppliers"] + teams_match["peers"])


async def test_install_stores_the_reference_welcomes_and_uninstall_forgets(teams: TeamsHarness) -> None:
    surface = teams.client.server.app[TEAMS]
    assert (await teams.send(installation(teams.connector.url, "add"))).status == 202
    [welcome] = await teams.connector.messages(conversation=TEAM)
    assert "Hej! Spørg mig om udbudsregler" in texts(welcome.cards[0])
    await teams.send(installation(teams.connector.url, "add", scope="personal"))
    [swedish] = await teams.connector.messages(conversation=PERSONAL)
    assert "Hej! Fråga mig om upphandlingsregler" in texts(swedish.cards[0])
    stored = {c.conversation_id: c for c in await surface.conversations()}
    assert stored[TEAM].kind == "channel" and stored[TEAM].team_id == TEAM and stored[TEAM].name == "General"
    assert stored[PERSONAL].kind == "personal" and stored[PERSONAL].user_id == "00000000-0000-4000-8000-00000000aaaa"
    assert stored[TEAM].reference["serviceUrl"] == teams.connector.url
    await teams.send(installation(teams.connector.url, "remove"))
    assert [c.conversation_id for c in await surface.conversations()] == [PERSONAL]


async def test_a_group_chat_the_bot_joins_is_remembered(teams: TeamsHarness) -> None:
    joined = group(teams.connector.url, "")
    joined.update(type="conversationUpdate", membersAdded=[{"id": "28:bot-app-id"}])
    for key in ("text", "textFormat", "entities"):
        joined.pop(key)
    assert (await teams.send(joined)).status == 202
    [stored] = await teams.client.server.app[TEAMS].conversations("groupChat")
    assert stored.conversation_id == GROUP and teams.connector.sent == []


async def test_reactions_and_edits_are_accepted_quietly_and_anonymous_mode_warns(
        teams: TeamsHarness, caplog: pytest.LogCaptureFixture) -> None:
    reaction = personal(teams.connector.url, "")
    reaction.update(type="messageReaction", reactionsAdded=[{"type": "like"}], replyToId="activity-1")
    edit = personal(teams.connector.url, "rettet tekst")
    edit.update(type="messageUpdate", channelData={"eventType": "editMessage"})
    for activity in (reaction, edit):
        assert (await teams.send(activity)).status == 202
    assert teams.connector.sent == [] and "No route found" not in caplog.text
    assert any("UNAUTHENTICATED" in record.getMessage() for record in caplog.get_records("setup"))


async def test_serve_posts_proactively_into_team_channels(teams: TeamsHarness) -> None:
    surface = teams.client.server.app[TEAMS]
    await teams.send(installation(teams.connector.url, "add"))
    await teams.connector.messages(conversation=TEAM)
    assert await surface.notify(TEAM, "Ugens overblik: 3 nye behov")
    _, pushed = await teams.connector.messages(2, conversation=TEAM)
    assert texts(pushed.cards[0]) == "Ugens overblik: 3 nye behov"
    post = channel(teams.connector.url, DK_QUESTION)  # first addressed in another channel: remembered as well
    await teams.send(post)
    await teams.connector.messages(conversation=f"{CHANNEL};messageid={post['id']}")
    assert await surface.notify(CHANNEL, "Ny anmodning om introduktion")
    [new_post] = await teams.connector.messages(conversation=CHANNEL)  # a new post, not a reply in the thread
    assert texts(new_post.cards[0]) == "Ny anmodning om introduktion"
    assert not await surface.notify("19:never-installed@thread.tacv2", "nobody hears this")


def test_settings_take_the_sdk_variables_from_the_environment_and_hide_the_secret(tmp_path: Path) -> None:
    settings = load_settings(environ={**CLIENT, "INNOBROKER_TEAMS__REPLY_BUDGET_S": "5"},
                             overrides={"data_dir": tmp_path})
    teams = settings.teams
    assert teams.client_id == CLIENT["CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"]
    assert teams.configured and not teams.anonymous and teams.reply_budget_s == 5.0
    assert "not-a-real-secret" not in repr(settings) and missing_configuration(settings) is None
    assert not load_settings(environ={}, overrides={"data_dir": tmp_path}).teams.configured
    assert load_settings(environ=ANONYMOUS, overrides={"data_dir": tmp_path}).teams.anonymous


def _pixels(data: bytes) -> list[bytes]:
    """RGBA rows of one of our (unfiltered, single-IDAT) PNGs."""
    width, height = png_size(data)
    length = int.from_bytes(data[33:37], "big")
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41:41 + length])
    rows = [raw[y * (1 + 4 * width):(y + 1) * (1 + 4 * width)] for y in range(height)]
    assert all(row[0] == 0 for row in rows)
    return [row[1:] for row in rows]


def test_teams_package_builds_the_upload_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "innobroker-teams.zip"
    assert main(["--data-dir", str(tmp_path), "teams-package", "--app-id", APP_ID, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color, outline = archive.read("color.png"), archive.read("outline.png")
    assert manifest["id"] == APP_ID and [b["botId"] for b in manifest["bots"]] == [APP_ID]
    assert manifest["manifestVersion"] == "1.17" and set(manifest["bots"][0]["scopes"]) == {"personal", "team",
                                                                                             "groupChat"}
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000 and manifest["validDomains"]
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    assert len(commands) <= 10 and all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    assert png_size(color) == (192, 192) and png_size(outline) == (32, 32)
    rows = _pixels(outline)
    assert all(row[i:i + 3] == b"\xff\xff\xff" for row in rows for i in range(0, len(row), 4))
    alphas = {row[i] for row in rows for i in range(3, len(row), 4)}
    assert 0 in alphas and 255 in alphas  # a white glyph on a transparent background
    assert main(["--data-dir", str(tmp_path), "teams-package", "--out", str(out)]) == 2
    assert "--app-id" in capsys.readouterr().err
