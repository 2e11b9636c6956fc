"""Section detection for the LOU, GWB, directive, Danish and guideline-note styles."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.loaders import load_file
from bot.knowledge.sections import MAX_CHARS, split_sections


def sections(text: str, markdown: bool | None = None) -> list[str]:
    return [c.section for c in split_sections(text, "Title", markdown)]


def test_swedish_chapters_and_paragraphs_in_markdown() -> None:
    text = "# LOU\n\n## 6 kap. Upphandlingsförfaranden\n\n#### 1 §\n\nFörfarandena är ...\n\n#### 30 §\n\nText.\n"
    assert sections(text) == ["6 kap. 1 §", "6 kap. 30 §"]


def test_swedish_paragraph_with_letter_and_garbled_prefix() -> None:
    text = "## 19 a kap. Direktupphandling\n\n#### 3 a §\n\nA.\n\n#### /24/ 11 §\n\nB.\n"
    assert sections(text) == ["19 a kap. 3 a §", "19 a kap. 11 §"]


def test_swedish_plain_text_paragraph_lines() -> None:
    text = "6 kap. Upphandlingsförfaranden\n30 § En upphandlande myndighet får ...\nmer text\n31 § Nästa.\n"
    found = split_sections(text, "LOU")
    assert [c.section for c in found] == ["6 kap. 30 §", "6 kap. 31 §"]
    assert found[0].text.startswith("En upphandlande myndighet")


def test_german_paragraph_headings() -> None:
    text = "## Teil 4\n\n###### § 119 Verfahrensarten\n\n(1) Die Vergabe erfolgt ...\n\n###### § 119a Neu\n\nX.\n"
    assert sections(text) == ["§ 119", "§ 119a"]


def test_long_german_paragraph_splits_by_absatz() -> None:
    body = "\n\n".join(f"({n}) " + "Wort " * 120 for n in range(1, 5))
    found = split_sections(f"#### § 97 Grundsätze der Vergabe\n\n{body}\n", "GWB")
    assert [c.section for c in found] == ["§ 97 Abs. 1", "§ 97 Abs. 2", "§ 97 Abs. 3", "§ 97 Abs. 4"]
    assert all(len(c.text) <= MAX_CHARS for c in found)


def test_danish_paragraphs_and_stk_in_plain_text() -> None:
    stk = "\n".join(f"Stk. {n}. " + "ordregiveren skal " * 40 for n in range(2, 4))
    text = f"Kapitel 6\n§ 39. Ordregiveren kan foretage markedsundersøgelser.\n{stk}\n§ 40. Næste bestemmelse.\n"
    found = [c.section for c in split_sections(text, "Udbudsloven")]
    assert found[0] == "§ 39"
    assert "§ 39, stk. 2" in found and "§ 39, stk. 3" in found
    assert found[-1] == "§ 40"


def test_directive_articles() -> None:
    text = "# Directive 2014/24/EU\n\n## Article 40 Preliminary market consultations\n\nBefore launching ...\n" \
           "\n## Article 41\n\nWhere a candidate ...\n"
    assert sections(text) == ["Article 40", "Article 41"]


def test_guideline_note_heading_cites_the_provision() -> None:
    text = "# Note\n\n## Udbudsloven § 39 – Markedsundersøgelser\n\nTekst.\n\n## LOU 7 kap. 1 § – Ramavtal\n\nText.\n"
    assert sections(text) == ["Udbudsloven § 39", "LOU 7 kap. 1 §"]


def test_heading_path_gives_chunk_context() -> None:
    chunk = split_sections("## 7 kap. Ramavtal\n\n#### 3 §\n\nHögst fyra år.\n", "Lag om offentlig upphandling")[0]
    assert "Lag om offentlig upphandling" in chunk.context("Lag om offentlig upphandling")
    assert "7 kap. Ramavtal" in chunk.context("Lag om offentlig upphandling")


def test_real_lou_and_gwb_sections(shared_data: Path) -> None:
    lou = load_file(shared_data / "se-lou" / "sfs-2016-1145.md")
    lou_sections = {c.section for c in split_sections(lou.text, lou.title)}
    assert {"6 kap. 1 §", "19 a kap. 1 §", "1 kap. 11 §"} <= lou_sections
    assert lou.law == "LOU"
    gwb = load_file(shared_data / "de-vergaberecht" / "gwb.md")
    gwb_sections = {c.section for c in split_sections(gwb.text, gwb.title)}
    assert any(s.startswith("§ 119") for s in gwb_sections)
    assert "§ 97 Abs. 4" in gwb_sections
    assert gwb.law == "GWB"
