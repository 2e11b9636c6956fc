"""Ingestion into a real Chroma store with the real embedder: formats, bad files, increments, crashes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.service import KnowledgeService
from bot.knowledge.store import StoredChunk
from tests.docs import DK_NOTE, SE_NOTE, write_docx, write_pdf


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "dk.md").write_text(DK_NOTE, encoding="utf-8")
    (folder / "se.md").write_text(SE_NOTE, encoding="utf-8")
    (folder / "vgv.html").write_text(
        "<html><head><title>VgV Auszug</title></head><body><h2>§ 28 Markterkundung</h2><p>Vor der Einleitung "
        "eines Vergabeverfahrens darf der öffentliche Auftraggeber Markterkundungen zur Vorbereitung der "
        "Auftragsvergabe durchführen.</p></body></html>", encoding="utf-8")
    (folder / "rules.txt").write_text("6 kap. Upphandlingsförfaranden\n1 § En upphandlande myndighet får använda "
                                      "öppet förfarande eller selektivt förfarande.\n", encoding="utf-8")
    write_pdf(folder / "directive.pdf", ["Article 31 Innovation partnership",
                                         "The innovation partnership shall aim at the development of an innovative "
                                         "product, service or works."])
    write_docx(folder / "guide.docx", "Guide", [("§ 24 Definitioner", "Ordregiver betyder staten og kommunerne.")])
    return folder


@pytest.fixture
def service(settings: Settings, embedder: CachedEmbedder) -> KnowledgeService:
    return KnowledgeService(settings, embedder=embedder)


def test_every_format_is_ingested_with_section_metadata(service: KnowledgeService, docs: Path) -> None:
    report = service.ingest([docs])
    assert report.errors == []
    assert report.added == 6
    chunks = service.store.all_chunks()
    by_section = {c.meta["section"]: c.meta for c in chunks}
    assert {"Udbudsloven § 39", "LOU 7 kap. 1 §", "§ 28", "6 kap. 1 §", "Article 31", "§ 24"} <= set(by_section)
    dk = by_section["Udbudsloven § 39"]
    assert (dk["language"], dk["jurisdiction"], dk["title"]) == ("da", "DK", "Markedsdialog før et udbud")
    assert dk["url"] == "https://www.retsinformation.dk/eli/lta/2015/1564"
    assert by_section["§ 28"]["language"] == "de"
    assert by_section["Article 31"]["source"].endswith("directive.pdf")


def test_bad_files_are_reported_by_name_and_others_ingested(service: KnowledgeService, docs: Path) -> None:
    (docs / "corrupt.pdf").write_bytes(b"%PDF-1.7 this is not a pdf")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "latin1.txt").write_bytes("Ordregiveren skal være åben".encode("latin-1"))
    (docs / "blob.md").write_bytes(b"\x00\x00\x01binary")
    report = service.ingest([docs])
    failed = {Path(e["source"]).name: e["error"] for e in report.errors}
    assert set(failed) == {"corrupt.pdf", "empty.txt", "latin1.txt", "blob.md"}
    assert "UTF-8" in failed["latin1.txt"]
    assert report.added == 6


def test_reingest_is_incremental_and_prune_removes_deleted(service: KnowledgeService, docs: Path) -> None:
    service.ingest([docs])
    again = service.ingest([docs])
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 6, 0)

    (docs / "se.md").write_text(SE_NOTE.replace("högst fyra år", "högst fyra (4) år"), encoding="utf-8")
    (docs / "rules.txt").unlink()
    changed = service.ingest([docs], prune=True)
    assert (changed.updated, changed.removed, changed.unchanged) == (1, 1, 4)
    texts = " ".join(c.text for c in service.store.all_chunks())
    assert "fyra (4) år" in texts and "högst fyra år" not in texts
    assert not any(c.meta["source"].endswith("rules.txt") for c in service.store.all_chunks())
    assert service.store.count() == len(service.store.all_chunks())


def test_a_changed_file_that_became_corrupt_keeps_its_old_version(service: KnowledgeService, docs: Path) -> None:
    service.ingest([docs])
    before = len(service.store.all_chunks())
    (docs / "dk.md").write_bytes("Udbudsloven gælder".encode("latin-1"))
    report = service.ingest([docs])
    assert [Path(e["source"]).name for e in report.errors] == ["dk.md"]
    assert len(service.store.all_chunks()) == before


def test_interrupted_ingest_leaves_a_consistent_store(service: KnowledgeService, docs: Path) -> None:
    service.ingest([docs])
    visible = {c.id for c in service.store.all_chunks()}
    # Simulate a crash after new chunks were written but before the manifest commit.
    orphan = StoredChunk("deadbeef:0", "half-written text", "half-written text",
                         {"source": "corpus/dk.md", "doc_hash": "deadbeef", "language": "da"})
    service.store._chunks.upsert(ids=[orphan.id], embeddings=np.ones((1, 384), dtype=np.float32),
                                 documents=[orphan.text], metadatas=[orphan.meta])
    assert {c.id for c in service.store.all_chunks()} == visible
    service.retriever.refresh()
    assert all(h.chunk.id != orphan.id for h in service.retriever.search("half-written text", "da", 10).hits)
    report = service.ingest([docs])
    assert report.unchanged == 6
    assert service.store.count() == len(visible)


def test_ingest_cli_json_report(settings: Settings, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    (docs / "bad.pdf").write_bytes(b"not a pdf")
    code = main(["--data-dir", str(settings.data_dir), "ingest", str(docs / "dk.md"), str(docs / "bad.pdf"),
                 "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(report) == {"added", "updated", "unchanged", "removed", "chunks", "errors"}
    assert report["added"] == 1 and report["chunks"] == 2
    assert report["errors"][0]["source"].endswith("bad.pdf")
