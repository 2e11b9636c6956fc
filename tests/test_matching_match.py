"""The matcher on the shipped sample directory: JSON contract, languages, consent, peers, PostgreSQL, refresh."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.knowledge.embeddings import CachedEmbedder
from bot.matching.records import name_key
from bot.matching.service import MatchingError, MatchService
from bot.matching.types import Need

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "directory"


def sample_rows() -> list[dict[str, object]]:
    """Every record of the sample directory."""
    rows = []
    for path in sorted(SAMPLE.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


@pytest.fixture
def service(settings: Settings, embedder: CachedEmbedder) -> Iterator[MatchService]:
    """A matcher over a fresh SQLite directory, sharing the session's embedding cache."""
    matcher = MatchService(settings, embedder=embedder)
    yield matcher
    matcher.close()


def test_sample_directory_is_marked_and_sized() -> None:
    rows = sample_rows()
    kinds = [r.get("kind") for r in rows if r["type"] == "organization"]
    assert kinds.count("buyer") == 40 and kinds.count("supplier") == 60
    assert sum(r["type"] == "procurement" for r in rows) == 120
    assert all(r["note"] == "SAMPLE DATA" for r in rows)
    assert {r["country"] for r in rows if r.get("kind") == "buyer"} == {"DK", "SE", "DE"}


def test_first_match_imports_the_sample_and_keeps_the_json_contract(service: MatchService) -> None:
    result = service.match(Need("Vi søger genanvendelse af tekstilaffald fra plejecentre", buyer_id="dk-aarhus"))
    assert service.sample_report is not None and not service.sample_report.failed
    payload = result.to_json()
    assert list(payload) == ["need", "cpv", "suppliers", "peers"]
    assert payload["need"] == "Vi søger genanvendelse af tekstilaffald fra plejecentre"
    assert payload["cpv"] and all(list(c) == ["code", "label", "score"] for c in payload["cpv"])
    for group in ("suppliers", "peers"):
        items = payload[group]
        assert 0 < len(items) <= 10
        assert all(list(i) == ["id", "name", "score", "reasons"] and i["reasons"] for i in items)
        assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
        assert all(0.0 <= i["score"] <= 1.0 for i in items)
    assert "90" in {c["code"][:2] for c in payload["cpv"][:3]}
    top3 = [s["id"] for s in payload["suppliers"][:3]]
    assert {"sup-nordic-fibre-loop", "sup-textilkreis"} & set(top3)
    reasons = " ".join(r for s in payload["suppliers"] for r in s["reasons"])
    assert "vandt" in reasons and "har base i" in reasons  # Danish need, Danish reasons
    json.dumps(payload)


@pytest.mark.parametrize(("need", "language", "expected"), [
    ("Laddinfrastruktur för kommunens elbilar", "sv", {"sup-laddpunkt-norden", "sup-stromtankstelle-sued"}),
    ("Sturzsensoren und digitale Nachtaufsicht in der ambulanten Pflege", "de",
     {"sup-pflegedigital", "sup-notruf-plus", "sup-trygghetsteknik", "sup-caresense"}),
    ("electric buses for school transport", "en", {"sup-ebus-regio", "sup-gront-skjuts", "sup-flexrute"}),
])
def test_needs_in_each_language_find_the_right_sector(
    service: MatchService, need: str, language: str, expected: set[str]
) -> None:
    result = service.match(Need(need, top=5))
    assert result.language == language
    assert expected & {s.id for s in result.suppliers[:3]}, [s.id for s in result.suppliers]


def test_the_asking_buyer_is_never_its_own_peer(service: MatchService) -> None:
    buyers = [r["id"] for r in sample_rows() if r.get("kind") == "buyer"]
    for buyer in buyers:
        result = service.match(Need("energy renovation and solar panels", buyer_id=str(buyer), top=20))
        assert buyer not in {p.id for p in result.peers}
        assert buyer not in {s.id for s in result.suppliers}


def test_same_name_under_another_id_is_excluded_too(service: MatchService, tmp_path: Path) -> None:
    service.index()
    alias = tmp_path / "alias.jsonl"
    alias.write_text(json.dumps({"type": "organization", "id": "ted-uppsala", "name": "UPPSALA KOMMUN",
                                 "kind": "buyer", "country": "SE"}) + "\n" + json.dumps(
        {"type": "procurement", "id": "ted-1", "buyer": "ted-uppsala", "title": "Insamling av matavfall",
         "cpv": ["90511000"], "year": 2022}) + "\n", encoding="utf-8")
    assert not service.import_files([alias]).failed
    peers = service.peers("insamling av matavfall", buyer_id="se-uppsala", top=40)
    names = {name_key(p.name) for p in peers}
    assert "uppsala kommun" not in names and peers


def test_contacts_only_with_consent(service: MatchService) -> None:
    rows = [r for r in sample_rows() if r["type"] == "organization"]
    hidden = {r["contact"]["email"] for r in rows if not r["contact_consent"]}  # type: ignore[index]
    shown = {r["id"]: r["contact"]["email"] for r in rows if r["contact_consent"]}  # type: ignore[index]
    needs = ["textile recycling", "Insamling av matavfall", "Ladeinfrastruktur", "velfærdsteknologi",
             "open data platform", "LED-gatubelysning", "Chatbot til borgerservice", "Inkontinenzprodukte"]
    seen_contacts = 0
    for text in needs:
        result = service.match(Need(text, top=10))
        dumped = json.dumps(result.to_json(), ensure_ascii=False)
        assert not any(email in dumped for email in hidden)
        for item in result.suppliers + result.peers:
            if item.id in shown:
                assert item.contact is not None and item.contact.email == shown[item.id]
                assert any(shown[item.id] in reason for reason in item.reasons)
                seen_contacts += 1
            else:
                assert item.contact is None
    assert seen_contacts > 0


def test_errors_are_clear(service: MatchService) -> None:
    with pytest.raises(MatchingError, match="the need is empty"):
        service.match(Need("   "))
    with pytest.raises(MatchingError, match="two-letter code"):
        service.match(Need("textiles", country="Sweden"))
    with pytest.raises(MatchingError, match="unknown buyer 'nobody'"):
        service.match(Need("textiles", buyer_id="nobody"))
    assert service.resolve("Aarhus kommune") == service.resolve("dk-aarhus")


def test_new_imports_are_seen_by_the_next_match(service: MatchService, tmp_path: Path) -> None:
    service.match(Need("drones for bridge inspection"))
    extra = tmp_path / "extra.jsonl"
    extra.write_text("\n".join(json.dumps(r) for r in [
        {"type": "organization", "id": "sup-skyview", "name": "SkyView Inspection ApS", "kind": "supplier",
         "country": "DK", "description": "Drone inspection of bridges and roofs", "cpv": ["71631000"]},
        {"type": "procurement", "id": "p-drone", "buyer": "dk-vejle", "title": "Droneinspektion af broer",
         "cpv": ["71631000"], "year": 2024, "suppliers": ["sup-skyview"]}]) + "\n", encoding="utf-8")
    assert service.import_files([extra]).accepted == 2
    result = service.match(Need("Droneinspektion af broer og tage", buyer_id="dk-aarhus"))
    assert result.suppliers[0].id == "sup-skyview"
    assert any("Vejle Kommune" in r for r in result.suppliers[0].reasons)
    assert "dk-vejle" in {p.id for p in result.peers[:3]}


def test_matching_on_postgresql_and_sqlite(database_url: str, settings: Settings, embedder: CachedEmbedder) -> None:
    database = Database(database_url)
    matcher = MatchService(settings, database=database, embedder=embedder)
    result = matcher.match(Need("Insamling av matavfall från hushåll", buyer_id="se-uppsala", country="SE"))
    assert result.suppliers and result.peers
    assert "se-uppsala" not in {p.id for p in result.peers}
    assert result.cpv[0].code.startswith("90")
    matcher.close()


def test_an_empty_directory_gives_empty_suggestions(settings: Settings, tmp_path: Path) -> None:
    settings.matching.directory_dir = tmp_path / "no-sample"
    settings.matching.embed_limit = 0
    matcher = MatchService(settings)
    result = matcher.match(Need("textile recycling"))
    assert result.suppliers == [] and result.peers == [] and result.cpv
    matcher.close()


def test_embed_free_mode_never_calls_the_embedder(settings: Settings) -> None:
    class Refuse:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"embedder used: {name}")

    settings.matching.embed_limit = 0
    matcher = MatchService(settings, embedder=Refuse())  # type: ignore[arg-type]
    result = matcher.match(Need("Insamling av matavfall", buyer_id="se-uppsala"))
    assert result.suppliers and not matcher.semantic_titles
    matcher.close()
