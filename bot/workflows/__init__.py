"""Broker and network workflows: roles, pushes into channels, intro follow-up, member profiles and peers,
challenges, digests, reports and erasure. Platform-neutral; the Slack and Teams handlers render the results.

Start at ``bot.workflows.service.Workflows`` (``Workflows.of(assistant)``); the types are in ``bot.workflows.types``.
"""
