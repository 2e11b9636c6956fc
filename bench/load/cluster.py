"""The system under load: a small knowledge base, ``innobroker serve`` processes, a PostgreSQL schema, Chroma.

Everything listens on 127.0.0.1. Each replica is a real ``python -m bot serve`` child process with Slack and
anonymous Teams configured (the Slack Web API and the Bot Connector are the benchmark's fakes).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.docs import DK_NOTE, SE_NOTE
from tests.slack.conftest import DE_NOTE
from tests.slack.harness import SECRET

ROOT = Path(__file__).resolve().parents[2]
PG_HOST, PG_PORT = "127.0.0.1", 5432
ANONYMOUS_TEAMS = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED"


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path, api_url: str = "http://127.0.0.1:9/api/", database_url: str | None = None,
                chroma_url: str | None = None, workers: int = 2) -> dict[str, str]:
    """A serve process's environment: Slack secrets, anonymous Teams (load runs only), where its state lives."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "INNOBROKER_", "CONNECTIONS__", "CONNECTIONSMAP__", "OPENAI_"))}
    env.update({"SLACK_BOT_TOKEN": "xoxb-load", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url,
                ANONYMOUS_TEAMS: "true", "INNOBROKER_DATA_DIR": str(data_dir), "INNOBROKER_LOG_LEVEL": "WARNING",
                "INNOBROKER_CHAT__WORKERS": str(workers), "INNOBROKER_MATCHING__EMBED_LIMIT": "0"})
    if database_url:
        env["INNOBROKER_DATABASE_URL"] = database_url
    if chroma_url:
        env["INNOBROKER_CHROMA_URL"] = chroma_url
    return env


async def prepare_knowledge(work: Path, chroma_url: str | None = None, timeout: float = 180) -> Path:
    """Ingest three small notes (5 chunks) into a fresh data directory, or into the Chroma server; return it."""
    notes = work / "notes"
    notes.mkdir(parents=True, exist_ok=True)
    for name, text in (("dk.md", DK_NOTE), ("se.md", SE_NOTE), ("de.md", DE_NOTE)):
        (notes / name).write_text(text, encoding="utf-8")
    data = work / "data"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "ingest", str(notes), "--json", cwd=ROOT,
        env=environment(data, chroma_url=chroma_url), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    if process.returncode != 0 or b'"added": 3' not in out:
        raise RuntimeError(f"ingest failed ({process.returncode}): {out.decode()} {err.decode()[-2000:]}")
    return data


@dataclass
class Replica:
    """One ``innobroker serve`` child process."""

    name: str
    port: int
    process: asyncio.subprocess.Process
    log: Path

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def cpu_s(self) -> float | None:
        """CPU time (user + system, all threads) the process has used so far."""
        with suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
        return None

    def rss_mb(self) -> float | None:
        """Resident memory of the process in MiB (None once it is gone)."""
        with suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
        return None


async def start_replica(name: str, data_dir: Path, env: dict[str, str], log_dir: Path) -> Replica:
    """Start ``python -m bot serve`` on a free port (not yet waiting for it)."""
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as handle:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port), cwd=ROOT, env=env,
            stdout=handle, stderr=handle)
    return Replica(name, port, process, log)


async def wait_ready(replica: Replica, timeout: float) -> float:
    """Wait until ``/healthz`` answers; return how long that took; raise with the log's tail when it does not."""
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - started < timeout:
            if replica.process.returncode is not None:
                break
            with suppress(aiohttp.ClientError, OSError):
                async with session.get(f"{replica.url}/healthz") as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            await asyncio.sleep(0.25)
    tail = replica.log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"{replica.name} did not become ready (exit {replica.process.returncode}):\n{tail}")


async def stop(replica: Replica, timeout: float = 20) -> None:
    """SIGTERM (the server drains its requests), then SIGKILL if it has not exited in time."""
    if replica.process.returncode is not None:
        return
    replica.process.terminate()
    try:
        await asyncio.wait_for(replica.process.wait(), timeout)
    except TimeoutError:
        replica.process.kill()
        await replica.process.wait()


def copy_data(source: Path, target: Path) -> Path:
    """A replica's own copy of the prepared data directory (embedding cache, keyword index)."""
    shutil.copytree(source, target)
    return target


def postgres_available() -> bool:
    """Whether something listens on the PostgreSQL port."""
    with suppress(OSError), socket.create_connection((PG_HOST, PG_PORT), timeout=1):
        return True
    return False


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A throw-away schema in database ``test`` (trust auth); yields a URL whose search_path is that schema."""
    import sqlalchemy as sa

    schema = f"ib_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test")
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
