"""``innobroker eval --generate``: skipped without a model; with one, faithfulness and citation precision."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from tests.docs import DK_NOTE, SE_NOTE
from tests.fake_llm import Received, Turn, fake_chat_server

DK_Q = "Må vi tale med leverandørerne, inden vi sender opgaven i udbud?"
SE_Q = "Hur länge får ett ramavtal gälla?"


def _source(request: Received, provision: str) -> str:
    found = re.search(rf'<source id="(\d+)" provision="{re.escape(provision)}"', request.message("user"))
    assert found, f"{provision} was retrieved"
    return found.group(1)


def _model(request: Received) -> Turn:
    """A model that answers the Danish question with one supported and one invented claim, the Swedish one well."""
    if request.message("user").endswith(DK_Q):
        n = _source(request, "Udbudsloven § 39")
        return Turn(f"En ordregiver må gerne tale med leverandører, før et udbud annonceres [{n}]. "
                    f"Tilbudsfristen er altid 90 dage [{n}].")
    n = _source(request, "LOU 7 kap. 3 §")
    return Turn(f"Ett ramavtal får gälla i högst fyra år, om det inte finns särskilda skäl [{n}].")


def test_without_a_model_the_generated_evaluation_is_skipped_with_a_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "app.yaml"
    config.write_text("llm:\n  provider: none\n", encoding="utf-8")
    assert main(["--config", str(config), "--data-dir", str(tmp_path / "data"), "eval", "--generate", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["generate"] == "skipped"
    assert "skipped: no language model is configured (llm.provider: none)" in captured.err
    assert not (tmp_path / "data" / "eval").exists()


def test_generated_answers_are_scored_for_faithfulness_and_citation_precision(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    notes, shared = tmp_path / "notes", tmp_path / "shared"
    notes.mkdir()
    shared.mkdir()
    (notes / "dk.md").write_text(DK_NOTE, encoding="utf-8")
    (notes / "se.md").write_text(SE_NOTE, encoding="utf-8")
    dataset = tmp_path / "questions.jsonl"
    dataset.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "g1", "q": DK_Q, "lang": "da", "expected": [{"source": "dk.md", "section": "Udbudsloven § 39"}]},
        {"id": "g2", "q": SE_Q, "lang": "sv", "expected": [{"source": "se.md", "section": "LOU 7 kap. 3 §"}]},
        {"id": "g3", "q": "What is a good recipe for pancakes?", "lang": "en", "expected": []},
    ]), encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with fake_chat_server() as llm:
        llm.responder = _model
        config = tmp_path / "app.yaml"
        config.write_text(f"corpus_dir: {notes}\nllm:\n  provider: compatible\n  base_url: {llm.url}\n"
                          "  model: fake-model\n", encoding="utf-8")
        assert main(["--config", str(config), "--data-dir", str(tmp_path / "data"), "eval", "--generate",
                     "--dataset", str(dataset), "--shared", str(shared), "--json"]) == 0
        assert len(llm.received) == 2
    results = json.loads(capsys.readouterr().out)
    assert results["model"] == "compatible/fake-model" and results["prompt_version"] == "answer-2026.1"
    assert (results["faithfulness"], results["citation_precision"]) == (0.667, 0.667)
    assert (results["generated"], results["repaired"], results["replaced"]) == (1.0, 0.5, 0.0)
    assert (results["expected_cited"], results["abstention"], results["false_abstention"]) == (1.0, 1.0, 0.0)
    assert results["by_language"]["sv"]["faithfulness"] == 1.0 and results["by_language"]["da"]["faithfulness"] == 0.5
    assert [a["id"] for a in results["answers"]] == ["g1", "g2", "g3"]
