"""The terminal chat: a thin loop that turns typed lines into questions for the core."""

from __future__ import annotations

from typing import Any, TextIO

from bot.i18n import t
from bot.language import detect_language
from bot.types import Question

_EXIT = {"exit", "quit", ":q", "bye"}


def chat_loop(service: Any, stdin: TextIO, stdout: TextIO) -> int:
    """Read questions until EOF or 'exit'; print answers with numbered sources."""
    interactive = stdin.isatty()
    stdout.write(t("chat_welcome", "en") + "\n")
    history: list[str] = []
    while True:
        if interactive:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in _EXIT:
            break
        language = detect_language(text)
        answer = service.ask(Question(text=text, language=language, history=tuple(history[-4:])))
        history.append(text)
        stdout.write(answer.answer + "\n")
        for citation in answer.citations:
            if citation.url:
                stdout.write(f"  [{citation.n}] {citation.url}\n")
        stdout.flush()
    return 0
