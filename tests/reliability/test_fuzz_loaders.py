"""Fuzz the document loaders and the chunker behind ``innobroker ingest``: any bytes saved as Markdown, text, HTML,
PDF or DOCX (random, or real documents with bytes flipped, cut or inserted) load into text that splits into chunks,
or raise ``LoadError`` with a reason; nothing else escapes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge.loaders import LoadError, load_file
from bot.knowledge.sections import split_sections
from tests.docs import DK_NOTE, write_docx, write_pdf
from tests.reliability.fuzzing import mutated

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])
SUFFIXES = [".md", ".txt", ".html", ".pdf", ".docx"]
HTML = ("<html><head><title>Udbudsloven</title><script>x()</script></head><body><h1>Udbudsloven</h1>"
        "<h2>§ 39. Markedsundersøgelser</h2><p>En ordregiver må gerne tale med leverandører.</p>"
        "<ul><li>Stk. 2. Ligebehandling.</li></ul><table><tr><td>§ 40</td></tr></table></body></html>")


def _seeds() -> list[tuple[str, bytes]]:
    with tempfile.TemporaryDirectory() as folder:
        pdf = write_pdf(Path(folder) / "law.pdf", ["Udbudsloven", "§ 39. En ordregiver må tale med leverandører."])
        docx = write_docx(Path(folder) / "note.docx", "Markedsdialog",
                          [("§ 39 – Markedsundersøgelser", "En ordregiver må gerne tale med leverandører."),
                           ("§ 40 – Inddragelse", "Leverandøren må kun udelukkes, hvis …")])
        return [(".md", DK_NOTE.encode()), (".txt", DK_NOTE.split("---", 2)[2].encode()), (".html", HTML.encode()),
                (".pdf", pdf.read_bytes()), (".docx", docx.read_bytes())]


SEEDS = _seeds()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-load-") as folder:
        yield Path(folder)


def check(workdir: Path, suffix: str, data: bytes) -> bool:
    """Load ``data`` as a file and chunk it like ingest does; True when it loaded, False on a clear LoadError."""
    path = workdir / f"input{suffix}"
    path.write_bytes(data)
    try:
        document = load_file(path)
    except LoadError as exc:
        assert str(exc).strip()
        return False
    assert document.text.strip() and document.title
    markdown = document.format in ("markdown", "html", "docx") or None
    chunks = split_sections(document.text, document.title, markdown=markdown)
    assert all(chunk.text.strip() for chunk in chunks)
    return True


def test_the_seeds_load(workdir: Path) -> None:
    assert all(check(workdir, suffix, data) for suffix, data in SEEDS)


@FUZZ
@given(sample=mutated(SEEDS))
def test_mutated_documents_load_or_are_refused_with_a_reason(workdir: Path, sample: tuple[str, bytes]) -> None:
    check(workdir, *sample)


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(min_size=1, max_size=600)
       | st.builds(lambda head, tail: head + tail, st.sampled_from(
           [b"%PDF-1.4\n", b"PK\x03\x04", b"---\n", b"<html>", b"\xff\xfe", b"\xef\xbb\xbf"]), st.binary(max_size=400)))
def test_random_bytes_load_or_are_refused_with_a_reason(workdir: Path, suffix: str, data: bytes) -> None:
    check(workdir, suffix, data)


@FUZZ
@given(suffix=st.sampled_from([".md", ".txt", ".html"]), front=st.text(max_size=120), body=st.text(max_size=600)
       | st.lists(st.sampled_from(["# ", "## ", "§ 39", "Stk. 2.", "(2)", "6 kap.", "30 §", "Artikel 40", "\n",
                                   "\n\n", "Kapitel 6", "<h2>", "</h2>", "text ", "---\n", "`", "|"]), max_size=60)
       .map("".join))
def test_any_text_with_front_matter_loads_and_chunks(workdir: Path, suffix: str, front: str, body: str) -> None:
    check(workdir, suffix, f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))
