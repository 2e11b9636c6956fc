"""Fixtures of the reliability tests: the real server with both surfaces, the fakes at the edge, the real services
(defined in ``support.py`` so that other test folders can import them too)."""

from __future__ import annotations

from tests.reliability import support

services = support.services
fake = support.fake
connector = support.connector
make_server = support.make_server
server = support.server
brokered = support.brokered
