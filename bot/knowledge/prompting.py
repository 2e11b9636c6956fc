"""Prompts live in versioned Markdown files (``bot/knowledge/prompts/*.md``); this module loads and fills them.

A prompt file has front matter with ``name`` and ``version`` (recorded in every generated answer), then a
``## system`` and a ``## user`` section. Placeholders are ``$name`` (``string.Template``), so braces and
dollar signs in retrieved text can never be taken for placeholders: values are substituted, never re-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

import yaml

from bot.knowledge.llm import ChatMessage

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"
LANGUAGE_NAMES = {"da": "Danish", "sv": "Swedish", "de": "German", "en": "English"}
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


class PromptError(ValueError):
    """A prompt file is missing or malformed."""


@dataclass(frozen=True)
class Prompt:
    """A system and a user template with the version that identifies them."""

    name: str
    version: str
    system: Template
    user: Template

    def messages(self, **values: str) -> list[ChatMessage]:
        """The filled-in system and user messages; every placeholder must be given."""
        try:
            return [ChatMessage("system", self.system.substitute(values).strip()),
                    ChatMessage("user", self.user.substitute(values).strip())]
        except KeyError as exc:
            raise PromptError(f"prompt {self.name} needs a value for {exc}") from exc


def parse_prompt(text: str, origin: str) -> Prompt:
    """Parse one prompt file's text."""
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.DOTALL)
    if not match:
        raise PromptError(f"{origin}: no front matter")
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict) or not meta.get("name") or not meta.get("version"):
        raise PromptError(f"{origin}: front matter needs name and version")
    parts = _SECTION.split(match.group(2))
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise PromptError(f"{origin}: needs a '## system' and a '## user' section")
    return Prompt(str(meta["name"]), str(meta["version"]), Template(sections["system"].strip()),
                  Template(sections["user"].strip()))


@cache
def load_prompt(name: str, directory: Path = PROMPT_DIR) -> Prompt:
    """The prompt ``name`` from ``directory`` (read once per process)."""
    path = directory / f"{name}.md"
    try:
        return parse_prompt(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise PromptError(f"cannot read prompt {path}: {exc}") from exc


def language_name(language: str) -> str:
    """The English name of one of our languages, as prompts use it."""
    return LANGUAGE_NAMES.get(language, "English")
