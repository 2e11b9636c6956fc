"""Read Markdown, text, HTML, PDF and DOCX files into heading-marked text plus metadata.

Every loader returns text in which headings are Markdown ``#`` lines, so that one structure-aware
chunker (``sections.py``) serves all formats. Bad files raise ``LoadError`` with a reason a user
can act on; the caller reports it and moves on.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf", ".docx"}
MAX_FILE_BYTES = 50 * 1024 * 1024

# Well-known acts and their customary abbreviations, so citations read "LOU 6 kap. 30 §".
_SFS_ABBREVIATIONS = {"2016:1145": "LOU", "2016:1146": "LUF", "2016:1147": "LUK", "2016:1162": "UF"}


class LoadError(ValueError):
    """A file that cannot be ingested, with the reason."""


@dataclass
class LoadedDocument:
    """A file's text (headings as ``#`` lines) and the metadata found in it."""

    text: str
    title: str
    format: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def law(self) -> str:
        """Abbreviation of the act (``LOU``, ``GWB``) used to prefix citations, if known."""
        if self.meta.get("law"):
            return str(self.meta["law"])
        if self.meta.get("jurabk"):
            return str(self.meta["jurabk"]).split()[0]
        return _SFS_ABBREVIATIONS.get(str(self.meta.get("beteckning", "")), "")


def load_file(path: Path) -> LoadedDocument:
    """Load one file by its suffix; raise ``LoadError`` when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type '{suffix or path.name}'")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise LoadError("file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if suffix == ".pdf":
        doc = _load_pdf(data)
    elif suffix == ".docx":
        doc = _load_docx(data)
    else:
        text = _decode_text(data)
        if suffix in (".html", ".htm"):
            doc = _load_html(text)
        elif suffix in (".md", ".markdown"):
            doc = _load_markdown(text)
        else:
            doc = LoadedDocument(text=text, title="", format="text")
    if not doc.text.strip():
        raise LoadError("no text found in file")
    if not doc.title:
        doc.title = _first_heading(doc.text) or path.stem.replace("-", " ").replace("_", " ")
    return doc


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("binary content in a text file (is the extension wrong?)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(f"broken UTF-16 text: {exc.reason}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8 and ingest it again"
        ) from exc


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _load_markdown(text: str) -> LoadedDocument:
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            raise LoadError(f"invalid YAML front matter: {exc}") from exc
        if isinstance(loaded, dict):
            meta = {str(k).lower(): v for k, v in loaded.items()}
        text = text[match.end():]
    title = str(meta.get("title") or meta.get("rubrik") or "")
    return LoadedDocument(text=text, title=title, format="markdown", meta=meta)


def _load_html(text: str) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "footer"]):
        tag.decompose()
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n\n{'#' * level} {heading.get_text(' ', strip=True)}\n\n")
    for block in soup.find_all(["p", "li", "div", "br", "tr"]):
        block.insert_after("\n")
    title = soup.title.get_text(strip=True) if soup.title else ""
    body = soup.body or soup
    lines = [line.strip() for line in body.get_text().splitlines()]
    return LoadedDocument(text="\n".join(lines), title=title, format="html")


def _load_pdf(data: bytes) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except LoadError:
        raise
    except PdfReadError as exc:
        raise LoadError(f"corrupt or unreadable PDF: {exc}") from exc
    except Exception as exc:  # a damaged file makes the parser fail in any number of ways: all mean "unreadable"
        raise LoadError(f"corrupt or unreadable PDF: {type(exc).__name__}: {exc}") from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise LoadError("PDF has no extractable text (scanned images need OCR first)")
    return LoadedDocument(text=text, title=title, format="pdf")


def _load_docx(data: bytes) -> LoadedDocument:
    try:
        return _read_docx(data)
    except Exception as exc:  # zip, deflate, XML or package errors of a damaged file: all mean "unreadable"
        raise LoadError(f"corrupt or unreadable DOCX: {type(exc).__name__}: {exc}") from exc


def _read_docx(data: bytes) -> LoadedDocument:
    from docx import Document as open_docx

    document = open_docx(io.BytesIO(data))
    lines: list[str] = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if level:
            lines.append(f"{'#' * int(level.group(1))} {paragraph.text.strip()}")
        elif style == "Title":
            lines.append(f"# {paragraph.text.strip()}")
        else:
            lines.append(paragraph.text)
    title = document.core_properties.title or ""
    return LoadedDocument(text="\n".join(lines), title=title, format="docx")


def _first_heading(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""
