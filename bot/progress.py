"""Terminal progress feedback: a bar on a TTY, occasional lines otherwise, nothing with --json."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any


class TerminalProgress:
    """A ``(stage, done, total)`` callback that draws a rich progress bar on stderr."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._last_line = 0.0

    def __enter__(self) -> TerminalProgress:
        if self.enabled and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                transient=True,
            )
            self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            now = time.monotonic()
            if stage == "embedding" and (now - self._last_line > 5 or done == total):
                print(f"{stage}: {done}/{total} chunks", file=sys.stderr, flush=True)
                self._last_line = now
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage.capitalize(), total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)
