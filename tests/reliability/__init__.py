"""Reliability, security, fuzzing and operations tests (issue 8)."""
