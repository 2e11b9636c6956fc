"""Everyday situations per provision: the committed table, ingestion, and their weight in retrieval."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from bot.knowledge.abstracts import ProvisionTable, cited_provision, provision_of
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.headings import HeadingTranslations, translation_lines
from bot.knowledge.ingest import Ingestor
from bot.knowledge.service import KnowledgeService
from bot.knowledge.tables import read_entries
from bot.knowledge.team_tables import ABSTRACTS_DIR, SITUATIONS_DIR
from bot.language import LANGUAGES
from tests.test_headings import LOU_SLICE

HEATING_SITUATION = {
    "act": "LOU", "section": "6 kap. 15 §",
    "sv": "Värmepannan på äldreboendet gick sönder mitt i vintern och de boende fryser. Måste vi annonsera innan en "
          "firma får laga den?",
    "da": "Fyret på plejehjemmet brød sammen midt om vinteren, og beboerne fryser. Skal vi annoncere, før et firma "
          "må reparere det?",
    "de": "Die Heizung im Pflegeheim ist mitten im Winter ausgefallen und die Bewohner frieren. Müssen wir erst "
          "ausschreiben, bevor eine Firma sie repariert?",
    "en": "The boiler at the care home broke down in midwinter and the residents are freezing. Must we advertise "
          "before a firm may repair it?",
}


def _procurement_provisions(entries: list[dict[str, str]]) -> set[tuple[str, str]]:
    """(act, provision) of the LOU, the VgV and the GWB's procurement part (§ 97 onwards; § 1-96 are cartel law)."""
    keys = set()
    for entry in entries:
        act, section = str(entry["act"]), provision_of(str(entry["section"]))
        number = re.match(r"§ (\d+)", section)
        if act != "GWB" or (number and int(number.group(1)) >= 97):
            keys.add((act, section))
    return keys


def test_every_procurement_provision_has_situations_in_four_languages() -> None:
    situations = read_entries(SITUATIONS_DIR)
    keys = [(str(e["act"]), provision_of(str(e["section"]))) for e in situations]
    assert len(keys) == len(set(keys)), "a provision is listed twice"
    # Every procurement provision of the law texts; the other acts' entries serve the notes that cite them.
    assert {k for k in keys if k[0] in ("LOU", "GWB", "VgV")} == _procurement_provisions(read_entries(ABSTRACTS_DIR))
    for entry in situations:
        for lang in LANGUAGES:
            text = str(entry[lang])
            assert 8 <= len(text.split()) <= 60, (entry["section"], lang)
            # The lines are attached to their provision already; citing one would match questions by number.
            assert "§" not in text and not re.search(r"\b(?:LOU|GWB|VgV)\b", text), (entry["section"], lang)


def test_situations_are_stored_with_their_provision_and_bring_it_up(
    settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
) -> None:
    law = tmp_path / "lou.md"
    law.write_text("---\nlaw: LOU\nlanguage: sv\njurisdiction: SE\n---\n" + LOU_SLICE, encoding="utf-8")
    service = KnowledgeService(settings, embedder=embedder)
    service._ingestor = Ingestor(service.store, service.embedder, HeadingTranslations([]), ProvisionTable([]),
                                 ProvisionTable([HEATING_SITUATION]))
    service.ingest([law])
    by_section = {c.meta["section"]: c for c in service.store.all_chunks()}
    lines = dict(translation_lines(by_section["6 kap. 15 §"].meta["situations"]))
    assert set(lines) == set(LANGUAGES) and "plejehjemmet" in lines["da"]
    assert by_section["8 kap. 1 §"].meta["situations"] == ""

    question = ("Fyret på plejehjemmet i vores svenske kommune er brudt sammen, og beboerne fryser. "
                "Må vi bare ringe efter et firma?")

    def score_of_urgency(weight: float) -> tuple[str, float]:
        service.retriever.settings = settings.retrieval.model_copy(update={"situation_weight": weight})
        hits = service.retriever.search(question, "da", 2).hits
        return hits[0].chunk.meta["section"], next(h.score for h in hits if h.chunk.meta["section"] == "6 kap. 15 §")

    first, with_situations = score_of_urgency(0.5)
    assert first == "6 kap. 15 §"
    assert with_situations > score_of_urgency(0.0)[1] + 0.4  # the Danish line matches; the Swedish law shares no word


def test_a_provision_is_found_under_any_of_its_spellings() -> None:
    table = ProvisionTable([{"act": "Directive 2014/24/EU", "section": "Article 74", "en": "Care services."}])
    assert table.lookup("Direktiv 2014/24/EU", "art. 74") == {"en": "Care services."}
    assert table.lookup("Richtlinie 2014/24/EU", "Artikel 74(2)") == {"en": "Care services."}
    assert table.lookup("Directive 2014/24/EU", "Article 7") == {}


def test_a_missing_situations_table_changes_nothing(tmp_path: Path) -> None:
    empty = ProvisionTable.load(tmp_path / "absent")
    assert empty.lookup("LOU", "6 kap. 15 §") == {} and empty.version == ""


def test_a_note_section_about_a_provision_shares_its_situations(
    settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
) -> None:
    note = tmp_path / "se-brådska.md"
    note.write_text(
        "---\ntitle: Brådskande inköp\njurisdiction: SE\nlanguage: sv\n---\n\n# Brådskande inköp\n\n"
        "## LOU 6 kap. 15 § – Synnerlig brådska\n\nVid oförutsedda händelser får myndigheten förhandla direkt.\n\n"
        "## Dokumentation\n\nSkriv ner varför det var bråttom.\n", encoding="utf-8")
    service = KnowledgeService(settings, embedder=embedder)
    service._ingestor = Ingestor(service.store, service.embedder, HeadingTranslations([]), ProvisionTable([]),
                                 ProvisionTable([HEATING_SITUATION]))
    service.ingest([note])
    by_section = {c.meta["section"]: c for c in service.store.all_chunks()}
    assert "Värmepannan" in by_section["LOU 6 kap. 15 §"].meta["situations"]
    assert by_section["Dokumentation"].meta["situations"] == ""


def test_a_cited_provision_is_read_from_a_note_label_or_taken_from_the_document() -> None:
    assert cited_provision("", "LOU 16 kap. 7 §") == ("LOU", "16 kap. 7 §")
    assert cited_provision("", "GWB § 132 Abs. 2") == ("GWB", "§ 132 Abs. 2")
    assert cited_provision("GWB", "§ 124") == ("GWB", "§ 124")
    assert cited_provision("", "Dokumentation") == ("", "Dokumentation")
