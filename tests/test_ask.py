"""Answers: citations, language framing, abstention and the JSON contracts of ``ask``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.service import KnowledgeService
from bot.types import Question
from tests.docs import DK_NOTE, SE_NOTE

CITATION_KEYS = {"n", "source", "title", "section", "text", "score", "url", "summary", "label"}


@pytest.fixture
def service(settings: Settings, embedder: CachedEmbedder, tmp_path: Path) -> KnowledgeService:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "dk.md").write_text(DK_NOTE, encoding="utf-8")
    (folder / "se.md").write_text(SE_NOTE, encoding="utf-8")
    knowledge = KnowledgeService(settings, embedder=embedder)
    knowledge.ingest([folder])
    return knowledge


def test_answer_quotes_and_cites_the_provision_in_the_askers_language(service: KnowledgeService) -> None:
    answer = service.ask(Question("Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"))
    assert answer.language == "da" and not answer.abstained
    first = answer.citations[0]
    assert first.label == "Udbudsloven § 39"
    assert first.url == "https://www.retsinformation.dk/eli/lta/2015/1564"
    assert first.text and first.text in answer.answer
    assert answer.answer.startswith("Disse bestemmelser")
    assert "ikke juridisk rådgivning" in answer.answer


def test_cross_lingual_question_finds_the_swedish_provision(service: KnowledgeService) -> None:
    answer = service.ask(Question("For how many years may a framework agreement run?"))
    assert answer.language == "en"
    assert answer.citations[0].label == "LOU 7 kap. 3 §"
    assert "not legal advice" in answer.answer


def test_out_of_scope_question_abstains(service: KnowledgeService) -> None:
    answer = service.ask(Question("What is a good recipe for pancakes?"))
    assert answer.abstained
    assert answer.citations == []
    assert "do not cover" in answer.answer


def test_jurisdiction_filter(service: KnowledgeService) -> None:
    answer = service.ask(Question("leverandører markedsdialog", jurisdiction="se"))
    assert all(c.jurisdiction == "SE" for c in answer.citations)


def _ingested_data_dir(service: KnowledgeService) -> str:
    return str(service.settings.data_dir)


def test_ask_json_contract(service: KnowledgeService, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", _ingested_data_dir(service), "ask", "Hur länge får ett ramavtal gälla?",
                 "--json", "--top-k", "2"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"question", "language", "answer", "abstained", "citations"}
    assert payload["language"] == "sv" and payload["abstained"] is False
    assert len(payload["citations"]) == 2
    assert set(payload["citations"][0]) == CITATION_KEYS
    assert payload["citations"][0]["section"] == "LOU 7 kap. 3 §"
    assert payload["citations"][0]["source"].endswith("se.md")


def test_ask_batch_prints_one_line_per_question_in_order(
    service: KnowledgeService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"q": "Hur länge får ett ramavtal gälla?"}\n\n{"nope": 1}\n'
                         '{"q": "Må vi tale med leverandører før udbuddet?"}\n', encoding="utf-8")
    code = main(["--data-dir", _ingested_data_dir(service), "ask", "--questions", str(questions), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # one invalid line
    assert [line.get("language") for line in lines] == ["sv", None, "da"]
    assert lines[1] == {"line": 3, "error": "invalid line: 'q'"}


def test_first_ask_on_empty_data_dir_ingests_the_starter_corpus(
    tmp_path: Path, embedder: CachedEmbedder, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dk.md").write_text(DK_NOTE, encoding="utf-8")
    config = tmp_path / "app.yaml"
    config.write_text(f"corpus_dir: {corpus}\n", encoding="utf-8")
    code = main(["--config", str(config), "--data-dir", str(tmp_path / "data"), "ask",
                 "Må vi tale med leverandører før udbuddet?"])
    captured = capsys.readouterr()
    assert code == 0
    assert "First run: ingesting the starter corpus" in captured.err
    assert "Udbudsloven § 39" in captured.out
