"""An OpenAI-compatible ``/v1/embeddings`` endpoint on loopback that can stop answering at a chosen request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers import fake_vector


@dataclass
class BlockingEmbeddings:
    """Counts requests; request number ``block_at`` (1-based) is held until ``release`` is set."""

    url: str = ""
    requests: int = 0
    block_at: int | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arrive(self) -> bool:
        """Count a request; True when it is the one to hold."""
        with self.lock:
            self.requests += 1
            held = self.requests == self.block_at
        if held:
            self.reached.set()
        return held


@contextmanager
def embeddings_server() -> Iterator[BlockingEmbeddings]:
    """Serve deterministic word-hash vectors (``tests.servers.fake_vector``) for the duration of the block."""
    state = BlockingEmbeddings()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.arrive():
                state.release.wait(120)
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [{"object": "embedding", "index": i, "embedding": fake_vector(str(t))} for i, t in enumerate(inputs)]
            payload = json.dumps({"object": "list", "data": data, "model": body.get("model"),
                                  "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
            with suppress(OSError):  # the client may have been killed meanwhile
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
