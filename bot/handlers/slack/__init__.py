"""The Slack surface: a thin translator between Slack (Bolt, Block Kit) and the neutral core in ``bot.assistant``."""

from bot.handlers.slack.surface import SlackSurface

__all__ = ["SlackSurface"]
