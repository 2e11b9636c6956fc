"""Process logging: text or JSON lines, a request id carried through ack and answer, secrets never written.

``configure_logging`` installs one handler on the root logger. Every record gets the current request id (a context
variable set where a request enters: the HTTP middleware, Slack's event id, Teams' activity id), and the formatter
redacts tokens (``xoxb-…``, ``xapp-…``, ``Bearer …``, JWTs, API keys), every configured secret value, passwords in
URLs and, from INFO up, e-mail addresses, so a log line can be shared with a vendor without leaking anything.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from bot.config import Settings

REQUEST_ID: ContextVar[str | None] = ContextVar("innobroker_request_id", default=None)
REDACTED = "[redacted]"
_TOKENS = re.compile(
    r"\bxox[abposer]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+|\bsk-[A-Za-z0-9_-]{8,}"
    r"|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"
)
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@(?!thread\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")  # not Teams' 19:…@thread.v2
_SECRET_KEYS = re.compile(r"SECRET|PASSWORD|KEY|CERT|TOKEN", re.IGNORECASE)
MIN_SECRET_CHARS = 6
_SAFE_ID = re.compile(r"[A-Za-z0-9._:@-]{1,80}")


def new_request_id() -> str:
    """A short random request id."""
    return uuid.uuid4().hex[:16]


def set_request_id(value: str | None) -> str:
    """Make ``value`` the current request id when it is a plain id (it ends up in a response header and in log
    lines, so anything else, such as a line break, gets a new id instead); returns the id set."""
    request_id = value if value and _SAFE_ID.fullmatch(value) else new_request_id()
    REQUEST_ID.set(request_id)
    return request_id


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret's value: Slack tokens and secrets, API keys, the Teams SDK's secret variables."""
    found = [settings.slack.bot_token, settings.slack.signing_secret, settings.slack.app_token,
             settings.slack.client_secret, settings.embeddings.api_key, settings.llm.api_key]
    values = [s.get_secret_value() for s in found if s is not None]
    values += [v.get_secret_value() for k, v in settings.teams.sdk_env.items() if _SECRET_KEYS.search(k)]
    return [v for v in values if len(v) >= MIN_SECRET_CHARS]


class Redactor:
    """Removes secrets (and, for INFO and above, e-mail addresses) from text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        ordered = sorted(set(secrets), key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str, emails: bool = True) -> str:
        """``text`` with every secret (and e-mail address when ``emails``) replaced."""
        if self._secrets is not None:
            text = self._secrets.sub(REDACTED, text)
        text = _TOKENS.sub(REDACTED, text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
        return _EMAIL.sub("[email]", text) if emails else text


# Records a library writes with the request body in them, where our own code logs the same event without it.
_BODY_ECHOES = (("microsoft_agents.activity.activity", "Validation error for Activity"),)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (``-`` outside a request) to every record; drops library records that echo a body."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Drops only the library records that echo a request body (``_BODY_ECHOES``)."""
        record.request_id = REQUEST_ID.get() or "-"
        return not any(record.name == name and str(record.msg).startswith(start) for name, start in _BODY_ECHOES)


class TextFormatter(logging.Formatter):
    """``time level logger [request id]: message``, redacted."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """The redacted line, traceback included."""
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or "-"
        return self.redactor(super().format(record), emails=record.levelno >= logging.INFO)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id (and exc with the traceback), redacted."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """The redacted JSON line."""
        emails = record.levelno >= logging.INFO
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name,
            "msg": self.redactor(record.getMessage(), emails),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get() or None,
        }
        if record.exc_info:
            entry["exc"] = self.redactor(self.formatException(record.exc_info), emails)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Install the process's one log handler (replacing a previous one of ours); returns it."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "innobroker", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    redactor = Redactor(secret_values(settings))
    handler.setFormatter(JsonFormatter(redactor) if settings.log_format == "json" else TextFormatter(redactor))
    handler.addFilter(RequestIdFilter())
    handler.innobroker = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    return handler
