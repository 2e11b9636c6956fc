"""Split legal text along its structure so that every chunk names its provision.

Recognised markers: Markdown headings; Swedish "6 kap." chapters and "30 §" paragraphs; German and
Danish "§ 119" paragraphs; "Article 40"/"Artikel 40"/"Art. 40"; "Kapitel 6"; Danish "Stk. 2." and
German "(2)" sub-paragraphs, which become their own chunks ("§ 39, stk. 2", "§ 97 Abs. 4") when a
provision is too long for one chunk. Guideline-note headings "Udbudsloven § 39 – Markedsdialog" cite
the part before the dash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

MAX_CHARS = 1400
_OVERLAP = 150

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SE_CHAPTER = re.compile(r"^(\d+(?:\s?[a-z])?\s?kap\.)(?:\s+(.*))?$")
_KAPITEL = re.compile(r"^((?:Kapitel|Kapitel|Chapter|KAPITEL)\s+\w+)\b\.?\s*(.*)$")
_SE_PARAGRAPH_HEADING = re.compile(r"(?:^|\s)(\d+(?:\s?[a-z])?\s§)\s*$")
_SE_PARAGRAPH_LINE = re.compile(r"^(\d+(?:\s?[a-z])?\s§)\s+(\S.*)$")
_PARAGRAPH_HEADING = re.compile(r"^(?:\(\w+\)\s*)?(§{1,2}\s*\d+[a-z]?)\b\.?\s*(.*)$")
_DK_PARAGRAPH_LINE = re.compile(r"^(§\s*\d+\s?[a-z]?)\.\s+(\S.*)$")
_DE_PARAGRAPH_LINE = re.compile(r"^(§\s*\d+[a-z]?)\s+([A-ZÄÖÜ][^.]{2,80})$")
_ARTICLE = re.compile(r"^((?:Article|Artikel|Art\.|Artikkel)\s*\d+[a-z]?)\b\.?\s*(.*)$", re.IGNORECASE)
_NOTE_CITATION = re.compile(r"^(.*?(?:§|[Aa]rt(?:ikel|icle)?\.?\s*\d|kap\.).*?)\s+[–—]\s+(.+)$")
_STK = re.compile(r"^(Stk\.\s*\d+)\.?\s", re.MULTILINE)
_ABS = re.compile(r"^\((\d+[a-z]?)\)\s", re.MULTILINE)

_splitter = RecursiveCharacterTextSplitter(chunk_size=MAX_CHARS, chunk_overlap=_OVERLAP)


@dataclass
class Chunk:
    """A piece of a document with the provision it belongs to."""

    section: str
    heading_path: tuple[str, ...]
    text: str
    start: int = 0

    def context(self, title: str) -> str:
        """Text used for embedding and keyword search: title and headings, then the body."""
        path = " › ".join(p for p in (title, *self.heading_path) if p)
        return f"{path}\n{self.text}" if path else self.text


def _classify(line: str, markdown: bool) -> tuple[str, str, str] | None:
    """Return (kind, label, rest) for a structural line, or None for body text."""
    heading = _HEADING.match(line)
    text = heading.group(2) if heading else line.strip()
    if heading:
        note = _NOTE_CITATION.match(text)
        if note:
            return "provision", note.group(1).strip(), note.group(2).strip()
        for pattern, kind in ((_SE_CHAPTER, "chapter"), (_KAPITEL, "chapter"), (_ARTICLE, "provision"),
                              (_PARAGRAPH_HEADING, "provision")):
            match = pattern.match(text)
            if match:
                label = re.sub(r"§\s*", "§ ", match.group(1)).strip()
                return kind, label, (match.group(2) or "").strip()
        se_para = _SE_PARAGRAPH_HEADING.search(text)
        if se_para:
            return "se_paragraph", se_para.group(1), ""
        return "heading", text, ""
    if markdown:
        return None
    for pattern, kind in ((_SE_CHAPTER, "chapter"), (_KAPITEL, "chapter"), (_SE_PARAGRAPH_LINE, "se_paragraph"),
                          (_DK_PARAGRAPH_LINE, "provision"), (_DE_PARAGRAPH_LINE, "provision"),
                          (_ARTICLE, "provision")):
        match = pattern.match(text)
        if match and len(text) < 400:
            label = re.sub(r"§\s*", "§ ", match.group(1)).strip()
            rest = (match.group(2) or "").strip()
            return kind, label, rest
    return None


def split_sections(text: str, title: str = "", markdown: bool | None = None) -> list[Chunk]:
    """Split ``text`` into chunks that each carry their provision label and heading path."""
    if markdown is None:
        markdown = bool(re.search(r"^#{1,6}\s", text, re.MULTILINE))
    chunks: list[Chunk] = []
    chapter = ""
    headings: dict[int, str] = {}
    section = ""
    body: list[str] = []
    offset = 0
    start = 0

    def flush() -> None:
        content = "\n".join(body).strip()
        if content:
            path = tuple(headings[k] for k in sorted(headings))
            chunks.extend(_sized(section or (path[-1] if path else title), path, content, start))
        body.clear()

    for line in text.splitlines(keepends=True):
        kind_label = _classify(line.rstrip("\n"), markdown)
        if kind_label is None:
            body.append(line.rstrip("\n"))
            offset += len(line)
            continue
        flush()
        start = offset
        offset += len(line)
        kind, label, rest = kind_label
        level_match = _HEADING.match(line)
        level = len(level_match.group(1)) if level_match else 7
        for deeper in [k for k in headings if k >= level]:
            del headings[deeper]
        shown = f"{label} {rest}".strip() if kind != "heading" else label
        headings[level] = shown
        if kind == "chapter":
            chapter = label if _SE_CHAPTER.match(label) else ""
            section = label
        elif kind == "se_paragraph":
            section = f"{chapter} {label}".strip()
        elif kind == "provision":
            section = label
        elif level <= 2:
            section = ""
        if not markdown and rest and kind != "chapter":
            body.append(rest)
    flush()
    return chunks


def _sized(section: str, path: tuple[str, ...], content: str, start: int) -> list[Chunk]:
    """Keep a provision whole when it fits; else split by Stk./(n), then by size."""
    if len(content) <= MAX_CHARS:
        return [Chunk(section, path, content, start)]
    pieces = _split_subparagraphs(section, content)
    result: list[Chunk] = []
    for label, piece in pieces:
        for part in _splitter.split_text(piece) if len(piece) > MAX_CHARS else [piece]:
            result.append(Chunk(label, path, part, start + max(content.find(part[:60]), 0)))
    return result


def _split_subparagraphs(section: str, content: str) -> list[tuple[str, str]]:
    for pattern, fmt in ((_STK, "{section}, {sub}"), (_ABS, "{section} Abs. {sub}")):
        marks = list(pattern.finditer(content))
        if len(marks) < 2:
            continue
        pieces = []
        if marks[0].start() > 0:
            pieces.append((section, content[: marks[0].start()].strip()))
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(content)
            sub = mark.group(1).lower() if pattern is _STK else mark.group(1)
            pieces.append((fmt.format(section=section, sub=sub), content[mark.start():end].strip()))
        return [(label, text) for label, text in pieces if text]
    return [(section, content)]
