"""Conversation store on SQLite and PostgreSQL: atomic event claims, stale takeover, turns, feedback, profiles."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.conversations import ConversationStore, Place, Profile
from bot.db import Database


@pytest.fixture
def store(database_url: str) -> Iterator[ConversationStore]:
    database = Database(database_url)
    yield ConversationStore(database)
    database.dispose()


PLACE = Place("slack", "T1", "C1", "1.0", "U1")


def test_an_event_is_claimed_once_even_under_concurrency(store: ConversationStore) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store.claim("slack:msg:T1:C1:1.0", 300), range(8)))
    assert results.count(True) == 1


def test_a_stale_unfinished_claim_is_taken_over_but_a_finished_one_is_not(store: ConversationStore) -> None:
    assert store.claim("stale", 300)
    time.sleep(0.05)
    assert store.claim("stale", 0.01)
    assert not store.claim("stale", 300)
    assert store.claim("done", 300)
    store.finish("done")
    time.sleep(0.05)
    assert not store.claim("done", 0.01)


def test_turns_thread_history_and_recent(store: ConversationStore) -> None:
    first = store.add_turn(PLACE, "ask", "Hvor længe?", "Hvor længe?", "da", {"citations": []})
    second = store.add_turn(PLACE, "match", "elcykler", "elcykler", "da", {"suppliers": []})
    elsewhere = Place("slack", "T1", "C2", "", "U1")
    store.add_turn(elsewhere, "peers", "sensors", "sensors", "en", {"peers": []})
    last = store.last_in_thread(PLACE)
    assert last is not None and last.id == second.id and last.result == {"suppliers": []}
    assert store.last_in_thread(Place("slack", "T1", "C1", "9.9", "U1")) is None
    assert [t.text for t in store.recent(PLACE, ("match", "peers"))] == ["sensors", "elcykler"]
    assert [t.id for t in store.recent(PLACE, ("ask",))] == [first.id]


def test_feedback_is_one_vote_per_user_and_target_and_can_change(store: ConversationStore) -> None:
    turn = store.add_turn(PLACE, "ask", "q", "q", "en", {})
    store.feedback(turn.id, "U1", "up")
    store.feedback(turn.id, "U1", "down", reason="outdated", comment="old law")
    store.feedback(turn.id, "U2", "up")
    store.feedback(turn.id, "U1", "intro", "supplier:s1")
    votes = store.votes(turn.id)
    assert [(v["user"], v["target"], v["verdict"]) for v in votes] == [
        ("U1", "", "down"), ("U2", "", "up"), ("U1", "supplier:s1", "intro")]
    assert votes[0]["comment"] == "old law"


def test_profiles(store: ConversationStore) -> None:
    assert store.profile(PLACE) == Profile()
    store.save_profile(PLACE, Profile("se-malmo", "SE", "sv"))
    store.save_profile(PLACE, Profile("se-malmo", "SE", "da"))
    assert store.profile(PLACE) == Profile("se-malmo", "SE", "da")
