"""Workspace installs over OAuth, Socket Mode against a local WebSocket server, /healthz and ``serve`` checks."""

from __future__ import annotations

import re
import time

import pytest

from bot.cli import main
from bot.config import load_settings
from tests.slack.conftest import HarnessFactory
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, Harness, block_texts, mention

OAUTH = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret", "SLACK_SIGNING_SECRET": SECRET}


async def test_oauth_install_stores_the_workspace_and_its_token_is_used(make_harness: HarnessFactory,
                                                                      fake: FakeSlack) -> None:
    async with make_harness(environ=OAUTH) as harness:
        page = await harness.client.get("/slack/install")
        assert page.status == 200
        html = await page.text()
        state = re.search(r"state=([\w-]+)", html)
        assert state and "client_id=111.222" in html and "scope=app_mentions%3Aread" in html.replace(":", "%3A")
        cookie = page.headers["Set-Cookie"].split(";")[0]
        done = await harness.client.get(f"/slack/oauth_redirect?code=c0de&state={state.group(1)}",
                                        headers={"Cookie": cookie})
        assert done.status == 200
        [exchange] = fake.to("oauth.v2.access")
        assert exchange.params["code"] == "c0de"
        await harness.event(mention("Hur länge får ett ramavtal gälla?", "1.1"), team="T2")
        [post] = await fake.wait_for("chat.postMessage")
        assert post.token == "xoxb-second-workspace" and post.params["thread_ts"] == "1.1"
        replay = await harness.client.get(f"/slack/oauth_redirect?code=c0de&state={state.group(1)}",
                                          headers={"Cookie": cookie})
        assert replay.status == 401 and len(fake.to("oauth.v2.access")) == 1  # a state is good only once


async def test_socket_mode_acks_envelopes_and_answers(make_harness: HarnessFactory, fake: FakeSlack) -> None:
    environ = {"SLACK_APP_TOKEN": "xapp-1-test", "SLACK_BOT_TOKEN": "xoxb-test"}
    async with make_harness(environ=environ) as harness:
        assert (await harness.client.post("/slack/events", data=b"{}")).status in (404, 405)
        health = await (await harness.client.get("/healthz")).json()
        assert health["ok"] is True and health["surfaces"] == ["slack-socket-mode"]
        [opened] = fake.to("apps.connections.open")
        assert opened.token == "xapp-1-test"
        payload = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSOCK",
                   "event_time": int(time.time()), "event": mention("Hur länge får ett ramavtal gälla?", "2.1")}
        envelope = {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
                    "retry_attempt": 0, "retry_reason": "", "payload": payload}
        assert await fake.push(envelope) == {"envelope_id": "env-1"}
        [post] = await fake.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == "2.1" and "LOU 7 kap. 3 §" in block_texts(post.params["blocks"])
        await fake.push({**envelope, "envelope_id": "env-2", "retry_attempt": 1, "retry_reason": "timeout"})
        command = {"envelope_id": "env-3", "type": "slash_commands", "accepts_response_payload": True,
                   "payload": {"command": "/innobroker", "text": "help", "team_id": "T1", "user_id": "U1",
                               "channel_id": "C1", "trigger_id": "t", "response_url": f"{fake.base}/response/s"}}
        ack = await fake.push(command)
        assert "/innobroker ask" in block_texts(ack["payload"]["blocks"])
        assert len(fake.to("chat.postMessage")) == 1


async def test_healthz_over_http(harness: Harness) -> None:
    response = await harness.client.get("/healthz")
    body = await response.json()
    assert response.status == 200 and body["ok"] is True and body["surfaces"] == ["slack"]
    assert body["checks"]["store"]["ok"] and body["checks"]["database"] == {"ok": True}


def test_serve_refuses_to_start_without_slack_credentials(tmp_path: object, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN",
                 "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--data-dir", str(tmp_path), "serve"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    assert main(["--data-dir", str(tmp_path), "serve"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


def test_slack_secrets_come_from_the_environment() -> None:
    settings = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                                      "SLACK_APP_TOKEN": "xapp", "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c",
                                      "SLACK_API_URL": "http://127.0.0.1:9/api/",
                                      "INNOBROKER_SLACK__BROKER_CHANNEL": "CB"})
    slack = settings.slack
    assert slack.bot_token is not None and slack.bot_token.get_secret_value() == "xoxb-1"
    assert (slack.api_url, slack.broker_channel, slack.client_id) == ("http://127.0.0.1:9/api/", "CB", "1.2")
    assert slack.socket_mode and slack.oauth and slack.configured
    assert "xoxb-1" not in repr(settings)
    assert load_settings(environ={}).slack.api_url == "https://slack.com/api/"
