"""The knowledge-gap report on SQLite and PostgreSQL: abstentions, 👎 and weak answers, grouped, in CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.cli import main
from bot.conversations import Place
from bot.conversations.models import TurnRow
from bot.conversations.store import utcnow
from bot.db import Database
from bot.matching.service import MatchService
from bot.workflows.service import Workflows
from tests.workflow_support import build_matcher, make_workflows

PLACE = Place("slack", "T1", "C1", "1.0", "U1")


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatchService]:
    service = build_matcher(tmp_path_factory.mktemp("directory"))
    yield service
    service.close()


@pytest.fixture
def core(database_url: str, matcher: MatchService, tmp_path: Path) -> Iterator[Workflows]:
    database = Database(database_url)
    yield make_workflows(database, matcher, tmp_path)
    database.dispose()


def _answer(score: float | None, label: str = "LOU 7 kap. 3 §", abstained: bool = False) -> dict[str, Any]:
    citations = [] if score is None else [{"n": 1, "label": label, "score": score},
                                          {"n": 2, "label": "other", "score": score - 0.05}]
    return {"question": "q", "abstained": abstained, "citations": citations}


def _ask(core: Workflows, text: str, result: dict[str, Any], intent: str = "ask") -> int:
    return core.conversations.add_turn(PLACE, intent, text, text, "sv", result).id


def _questions(core: Workflows) -> None:
    _ask(core, "Får vi förhandla efter anbudstiden?", _answer(0.78, abstained=True))
    _ask(core, "får vi förhandla efter anbudstiden", _answer(None, abstained=True))
    down = _ask(core, "Hur länge får ett ramavtal gälla?", _answer(0.91))
    core.conversations.feedback(down, "U2", "down", reason="outdated", comment="LOU changed in 2026")
    core.conversations.feedback(down, "U3", "up")
    _ask(core, "Vad är ett innovationspartnerskap?", _answer(0.815, "LOU 6 kap. 1 §"))
    _ask(core, "Vad gäller för direktupphandling?", _answer(0.9))  # a good answer: no gap
    _ask(core, "Vi söker elcyklar", {"suppliers": [], "peers": []}, "match")  # not a rule question
    old = _ask(core, "En gammal fråga utan svar", _answer(None, abstained=True))
    with core.database.transaction() as session:
        session.execute(update(TurnRow).where(TurnRow.id == old).values(created_at=utcnow() - timedelta(days=40)))


def test_gaps_list_abstained_thumbs_down_and_weak_answers_most_frequent_first(core: Workflows) -> None:
    _questions(core)
    rows = core.gaps()
    assert [(r["question"], r["times"], r["reasons"]) for r in rows] == [
        ("får vi förhandla efter anbudstiden", 2, ["abstained"]),
        ("Vad är ett innovationspartnerskap?", 1, ["low_score"]),
        ("Hur länge får ett ramavtal gälla?", 1, ["thumbs_down"]),
    ]
    assert (rows[0]["best_score"], rows[0]["down_votes"]) == (0.78, 0)
    assert (rows[1]["best_score"], rows[1]["top_citation"]) == (0.815, "LOU 6 kap. 1 §")
    assert (rows[2]["down_votes"], rows[2]["feedback"]) == (1, ["outdated: LOU changed in 2026"])
    assert len(core.gaps(since=utcnow() - timedelta(days=60))) == 4
    assert core.gaps(platform="teams") == []


def test_the_gap_report_exports_as_csv_and_json(core: Workflows, database_url: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _questions(core)
    monkeypatch.setenv("INNOBROKER_DATABASE_URL", database_url)
    monkeypatch.setenv("INNOBROKER_WORKFLOWS__GAP_SCORE_BELOW", "0.8")
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path / "cli"), "report", "gaps", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["question"], r["reasons"], r["times"]) for r in rows] == [
        ("får vi förhandla efter anbudstiden", "abstained", "2"),
        ("Hur länge får ett ramavtal gälla?", "thumbs_down", "1")]  # 0.815 is not weak below 0.8
    assert main(["--data-dir", str(tmp_path / "cli"), "report", "gaps", "--format", "json", "--since", "60d"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed) == 3 and printed[-1]["question"] == "En gammal fråga utan svar"
    assert isinstance(printed[0]["turn_ids"], list) and len(printed[0]["turn_ids"]) == 2
