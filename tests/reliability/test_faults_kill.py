"""``innobroker ingest`` and ``innobroker directory import`` killed with SIGKILL half-way: the next run finds a
consistent store (every visible document whole, in one version; directory files all or nothing) and finishes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.config import PROJECT_ROOT, load_settings
from bot.db import Database
from bot.knowledge.service import KnowledgeService
from bot.knowledge.store import KnowledgeStore, open_chroma_client
from bot.matching.models import Award, DirectoryMeta, Organization, Procurement
from tests.reliability.embedding_server import BlockingEmbeddings, embeddings_server

DOCS, CHANGED, NEW, BLOCK_AT = 10, 8, 2, 4


def note(number: int, version: int) -> str:
    """A guideline note with three provisions, each saying which version of the note it belongs to."""
    sections = "".join(f"## Udbudsloven § {number * 10 + s} – Afsnit {s}\nVersion {version} af note {number}: "
                       f"ordregiveren skal beskrive behovet og tildelingskriterierne, afsnit {s}.\n\n"
                       for s in range(3))
    return (f"---\ntitle: Note {number}\njurisdiction: DK\nlanguage: da\ndate: 2026-11-24\n---\n\n"
            f"# Note {number}\n\n{sections}")


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The CLI's environment: this data directory, nothing inherited that could point elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INNOBROKER_", "OPENAI_"))}
    return {**env, "INNOBROKER_DATA_DIR": str(data_dir), **extra}


def cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``python -m bot ARGS`` in the project root."""
    return subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def inspect(chroma: Path, copy: Path) -> dict[str, Any]:
    """Manifest, record count and visible chunks of the store, read from a copy taken after the process ended."""
    shutil.copytree(chroma, copy)
    store = KnowledgeStore(open_chroma_client(copy, None))
    return {"manifest": {s: r.chunks for s, r in store.documents().items()}, "records": store.count(),
            "visible": [[c.meta["source"], c.text] for c in store.all_chunks()]}


def versions(store: dict[str, Any]) -> dict[str, set[str]]:
    """Per document, the note versions its visible chunks belong to (one each when nothing is mixed)."""
    found: dict[str, set[str]] = {}
    for source, text in store["visible"]:
        found.setdefault(Path(source).stem, set()).add(text.split(" af note", 1)[0].split()[-1])
    return found


def assert_whole(store: dict[str, Any]) -> None:
    """Every document in the manifest shows exactly its committed chunks, all of one version."""
    visible: dict[str, int] = {}
    for source, _ in store["visible"]:
        visible[source] = visible.get(source, 0) + 1
    assert visible == store["manifest"]
    assert all(len(v) == 1 for v in versions(store).values())


@pytest.fixture
def embeddings() -> Iterator[BlockingEmbeddings]:
    with embeddings_server() as server:
        yield server


def test_ingest_killed_half_way_leaves_whole_documents_and_the_rerun_finishes(
        tmp_path: Path, embeddings: BlockingEmbeddings) -> None:
    notes, seed, data = tmp_path / "notes", tmp_path / "seed", tmp_path / "data"
    notes.mkdir()
    model = {"provider": "openai", "model": "fake-embed", "base_url": embeddings.url}
    for n in range(CHANGED):
        (notes / f"n{n:02d}.md").write_text(note(n, 1), encoding="utf-8")
    seeded = load_settings(environ={"OPENAI_API_KEY": "sk-test"}, overrides={"data_dir": seed, "embeddings": model})
    assert KnowledgeService(seeded).ingest([notes]).added == CHANGED  # version 1, in this process (faster) …
    shutil.copytree(seed, data)  # … then the CLI works on a copy
    env = environment(data, INNOBROKER_EMBEDDINGS__PROVIDER="openai", INNOBROKER_EMBEDDINGS__MODEL="fake-embed",
                      INNOBROKER_EMBEDDINGS__BASE_URL=embeddings.url, OPENAI_API_KEY="sk-test")
    for n in range(DOCS):  # every note changes, four are new
        (notes / f"n{n:02d}.md").write_text(note(n, 2), encoding="utf-8")
    embeddings.block_at = embeddings.requests + BLOCK_AT  # the fourth document's embedding never comes back …
    killed = cli(env, "ingest", str(notes), "--json")
    assert embeddings.reached.wait(60), killed.communicate()[1][-2000:]
    killed.send_signal(signal.SIGKILL)  # … and the process dies waiting for it (three are committed)
    killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    store = inspect(data / "chroma", tmp_path / "after-kill")
    assert_whole(store)
    by_version = versions(store)
    assert {n for n, v in by_version.items() if v == {"2"}} == {f"n{n:02d}" for n in range(BLOCK_AT - 1)}
    assert {n for n, v in by_version.items() if v == {"1"}} == {f"n{n:02d}" for n in range(BLOCK_AT - 1, CHANGED)}
    embeddings.release.set()
    rerun = cli(env, "ingest", str(notes), "--json")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err[-2000:]
    report = json.loads(out)
    assert (report["unchanged"], report["updated"], report["added"]) == (BLOCK_AT - 1, CHANGED - BLOCK_AT + 1, NEW)
    assert report["errors"] == []
    final = inspect(data / "chroma", tmp_path / "after-rerun")
    assert_whole(final)
    assert versions(final) == {f"n{n:02d}": {"2"} for n in range(DOCS)}
    assert final["records"] == sum(final["manifest"].values())  # the interrupted run's orphans are gone


def directory_counts(url: str) -> tuple[int, int, int, bool]:
    """(organisations, procurements, awards, whether a version token was written) in the directory."""
    database = Database(url)
    try:
        with database.transaction() as session:
            def count(model: Any) -> int:
                return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
            versioned = session.get(DirectoryMeta, "version") is not None
            return count(Organization), count(Procurement), count(Award), versioned
    finally:
        database.dispose()


def test_directory_import_killed_half_way_keeps_whole_files_and_the_rerun_finishes(
        tmp_path: Path, database_url: str) -> None:
    files = []
    for f in range(4):
        lines = [json.dumps({"type": "organization", "id": f"f{f}-{kind}-{j}", "name": f"{kind} {f}-{j}",
                             "kind": kind, "country": "DK"}) for j in range(1500) for kind in ("buyer", "supplier")]
        lines += [json.dumps({"type": "procurement", "id": f"f{f}-p-{j}", "buyer": f"f{f}-buyer-{j}",
                              "title": f"Elcykler til hjemmeplejen {j}", "cpv": ["34430000"], "year": 2024,
                              "suppliers": [f"f{f}-supplier-{j}"]}) for j in range(1500)]
        files.append(tmp_path / f"f{f}.jsonl")
        files[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = environment(tmp_path / "data", INNOBROKER_DATABASE_URL=database_url)
    killed = cli(env, "directory", "import", *map(str, files))
    assert killed.stderr is not None
    for line in killed.stderr:
        if "f2.jsonl" in line:  # f0 and f1 are committed, f2's transaction has just begun
            killed.send_signal(signal.SIGKILL)
            break
    killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    prefixes = [(3000 * n, 1500 * n, 1500 * n, n > 0) for n in range(5)]
    state = directory_counts(database_url)
    assert state in prefixes[2:4], state  # whole files only: two (or, on a slow machine, three), never a part
    rerun = cli(env, "directory", "import", "--json", *map(str, files))
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err[-2000:]
    assert [item["status"] for item in json.loads(out)["files"]] == ["imported"] * 4
    assert directory_counts(database_url) == prefixes[4]
