"""Every supported format loads; every kind of bad file is refused with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.loaders import LoadError, load_file
from tests.docs import DK_NOTE, write_docx, write_pdf


def test_markdown_front_matter(tmp_path: Path) -> None:
    doc = load_file(_write(tmp_path / "n.md", DK_NOTE))
    assert doc.title == "Markedsdialog før et udbud"
    assert doc.meta["jurisdiction"] == "DK"
    assert "## Udbudsloven § 39" in doc.text


def test_plain_text_and_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "rules.txt"
    path.write_bytes("\ufeff§ 39. Ordregiveren kan foretage markedsundersøgelser.".encode())
    assert load_file(path).text.startswith("§ 39.")


def test_html_headings_become_markdown(tmp_path: Path) -> None:
    html = "<html><head><title>VgV</title><script>x()</script></head><body><h2>§ 28 Markterkundung</h2>" \
           "<p>Vor der Einleitung eines Vergabeverfahrens darf der Auftraggeber Markterkundungen durchführen.</p>" \
           "</body></html>"
    doc = load_file(_write(tmp_path / "vgv.html", html))
    assert doc.title == "VgV"
    assert "## § 28 Markterkundung" in doc.text
    assert "x()" not in doc.text


def test_pdf_text_layer(tmp_path: Path) -> None:
    doc = load_file(write_pdf(tmp_path / "a.pdf", ["Article 40 Preliminary market consultations",
                                                     "Contracting authorities may conduct market consultations."]))
    assert "market consultations" in doc.text


def test_docx_headings(tmp_path: Path) -> None:
    doc = load_file(write_docx(tmp_path / "a.docx", "Guide", [("§ 39 Markedsdialog", "Ordregiveren kan ...")]))
    assert "## § 39 Markedsdialog" in doc.text


@pytest.mark.parametrize(
    ("name", "payload", "reason"),
    [
        ("corrupt.pdf", b"%PDF-1.4\n1 0 obj garbage", "PDF"),
        ("binary.txt", b"\x00\x01\x02\x03ELF\x00\x00", "binary"),
        ("empty.md", b"   \n", "empty"),
        ("latin1.txt", "Udbudsloven gælder for ordregivere".encode("latin-1"), "UTF-8"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "DOCX"),
        ("image.png", b"\x89PNG\r\n", "unsupported"),
        ("bad-front-matter.md", b"---\ntitle: [unclosed\n---\nText", "front matter"),
    ],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, name: str, payload: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(LoadError, match=reason):
        load_file(path)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
