"""A scripted OpenAI-compatible ``/v1/chat/completions`` endpoint on loopback: the only model double, at the edge.

Each request takes the next scripted ``Turn`` (or asks ``responder``): a JSON completion, or server-sent events when
the client asked for a stream, an HTTP error with ``Retry-After``, a slow answer (for timeouts) or malformed JSON.
Every request body is recorded, with the times the first and last stream chunks were sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Turn:
    """One scripted model reply."""

    text: str = ""
    status: int = 200
    retry_after_ms: int | None = None
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    malformed: bool = False  # non-stream: a truncated JSON body; stream: ``text``, then a broken event


@dataclass
class Received:
    """One request the bot made, and when it was answered."""

    body: dict[str, Any]
    auth: str | None
    at: float
    first_chunk_at: float | None = None
    last_chunk_at: float | None = None
    path: str = ""
    api_key: str | None = None

    @property
    def stream(self) -> bool:
        """Whether the client asked for server-sent events."""
        return bool(self.body.get("stream"))

    @property
    def prompt(self) -> str:
        """All message contents, for assertions."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))

    def message(self, role: str) -> str:
        """The content of the first message with ``role``."""
        return next(str(m.get("content", "")) for m in self.body.get("messages", []) if m.get("role") == role)


@dataclass
class FakeChat:
    """The fake's script and what it received; ``url`` is the ``base_url`` to configure."""

    url: str = ""
    turns: deque[Turn] = field(default_factory=deque)
    responder: Callable[[Received], Turn] | None = None
    received: list[Received] = field(default_factory=list)

    def script(self, *turns: Turn | str) -> FakeChat:
        """Queue replies in order (a string is a plain good reply)."""
        self.turns.extend(Turn(text=t) if isinstance(t, str) else t for t in turns)
        return self

    def next_turn(self, request: Received) -> Turn:
        """The scripted reply for ``request``; a 500 error when the script ran out (a test bug shows loudly)."""
        if self.turns:
            return self.turns.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Turn(status=500, text="no scripted reply left")


def _chunks(text: str) -> list[str]:
    """Split like a tokenizer would: words with their following spaces, so sentences arrive over several chunks."""
    return re.findall(r"\S+\s*|\s+", text)


def _completion(text: str, model: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }).encode()


def _event(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


@contextmanager
def fake_chat_server() -> Iterator[FakeChat]:
    """Serve the fake on a free loopback port for the duration of the block."""
    fake = FakeChat()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            request = Received(body, self.headers.get("Authorization"), time.perf_counter(), path=self.path,
                               api_key=self.headers.get("api-key"))
            fake.received.append(request)
            if not self.path.split("?", 1)[0].endswith("/chat/completions"):
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            turn = fake.next_turn(request)
            time.sleep(turn.delay_s)
            model = str(body.get("model", "fake"))
            if turn.status != 200:
                headers = {"retry-after-ms": str(turn.retry_after_ms), "Retry-After": "1"}
                if turn.retry_after_ms is None:
                    headers = {}
                error = {"error": {"message": turn.text or "error", "type": "server_error", "code": None}}
                self._send(turn.status, json.dumps(error).encode(), headers)
            elif request.stream:
                self._stream(request, turn, model)
            elif turn.malformed:
                self._send(200, b'{"id": "chatcmpl-fake", "choices": [{"index": 0, "message": {"content": "Ja')
            else:
                self._send(200, _completion(turn.text, model))

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, request: Received, turn: Turn, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(_event(model, {"role": "assistant", "content": ""}))
            for piece in _chunks(turn.text):
                time.sleep(turn.chunk_delay_s)
                self.wfile.write(_event(model, {"content": piece}))
                request.last_chunk_at = time.perf_counter()
                request.first_chunk_at = request.first_chunk_at or request.last_chunk_at
            if turn.malformed:  # the text so far, then a broken event
                self.wfile.write(b'data: {"choices": [{"delta": {"content": "Ja\n\n')
                return
            self.wfile.write(_event(model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")

        def log_message(self, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            """A client that timed out closed the socket under a slow reply: expected, not a test failure."""

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
