"""Logs: JSON lines with a request id shared by the acknowledgement and the answer, and no secret, token, message
text or e-mail address in them, captured from the process's real log handler during full Slack and Teams exchanges."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.config import load_settings
from bot.logs import REQUEST_ID, JsonFormatter, Redactor, TextFormatter, configure_logging, secret_values
from tests.fake_llm import FakeChat, Turn, fake_chat_server
from tests.reliability.support import TEAMS_WARNING, ServerFactory, both_environ
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, buttons, mention
from tests.teams.activities import execute, personal
from tests.teams.conftest import actions
from tests.teams.fake_connector import FakeConnector

pytestmark = TEAMS_WARNING
EMAIL = "mette.hansen@aarhus.example.dk"
QUESTION = f"Må vi tale med leverandørerne, inden vi sender opgaven i udbud? Svar gerne til {EMAIL}"
TEAMS_QUESTION = "Hur länge får ett ramavtal gälla i Sverige? Skriv till anna.berg@malmo.example.se"
SECRETS = {"SLACK_BOT_TOKEN": "xoxb-1111-2222-logtest", "OPENAI_API_KEY": "sk-logtest-0123456789abcdef",
           "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "Teams~Client.Secret_42"}
REFUSED = "fortroligt-udbud-42"  # short: pydantic shortens long values in its messages
GOOD = ("Ja, en ordregiver må gerne tale med leverandører, før et udbud annonceres [1]. "
        "Dialogen må dog ikke fordreje konkurrencen [1].")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Whatever the process's log handler writes, restored afterwards."""
    stream, root = io.StringIO(), logging.getLogger()
    level = root.level
    yield stream
    for handler in list(root.handlers):
        if getattr(handler, "innobroker", False):
            root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line parsed as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_the_redactor_removes_tokens_secrets_passwords_and_addresses() -> None:
    settings = load_settings(environ={**SECRETS, "SLACK_SIGNING_SECRET": SECRET})
    redact = Redactor(secret_values(settings))
    text = (f"token xoxb-9-9-abc app xapp-1-A1-xyz Authorization: Bearer abc.def-ghi key sk-proj-abcdefghijkl "
            f"jwt eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln secret {SECRET} teams Teams~Client.Secret_42 "
            f"db postgresql://innobroker:pa55word@db.internal/ib mail {EMAIL} conv 19:abc@thread.tacv2")
    clean = redact(text)
    for leaked in ("xoxb-9", "xapp-1", "abc.def-ghi", "sk-proj", "eyJhbGci", SECRET, "Client.Secret", "pa55word",
                   EMAIL):
        assert leaked not in clean, leaked
    assert "19:abc@thread.tacv2" in clean and "postgresql://innobroker:[redacted]@db.internal/ib" in clean
    assert EMAIL in redact(text, emails=False) and SECRET not in redact(text, emails=False)

    record = logging.LogRecord("bot.test", logging.ERROR, __file__, 1, "failed for %s", (EMAIL,), None)
    try:
        raise RuntimeError(f"refused token {SECRETS['SLACK_BOT_TOKEN']}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    REQUEST_ID.set("req-42")
    entry = json.loads(JsonFormatter(redact).format(record))
    assert set(entry) == {"ts", "level", "logger", "msg", "request_id", "exc"}
    assert entry["request_id"] == "req-42" and entry["msg"] == "failed for [email]"
    assert "RuntimeError: refused token [redacted]" in entry["exc"]
    text_line = TextFormatter(redact).format(record)
    assert "[req-42]" in text_line and SECRETS["SLACK_BOT_TOKEN"] not in text_line and EMAIL not in text_line


async def test_a_full_exchange_logs_json_with_one_request_id_and_nothing_private(
        make_server: ServerFactory, fake: FakeSlack, connector: FakeConnector, captured: io.StringIO) -> None:
    with fake_chat_server() as llm:
        await _exchange(make_server, fake, connector, captured, llm)
    entries = lines(captured)
    assert entries and all({"ts", "level", "logger", "msg", "request_id"} <= set(e) for e in entries)
    everything = captured.getvalue()
    for secret in (*SECRETS.values(), SECRET):
        assert secret not in everything, secret
    assert REFUSED not in everything  # not even the SDK's own record of the refused activity
    loud = json.dumps([e for e in entries if e["level"] not in ("DEBUG",)], ensure_ascii=False)
    for private in (QUESTION[:40], EMAIL, TEAMS_QUESTION[:30], "anna.berg@malmo.example.se"):
        assert private not in loud, private

    def by_id(request_id: str) -> list[str]:
        return [e["msg"] for e in entries if e["request_id"] == request_id and e["level"] == "INFO"]

    slack_lines = by_id("EvLOG00001")
    assert any(m.startswith("POST /slack/events 200") for m in slack_lines), slack_lines  # the ack
    assert any(m.startswith("replied: ask in da") for m in slack_lines), slack_lines  # the answer after it
    generated = [e for e in entries if e["logger"] == "bot.knowledge.generate" and e["level"] == "WARNING"]
    assert generated and all(e["request_id"] for e in generated)  # written on the answer threads, still tagged
    assert any(e["request_id"] == "EvLOG00001" and "repaired" in e["msg"] for e in generated)
    teams_lines = by_id("teams-log-1")
    assert any(m.startswith("POST /api/messages 20") for m in teams_lines), teams_lines
    assert any(m.startswith("replied: ask in sv") for m in teams_lines), teams_lines


async def _exchange(make_server: ServerFactory, fake: FakeSlack, connector: FakeConnector, captured: io.StringIO,
                    llm: FakeChat) -> None:
    llm.script(f"{GOOD} Det er altid tilladt.", "Ja [7].")  # one repaired answer, one replaced by the quotes
    llm.responder = lambda _: Turn(GOOD)
    environ = both_environ(fake, **SECRETS)
    overrides = {"log_format": "json", "log_level": "DEBUG",
                 "llm": {"provider": "compatible", "base_url": llm.url, "model": "fake", "timeout_s": 5,
                         "max_retries": 0, "stream": False}}
    async with make_server(environ=environ, **overrides) as server:
        from bot.knowledge.service import KnowledgeService

        server.assistant.knowledge = KnowledgeService(server.settings, embedder=server.assistant.knowledge.embedder)
        configure_logging(server.settings, stream=captured)
        await server.slack.event(mention(QUESTION, "800.1"), event_id="EvLOG00001")
        [answer] = await fake.wait_for("chat.postMessage")
        turn = buttons(answer.params["blocks"])[0]["value"]
        await server.slack.click("feedback_up", turn, name="up")
        await fake.wait_for("response:up")
        await server.slack.event(mention(QUESTION, "800.2"), event_id="EvLOG00002")
        await fake.wait_for("chat.postMessage", 2)
        await server.slack.command(f"ask {QUESTION}", name="cmd")
        await fake.wait_for("response:cmd")
        activity = personal(connector.url, TEAMS_QUESTION)
        activity["id"] = "teams-log-1"
        await server.teams.send(activity)
        [card] = await connector.messages()
        await server.teams.send(execute(connector.url, "feedback_up", actions(card.cards[0])[0]["data"]))
        refused = await server.client.post("/api/messages", json={"text": REFUSED})  # not an activity: no type
        assert refused.status == 400
