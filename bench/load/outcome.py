"""What the load produced, read off the fakes: answers per event (exactly once?), errors, latencies, verdicts."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from typing import Any

from bench.load.traffic import Delivery, Traffic
from bot.i18n import t
from bot.language import LANGUAGES
from tests.slack.fake_slack import FakeSlack
from tests.teams.fake_connector import FakeConnector, Sent

ERROR_PREFIXES = tuple(t("error", language).split("{ref}")[0] for language in LANGUAGES)
SLACK_ACK_LIMIT_S = 3.0  # Slack retries an event it has not seen acknowledged within 3 seconds
TEAMS_TURN_LIMIT_S = 15.0  # the Bot Connector gives up on a turn after 15 seconds


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50, p99 and max in milliseconds (None without values)."""
    if not values:
        return {"p50": None, "p99": None, "max": None}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered) * 1000, 1), "p99": round(p99 * 1000, 1),
            "max": round(ordered[-1] * 1000, 1)}


def is_error(text: str) -> bool:
    """Whether a message is the bot's "something went wrong (reference …)" notice."""
    return any(prefix in text for prefix in ERROR_PREFIXES)


def slack_posts(fake: FakeSlack) -> dict[str, list[Any]]:
    """Successful ``chat.postMessage`` calls by (channel, thread) key."""
    posts: dict[str, list[Any]] = {}
    for call in fake.to("chat.postMessage"):
        posts.setdefault(f"{call.params.get('channel')}:{call.params.get('thread_ts')}", []).append(call)
    return posts


def answer_cards(sent: list[Sent]) -> dict[str, list[Sent]]:
    """Teams messages carrying a reply card with feedback buttons (answers), by conversation."""
    cards: dict[str, list[Sent]] = {}
    for item in sent:
        if item.type == "message" and '"feedback_up"' in json.dumps(item.cards):
            cards.setdefault(item.conversation, []).append(item)
    return cards


def answered(traffic: Traffic, fake: FakeSlack, connector: FakeConnector) -> tuple[int, int]:
    """(events answered so far, with an answer or the error notice; events sent): has the backlog drained?"""
    posts, cards = slack_posts(fake), answer_cards(connector.sent)
    failed = {s.conversation for s in connector.of("message")
              if s.conversation not in cards and is_error(json.dumps(s.activity, ensure_ascii=False))}
    done = sum(1 for key in traffic.first_sent if key in posts or key in cards or key in failed)
    return done, len(traffic.first_sent)


def _acks(deliveries: list[Delivery], kind: str) -> dict[str, Any]:
    mine = [d for d in deliveries if d.kind == kind]
    ok = [d.seconds for d in mine if d.status in (200, 202) and d.seconds is not None]
    failed = [d for d in mine if d.status not in (200, 202)]
    return {"requests": len(mine), "ms": percentiles(ok), "failed": len(failed),
            "failures": sorted(Counter(d.error or f"HTTP {d.status}" for d in failed).items())[:5]}


def summarize(traffic: Traffic, fake: FakeSlack, connector: FakeConnector) -> dict[str, Any]:
    """Per platform: responses, answers delivered, duplicates, lost events, errors, answer latency; and verdicts."""
    slack_keys = [k for k in traffic.first_sent if not k.startswith(("a:", "19:"))]
    teams_keys = [k for k in traffic.first_sent if k.startswith(("a:", "19:"))]
    posts, cards = slack_posts(fake), answer_cards(connector.sent)
    slack_errors = [k for k in slack_keys if any(is_error(str(p.params.get("text"))) for p in posts.get(k, []))]
    teams_errors = [k for k in teams_keys if any(is_error(json.dumps(s.activity, ensure_ascii=False))
                                                for s in connector.of("message", k))]
    slack = {"events": len(slack_keys), "ack": _acks(traffic.deliveries, "slack"),
             "answered": sum(1 for k in slack_keys if k in posts and k not in slack_errors),
             "duplicates": sum(len(posts[k]) - 1 for k in slack_keys if k in posts),
             "lost": sum(1 for k in slack_keys if k not in posts), "errors": len(slack_errors),
             "answer_ms": percentiles([posts[k][0].at - traffic.first_sent[k] for k in slack_keys if k in posts])}
    notices = [s for k in teams_keys for s in connector.of("message", k)
               if s not in cards.get(k, []) and not is_error(json.dumps(s.activity, ensure_ascii=False))]
    teams = {"events": len(teams_keys), "response": _acks(traffic.deliveries, "teams"),
             "answered": sum(1 for k in teams_keys if k in cards),
             "duplicates": sum(len(cards[k]) - 1 for k in teams_keys if k in cards),
             "lost": sum(1 for k in teams_keys if k not in cards and k not in teams_errors),
             "errors": len(teams_errors), "still_working_notices": len(notices),
             "answer_ms": percentiles([cards[k][0].at - traffic.first_sent[k] for k in teams_keys if k in cards])}
    slack_ok = slack["answered"] == slack["events"] and not slack["duplicates"] and not slack["ack"]["failed"]
    teams_ok = teams["answered"] == teams["events"] and not teams["duplicates"] and not teams["response"]["failed"]
    slack_max, teams_max = slack["ack"]["ms"]["max"], teams["response"]["ms"]["max"]
    verdict = {
        "every_event_answered_exactly_once": slack_ok and teams_ok,
        "slack_acks_within_3s": slack_max is None or slack_max < SLACK_ACK_LIMIT_S * 1000,
        "teams_turns_within_15s": teams_max is None or teams_max < TEAMS_TURN_LIMIT_S * 1000,
    }
    return {"slack": slack, "teams": teams, "generator_lag_ms": round(traffic.lag_s * 1000, 1), "verdict": verdict}
