"""Workspace installs over OAuth: slack-sdk's SQLAlchemy stores on our database, called off the event loop.

The tables (``slack_installations``, ``slack_bots``, ``slack_oauth_states``) come from our Alembic migration,
so several replicas share installations through the same database.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.config import SlackSettings

log = logging.getLogger(__name__)
STATE_EXPIRY_S = 600
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


class DatabaseInstallationStore(AsyncInstallationStore):
    """Installations and bot tokens per workspace, in the shared database."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Store a completed installation (and its bot)."""
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        """Store a bot installation."""
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        """The latest bot installation of a workspace or organisation."""
        return await asyncio.to_thread(self.store.find_bot, enterprise_id=enterprise_id, team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        """The latest installation of a workspace (for a user when given)."""
        return await asyncio.to_thread(self.store.find_installation, enterprise_id=enterprise_id, team_id=team_id,
                                       user_id=user_id, is_enterprise_install=is_enterprise_install)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's bot (tokens revoked, app uninstalled)."""
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        """Forget a workspace's installations."""
        await asyncio.to_thread(self.store.delete_installation, enterprise_id=enterprise_id, team_id=team_id,
                                user_id=user_id)


class DatabaseStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values, shared by replicas."""

    def __init__(self, engine: Engine) -> None:
        self.store = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRY_S, engine=engine, logger=log)

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state value."""
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        """True once for a valid, unexpired state."""
        return await asyncio.to_thread(self.store.consume, state)


def oauth_settings(slack: SlackSettings, engine: Engine) -> AsyncOAuthSettings:
    """Bolt's OAuth settings for a multi-workspace install."""
    if not (slack.client_id and slack.client_secret):
        raise ValueError("OAuth needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    return AsyncOAuthSettings(
        client_id=slack.client_id, client_secret=slack.client_secret.get_secret_value(), scopes=list(slack.scopes),
        user_scopes=[], redirect_uri=slack.redirect_uri, install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
        installation_store=DatabaseInstallationStore(slack.client_id, engine), state_store=DatabaseStateStore(engine),
    )
