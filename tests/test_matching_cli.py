"""The matcher's command line through bot.cli.main with a temporary data directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.embeddings import CachedEmbedder


@pytest.fixture(autouse=True)
def shared_embedder(monkeypatch: pytest.MonkeyPatch, embedder: CachedEmbedder) -> None:
    """CLI runs use the session's embedding cache instead of a fresh one per data directory."""
    monkeypatch.setattr("bot.matching.service.make_embedder", lambda *args: embedder)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_match_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    code, out, _ = run(capsys, "--data-dir", data, "match", "Insamling av matavfall", "--buyer", "se-uppsala",
                       "--top", "3", "--json")
    payload = json.loads(out)
    assert code == 0 and list(payload) == ["need", "cpv", "suppliers", "peers"]
    assert len(payload["suppliers"]) == 3 and len(payload["peers"]) == 3
    code, out, _ = run(capsys, "--data-dir", data, "match", "Insamling av matavfall", "--country", "SE")
    assert code == 0 and out.startswith("CPV: 90") and "Suppliers:" in out and "Peers:" in out


def test_match_queries_file_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join([
        json.dumps({"need": "Ladeinfrastruktur für den Fuhrpark", "country": "DE"}),
        "not json",
        json.dumps({"need": "Telemedicin til KOL-patienter", "buyer": "dk-region-nordjylland"}),
        json.dumps({"need": "x", "buyer": "nobody"}),
    ]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "data"), "match", "--queries", str(queries), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(lines) == 4
    assert lines[0]["need"] == "Ladeinfrastruktur für den Fuhrpark" and lines[2]["need"].startswith("Telemedicin")
    assert lines[1]["line"] == 2 and "error" in lines[1]
    assert lines[3] == {"line": 4, "error": "unknown buyer 'nobody': give an organisation id or its exact name"}


def test_match_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    code, _, err = run(capsys, "--data-dir", data, "match")
    assert code == 2 and err.count("\n") == 1 and err.startswith("innobroker: give a need")
    code, _, err = run(capsys, "--data-dir", data, "match", "textiles", "--buyer", "nobody", "--json")
    assert code == 2 and err == "innobroker: unknown buyer 'nobody': give an organisation id or its exact name\n"


def test_directory_import_status_and_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    good = tmp_path / "orgs.jsonl"
    good.write_text(json.dumps({"type": "organization", "id": "b1", "name": "Odense Kommune", "kind": "buyer",
                                "country": "DK"}) + "\n" + '{"type": "organization"}\n', encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text("<broken", encoding="utf-8")
    code, out, _ = run(capsys, "--data-dir", data, "directory", "import", str(good), "--json")
    report = json.loads(out)
    assert code == 0 and report["accepted"] == 1 and report["rejected"] == 1
    assert report["files"][0]["rejections"] == [{"row": 2, "reason": "missing 'id'"}]
    code, out, _ = run(capsys, "--data-dir", data, "directory", "import", str(good), str(bad))
    assert code == 1 and "bad.xml: FAILED, nothing imported: bad.xml is not well-formed XML" in out
    assert "row 2: missing 'id'" in out
    code, out, _ = run(capsys, "--data-dir", data, "directory", "status", "--json")
    assert json.loads(out) == {"organizations": 1, "procurements": 0}
    code, _, err = run(capsys, "--data-dir", data, "directory", "import", str(tmp_path / "nope.csv"))
    assert code == 2 and err.startswith("innobroker: no such file")
