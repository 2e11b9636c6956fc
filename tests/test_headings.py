"""Translated headings: lookup, coverage of the committed tables, and their use in ingestion and retrieval."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.knowledge.abstracts import ProvisionTable, provision_of
from bot.knowledge.embeddings import CachedEmbedder
from bot.knowledge.glossary import Glossary
from bot.knowledge.headings import HeadingTranslations, descriptive, translation_lines, translation_tokens
from bot.knowledge.ingest import Ingestor
from bot.knowledge.jurisdiction import infer_jurisdictions
from bot.knowledge.lexicon import Lexicon
from bot.knowledge.service import KnowledgeService
from bot.knowledge.team_tables import GLOSSARY_PATH, HEADINGS_DIR
from bot.types import Question

SHARED_LAWS = [PROJECT_ROOT.parent / "shared" / "data" / name
               for name in ("se-lou/sfs-2016-1145.md", "de-vergaberecht/gwb.md", "de-vergaberecht/vgv_2016.md")]

# A slice of LOU 6 kap. in the law's own Markdown shape: two sub-headings, one paragraph under each.
LOU_SLICE = """# Lag om offentlig upphandling

## 6 kap. Upphandlingsförfaranden

### Synnerlig brådska

#### 15 §

En upphandlande myndighet får använda förhandlat förfarande utan föregående annonsering i den utsträckning
det är absolut nödvändigt, om det på grund av synnerlig brådska orsakad av omständigheter som inte kan
tillskrivas myndigheten är omöjligt att hålla tidsfristerna vid öppet förfarande eller selektivt förfarande.

## 8 kap. Elektroniska upphandlingsverktyg

### Dynamiska inköpssystem

#### 1 §

En upphandlande myndighet får använda ett dynamiskt inköpssystem för anskaffning av sådant som är allmänt
tillgängligt på marknaden. Systemet ska vara helt elektroniskt och öppet under hela giltighetstiden.
"""


@pytest.mark.parametrize(("heading", "words"), [
    ("#### § 97 Grundsätze der Vergabe", "Grundsätze der Vergabe"),
    ("## 6 kap. Upphandlingsförfaranden", "Upphandlingsförfaranden"),
    ("## LOU 4 kap. 13 § – Dela upp kontraktet i delar", "Dela upp kontraktet i delar"),
    ("## GWB § 132 Abs. 2 – Optionen, Zusatzleistungen und Unvorhersehbares",
     "Optionen, Zusatzleistungen und Unvorhersehbares"),
    ("## Directive 2014/24/EU Article 68 – Life-cycle costing", "Life-cycle costing"),
    ("## Udbudsloven § 95, stk. 2 – Rammeaftalens løbetid", "Rammeaftalens løbetid"),
    ("### Teil 4 - Vergabe von öffentlichen Aufträgen und Konzessionen",
     "Vergabe von öffentlichen Aufträgen und Konzessionen"),
    ("### Synnerlig brådska", "Synnerlig brådska"),
])
def test_descriptive_drops_the_numbering(heading: str, words: str) -> None:
    assert descriptive(heading) == words


def test_translate_uses_the_nearest_headings_and_renders_per_language() -> None:
    table = HeadingTranslations([
        {"sv": "Lag om offentlig upphandling", "en": "Public Procurement Act", "da": "Lov om offentlige udbud"},
        {"sv": "Upphandlingsförfaranden", "en": "Procurement procedures", "da": "Udbudsprocedurer"},
        {"sv": "Synnerlig brådska", "en": "Extreme urgency", "da": "Tvingende hastende omstændigheder"},
    ])
    path = ("Lag om offentlig upphandling", "6 kap. Upphandlingsförfaranden", "Synnerlig brådska", "15 §")
    translated = table.translate(path, "sv")
    assert translated == {"en": ["Procurement procedures", "Extreme urgency"],
                          "da": ["Udbudsprocedurer", "Tvingende hastende omstændigheder"]}
    rendered = table.render(translated)
    assert rendered.splitlines() == ["[da] Udbudsprocedurer · Tvingende hastende omstændigheder",
                                     "[en] Procurement procedures · Extreme urgency"]
    tokens = translation_tokens(rendered)
    assert "en:urgenc" in tokens and "da:hast" in tokens and not any(t.startswith("sv:") for t in tokens)
    assert table.translate(("Okänd rubrik",), "sv") == {}


def _headings(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]


def test_every_heading_of_the_starter_corpus_is_translated() -> None:
    table = HeadingTranslations.load(HEADINGS_DIR)
    missing = [f"{note.name}: {heading}" for note in sorted((PROJECT_ROOT / "corpus" / "knowledge").rglob("*.md"))
               for heading in _headings(note) if not table.translate([heading], "")]
    assert missing == [], "add these headings to corpus/headings/notes-*.yaml"


@pytest.mark.skipif(not all(p.is_file() for p in SHARED_LAWS), reason="../shared/data with LOU/GWB/VgV not present")
def test_the_shared_laws_headings_are_translated() -> None:
    table = HeadingTranslations.load(HEADINGS_DIR)
    worded = [h for law in SHARED_LAWS for h in _headings(law)  # not bare "#### 3 a §" or "(weggefallen)"
              if re.search(r"[^\W\d]{4}", descriptive(h)) and not descriptive(h).startswith("/")
              and "weggefallen" not in h]
    assert len(worded) > 600
    assert [h for h in worded if not table.translate([h], "")] == []


def test_an_english_question_finds_the_swedish_paragraph_through_its_translated_heading(
    settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
) -> None:
    law = tmp_path / "lou-6-8.md"
    law.write_text(LOU_SLICE, encoding="utf-8")
    service = KnowledgeService(settings, embedder=embedder)
    service.ingest([law])
    by_section = {c.meta["section"]: c for c in service.store.all_chunks()}
    assert "[en] Procurement procedures · Extreme urgency" in by_section["6 kap. 15 §"].meta["translations"]
    assert "Extreme urgency" not in by_section["6 kap. 15 §"].context  # the embedded text stays the law's own

    question = "What counts as extreme urgency in Sweden?"
    with_headings = service.retriever.search(question, "en", 2).hits
    assert with_headings[0].chunk.meta["section"] == "6 kap. 15 §"
    service.retriever.settings = service.retriever.settings.model_copy(update={"heading_weight": 0.0})
    without = {h.chunk.meta["section"]: h.score for h in service.retriever.search(question, "en", 2).hits}
    assert with_headings[0].score == pytest.approx(without["6 kap. 15 §"] + 0.3)  # the English heading matched


def test_directive_names_inside_compounds_point_to_eu_law() -> None:
    assert infer_jurisdictions("Wie läuft ein Dialog nach der EU-Vergaberichtlinie ab?", "de").codes == ("EU",)
    assert infer_jurisdictions("Vad säger upphandlingsdirektivet om delar?", "sv").codes == ("EU",)
    assert infer_jurisdictions("Hvad siger udbudsdirektivet om frister?", "da").codes == ("EU",)
    assert infer_jurisdictions("Må vi tale med leverandører?", "da").codes == ("DK",)


def test_a_store_without_any_translated_heading_is_searchable(
    settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
) -> None:
    note = tmp_path / "own.md"
    note.write_text("# Vores egne regler\n\n## Indkøb af kaffe\n\nVi køber kaffe hos den billigste leverandør.\n",
                    encoding="utf-8")
    service = KnowledgeService(settings, embedder=embedder)
    service.ingest([note])
    assert all(c.meta["translations"] == "" for c in service.store.all_chunks())
    hits = service.retriever.search("Hvor køber vi kaffe?", "da", 3).hits
    assert hits and hits[0].chunk.meta["section"] == "Indkøb af kaffe"


def test_lexicon_aligns_words_that_recur_together_in_parallel_entries() -> None:
    entries = [
        {"da": ["da:hast", "da:omstænd"], "sv": ["sv:brådsk"], "en": ["en:urgenc"]},
        {"da": ["da:hast", "da:indkøb"], "sv": ["sv:brådsk", "sv:direktupphandl"], "en": ["en:urgenc", "en:direct"]},
        {"da": ["da:rammeaftal"], "sv": ["sv:ramavtal"], "en": ["en:framework"]},
        {"da": ["da:rammeaftal", "da:løbetid"], "sv": ["sv:ramavtal", "sv:löptid"], "en": ["en:framework"]},
    ]
    lexicon = Lexicon.induce(entries)
    assert lexicon.translate(["da:hast"]) == {"sv": ["sv:brådsk"], "en": ["en:urgenc"]}
    assert lexicon.translate(["en:framework"]) == {"da": ["da:rammeaftal"], "sv": ["sv:ramavtal"]}
    assert lexicon.translate(["da:løbetid"]) == {}  # seen together once: not enough evidence
    assert lexicon.translate(["en:unknown"]) == {}


def test_the_committed_tables_teach_the_lexicon_procurement_words() -> None:
    headings = HeadingTranslations.load(HEADINGS_DIR)
    glossary = Glossary.load(GLOSSARY_PATH)
    lexicon = Lexicon.induce([*headings.token_entries(), *glossary.token_entries()])
    assert "sv:brådsk" in lexicon.translate(["da:hast"]).get("sv", [])
    assert "de:los" in lexicon.translate(["en:lot"]).get("de", [])


DK_LOTS_NOTE = """---
title: Delkontrakter, rammeaftaler og dynamiske indkøbssystemer
jurisdiction: DK
language: da
---

# Delkontrakter, rammeaftaler og dynamiske indkøbssystemer

## Udbudsloven § 49 – Opdel eller forklar
En ordregiver skal overveje at opdele en kontrakt i delkontrakter. Vælger ordregiveren ikke at opdele, skal
begrundelsen stå i udbudsmaterialet eller udbudsrapporten.
"""

SE_LOTS_LAW = """# Lag om offentlig upphandling

## 4 kap. Principer och allmänna bestämmelser

### Uppdelning av kontrakt i delar

#### 13 §

En upphandlande myndighet får besluta att tilldela ett kontrakt i form av separata delar. Beslutar myndigheten
att inte dela upp kontraktet ska den förklara skälen för detta i upphandlingsdokumenten.

### Intressekonflikter

#### 20 §

En upphandlande myndighet ska vidta lämpliga åtgärder för att förebygga intressekonflikter.
"""


def test_a_danish_question_about_swedish_law_borrows_swedish_words_from_the_danish_notes(
    settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
) -> None:
    (tmp_path / "dk-lots.md").write_text(DK_LOTS_NOTE, encoding="utf-8")
    (tmp_path / "lou-4.md").write_text(SE_LOTS_LAW, encoding="utf-8")
    service = KnowledgeService(settings, embedder=embedder)
    service.ingest([tmp_path])
    question = "Skal en svensk ordregiver begrunde, hvis kontrakten ikke opdeles?"

    def keyword_of_lou_4_13(bridge_passages: int) -> float:
        service.retriever.settings = settings.retrieval.model_copy(update={"bridge_passages": bridge_passages})
        hits = service.retriever.search(question, "da", 5).hits
        return next(h.keyword for h in hits if h.chunk.meta["section"] == "4 kap. 13 §")

    # "Dela upp eller förklara", the Swedish heading of the Danish note, brings "förklara", which neither the
    # glossary nor the lexicon offers for "begrunde", and which the Swedish paragraph uses.
    assert keyword_of_lou_4_13(5) > keyword_of_lou_4_13(0)
    service.retriever.settings = settings.retrieval
    assert service.retriever.search(question, "da", 1).hits[0].chunk.meta["section"] in {
        "4 kap. 13 §", "Udbudsloven § 49"}


@pytest.mark.parametrize(("section", "provision"), [
    ("§ 97 Abs. 4", "§ 97"), ("§ 39, stk. 2", "§ 39"), ("6 kap. 15 §", "6 kap. 15 §"), ("§ 119", "§ 119"),
    ("Article 72(2)", "Article 72"),
])
def test_a_subparagraph_belongs_to_its_provision(section: str, provision: str) -> None:
    assert provision_of(section) == provision


def test_an_abstract_in_four_languages_is_stored_with_the_chunks_of_its_provision(
    settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
) -> None:
    abstracts = ProvisionTable([URGENCY_ABSTRACT])
    assert abstracts.lookup("lou", "6 kap. 15 §")["en"].startswith("The negotiated procedure")
    assert abstracts.lookup("GWB", "6 kap. 15 §") == {}
    service = _lou_slice_with_abstract(settings, embedder, tmp_path, HeadingTranslations([]))
    by_section = {c.meta["section"]: c for c in service.store.all_chunks()}
    lines = dict(translation_lines(by_section["6 kap. 15 §"].meta["translations"]))
    assert set(lines) == {"sv", "da", "de", "en"} and "tvingende hastende" in lines["da"]
    assert by_section["8 kap. 1 §"].meta["translations"] == ""


def test_a_provision_in_another_language_is_cited_with_its_abstract_in_the_askers_language(
    settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
) -> None:
    service = _lou_slice_with_abstract(settings, embedder, tmp_path, HeadingTranslations.load(HEADINGS_DIR))

    english = service.ask(Question("When may a Swedish authority skip the notice because of extreme urgency?",
                                   language="en"))
    cited = {c.section: c for c in english.citations}
    assert cited["6 kap. 15 §"].summary.startswith("The negotiated procedure without prior publication")
    assert "In short (innobroker's translation): The negotiated procedure" in english.answer
    assert english.to_json()["citations"][0].keys() >= {"summary", "text", "section"}
    swedish = service.ask(Question("När får man använda förhandlat förfarande vid synnerlig brådska?", language="sv"))
    assert all(c.summary == "" for c in swedish.citations)  # the asker reads the provision itself


URGENCY_ABSTRACT = {
    "act": "LOU", "section": "6 kap. 15 §",
    "sv": "Förhandlat förfarande utan annonsering får användas vid synnerlig brådska.",
    "da": "Udbud med forhandling uden bekendtgørelse må bruges ved tvingende hastende omstændigheder.",
    "de": "Das Verhandlungsverfahren ohne Teilnahmewettbewerb ist bei äußerster Dringlichkeit zulässig.",
    "en": "The negotiated procedure without prior publication may be used in cases of extreme urgency.",
}


def _lou_slice_with_abstract(settings: Settings, embedder: CachedEmbedder, tmp_path: Path,
                             headings: HeadingTranslations) -> KnowledgeService:
    """A service holding LOU_SLICE as the LOU, ingested with the urgency abstract and ``headings``."""
    law = tmp_path / "lou.md"
    law.write_text("---\nlaw: LOU\nlanguage: sv\njurisdiction: SE\n---\n" + LOU_SLICE, encoding="utf-8")
    service = KnowledgeService(settings, embedder=embedder)
    service._ingestor = Ingestor(service.store, service.embedder, headings, ProvisionTable([URGENCY_ABSTRACT]))
    service.ingest([law])
    return service
