"""Slack's Web API and the Bot Connector answering 429 or 5xx: the call is retried with backoff (429: after
``Retry-After``), the answer arrives once, and a refusal that is not transient (400) is not repeated."""

from __future__ import annotations

import pytest

from tests.reliability.support import Both
from tests.slack.harness import block_texts, mention
from tests.teams.activities import group
from tests.teams.conftest import actions

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")
QUESTION = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"


def attempts(server: Both, method: str) -> list[tuple[int, float]]:
    """(status, time) of every call of a Web API method, in order."""
    return [(c.status, c.at) for c in server.slack.fake.calls if c.method == method]


async def test_slack_429_waits_for_retry_after_and_posts_once(server: Both) -> None:
    fake = server.slack.fake
    fake.rate_limited["chat.postMessage"], fake.retry_after = 2, "1"
    assert (await server.slack.event(mention(QUESTION, "10.1"))).status == 200
    [post] = await fake.wait_for("chat.postMessage", timeout=20)
    await fake.wait_for("reactions.remove")
    (first, t1), (second, t2), (third, t3) = attempts(server, "chat.postMessage")
    assert (first, second, third) == (429, 429, 200)
    assert t2 - t1 >= 1.0 and t3 - t2 >= 1.0  # Retry-After: 1, each time
    assert post.params["thread_ts"] == "10.1" and "Udbudsloven § 39" in block_texts(post.params["blocks"])
    assert len(fake.to("chat.postMessage")) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_slack_5xx_is_retried_with_backoff_and_posts_once(server: Both, status: int) -> None:
    fake = server.slack.fake
    fake.server_errors["chat.postMessage"] = [status]
    await server.slack.event(mention(QUESTION, "20.1"))
    [post] = await fake.wait_for("chat.postMessage", timeout=20)
    await fake.wait_for("reactions.remove")
    (failed, t1), (ok, t2) = attempts(server, "chat.postMessage")
    assert (failed, ok) == (status, 200) and t2 - t1 >= 0.5  # 0.5 s · 2^0 plus jitter
    assert post.params["thread_ts"] == "20.1" and len(fake.to("chat.postMessage")) == 1


async def test_slack_down_for_longer_than_the_retries_posts_nothing_twice(server: Both) -> None:
    fake = server.slack.fake
    fake.server_errors["chat.postMessage"] = [503, 503, 503]  # the answer: three attempts, all refused
    await server.slack.event(mention(QUESTION, "30.1"))
    [notice] = await fake.wait_for("chat.postMessage", timeout=30)  # then the failure notice gets through
    await fake.wait_for("reactions.add", 2)
    assert [status for status, _ in attempts(server, "chat.postMessage")] == [503, 503, 503, 200]
    assert "noget gik galt" in notice.params["text"] and notice.params["thread_ts"] == "30.1"
    assert fake.to("reactions.add")[-1].params["name"] == "warning"


async def test_connector_429_waits_for_retry_after_and_replies_once(server: Both) -> None:
    connector = server.teams.connector
    connector.failures, connector.retry_after = [429], "1"
    activity = group(connector.url, QUESTION)
    assert (await server.teams.send(activity)).status == 202
    [reply] = await connector.messages()
    [(status, refused_at)] = connector.failed
    assert status == 429 and reply.at - refused_at >= 1.0
    assert reply.reply_to == activity["id"] and [a["verb"] for a in actions(reply.cards[0])][:1] == ["feedback_up"]
    assert len(connector.of("message")) == 1


async def test_connector_5xx_is_retried_with_backoff_and_replies_once(server: Both) -> None:
    connector = server.teams.connector
    connector.failures = [503, 502]
    await server.teams.send(group(connector.url, QUESTION))
    [reply] = await connector.messages()
    (first, t1), (second, t2) = connector.failed
    assert (first, second) == (503, 502)
    assert t2 - t1 >= 0.5 and reply.at - t2 >= 1.0  # 0.5 s, then 1 s (plus jitter)
    assert len(connector.of("message")) == 1 and actions(reply.cards[0])


async def test_connector_refusal_is_not_repeated(server: Both) -> None:
    connector = server.teams.connector
    connector.refuse = 1  # 400: the activity itself is wrong, sending it again cannot help
    await server.teams.send(group(connector.url, QUESTION))
    [notice] = await connector.messages()
    assert connector.refuse == 0 and connector.failed == []
    assert "gik galt" in str(notice.activity) and len(connector.of("message")) == 1
