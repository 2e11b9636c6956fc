"""Helpers of the broker workflow tests: actors, a matcher over the sample directory, the core on a database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Settings, load_settings
from bot.conversations import ConversationStore
from bot.db import Database
from bot.matching.service import MatchService
from bot.workflows.service import Workflows
from bot.workflows.types import Actor, Channel

BROKER = Actor("slack", "T1", "UBROKER", "broker@example.org")
MEMBER = Actor("slack", "T1", "UMEMBER")
OTHER = Actor("slack", "T1", "UOTHER")
ADMIN = Actor("teams", "tenant-1", "29:1abc", "Admin@Example.org", aliases=("0b6f3c52-5a4e-4d1c-9f1e-2c3d4e5f6a7b",))
NETWORK = Channel("CNETWORK", "buyers-network")
NEED = "Electric bikes for home care staff"


def build_matcher(root: Path) -> MatchService:
    """The real matcher over the sample directory, without embeddings (fast, deterministic)."""
    settings = load_settings(environ={}, overrides={"data_dir": root, "matching": {"embed_limit": 0}})
    matcher = MatchService(settings)
    matcher.index()
    return matcher


def workflow_settings(data_dir: Path, **workflows: Any) -> Settings:
    """Settings with one broker (by id) and one admin (by e-mail), plus any other ``workflows`` settings."""
    roles = {"brokers": ["UBROKER"], "admins": ["admin@example.org"], **workflows}
    return load_settings(environ={}, overrides={"data_dir": data_dir, "matching": {"embed_limit": 0},
                                                "workflows": roles})


def make_workflows(database: Database, matcher: MatchService, data_dir: Path, **workflows: Any) -> Workflows:
    """The core on ``database`` (SQLite or PostgreSQL) with the shared matcher."""
    return Workflows(workflow_settings(data_dir, **workflows), ConversationStore(database), matcher)
