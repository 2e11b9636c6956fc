"""Settings of the chat platforms: Slack (``SLACK_*`` secrets) and Teams (the Agents SDK's ``CONNECTIONS__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

SLACK_DEFAULT_SCOPES = (
    "app_mentions:read", "assistant:write", "chat:write", "chat:write.public", "commands", "im:history", "im:write",
    "reactions:write", "channels:read", "groups:read", "users:read", "users:read.email",
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


TEAMS_SDK_ENV = ("CONNECTIONS__", "CONNECTIONSMAP__")
_TEAMS_SERVICE = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


class TeamsSettings(BaseModel):
    """How to reach Teams; credentials are the Agents SDK's ``CONNECTIONS__*`` variables (see docs/teams.md)."""

    sdk_env: dict[str, SecretStr] = Field(default_factory=dict)
    app_id: str | None = None
    broker_channel: str | None = None
    reply_budget_s: float = 10.0
    stream_after_s: float = 2.0
    typing_every_s: float = 3.0

    def sdk_setting(self, name: str) -> str | None:
        """One ``SERVICE_CONNECTION`` setting, e.g. ``CLIENTID``."""
        value = self.sdk_env.get(_TEAMS_SERVICE + name)
        return value.get_secret_value() if value is not None else None

    @property
    def client_id(self) -> str | None:
        """The bot's Microsoft App ID (Entra application or managed identity client id)."""
        return self.sdk_setting("CLIENTID") or None

    @property
    def anonymous(self) -> bool:
        """Unauthenticated requests accepted: local development and tests only."""
        return (self.sdk_setting("ANONYMOUS_ALLOWED") or "").strip().lower() in ("true", "1", "yes", "on")

    @property
    def configured(self) -> bool:
        """A service connection with a client id, or explicitly anonymous."""
        return self.client_id is not None or self.anonymous
