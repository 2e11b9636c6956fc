"""Stores and embedding providers chosen by configuration: Chroma server, OpenAI-compatible endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.embeddings import EmbeddingError
from bot.knowledge.service import KnowledgeService
from bot.types import Question
from tests.conftest import settings_for
from tests.docs import DK_NOTE, SE_NOTE
from tests.servers import chroma_server, openai_embeddings_server


def _docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "dk.md").write_text(DK_NOTE, encoding="utf-8")
    (folder / "se.md").write_text(SE_NOTE, encoding="utf-8")
    return folder


def test_chroma_server_shared_by_two_replicas(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    docs = _docs(tmp_path)
    with chroma_server(tmp_path / "chroma-server") as url:
        writer = KnowledgeService(settings_for(tmp_path / "a", chroma_url=url), embedder=embedder)
        report = writer.ingest([docs])
        assert report.added == 2
        reader = KnowledgeService(settings_for(tmp_path / "b", chroma_url=url), embedder=embedder)
        answer = reader.ask(Question("Hur länge får ett ramavtal gälla?"))
        assert not answer.abstained
        assert answer.citations[0].section == "LOU 7 kap. 3 §"
        assert not (tmp_path / "b" / "data" / "chroma").exists()


def test_openai_compatible_embeddings_endpoint(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    with openai_embeddings_server() as (base_url, received):
        settings = settings_for(tmp_path, embeddings={"provider": "openai", "model": "text-embedding-3-small",
                                                      "base_url": base_url, "api_key": "sk-local"},
                                # abstention thresholds are calibrated per model; this fake one has none
                                retrieval={"abstain_below": 0.0})
        service = KnowledgeService(settings)
        assert service.ingest([docs]).added == 2
        answer = service.ask(Question("ramavtal löptid fyra år", language="sv"))
    assert received and received[0]["path"] == "/v1/embeddings"
    assert received[0]["auth"] == "Bearer sk-local"
    assert answer.citations and answer.citations[0].source.endswith("se.md")


def test_embedding_endpoint_down_commits_nothing(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    with openai_embeddings_server(fail=True) as (base_url, _):
        settings = settings_for(tmp_path, embeddings={"provider": "openai", "base_url": base_url,
                                                      "model": "m", "api_key": "k"})
        service = KnowledgeService(settings)
        with pytest.raises(EmbeddingError, match="embedding endpoint failed"):
            service.ingest([docs])
        assert service.store.documents() == {}
        assert service.store.count() == 0
