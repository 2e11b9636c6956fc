"""Surfaces: thin translators between a platform (console, Slack, Teams) and the neutral core."""
