"""The Teams surface: a thin translator between Microsoft Teams (M365 Agents SDK, Adaptive Cards) and the core.

Import ``bot.handlers.teams.surface`` for the server; this package itself stays light so ``innobroker
teams-package`` does not load the SDK.
"""
