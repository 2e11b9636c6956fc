"""Directory import: native JSONL/CSV, OCDS, TED XML, eForms and the Swedish statistics, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

import bot.matching.models  # noqa: F401
from bot.db import Database
from bot.matching.directory import counts, import_files
from bot.matching.importers.detect import read_file
from bot.matching.models import Award, Contact, NetworkMember, Organization, Procurement
from bot.matching.records import name_key

ORGS = [
    {"type": "organization", "id": "b1", "name": "Uppsala kommun", "kind": "buyer", "country": "SE",
     "region": "Uppsala län", "cpv": ["90500000"], "networks": ["Circular Cities"],
     "contact": {"name": "Anna Berg", "email": "anna@example.se"}, "contact_consent": True},
    {"type": "organization", "id": "s1", "name": "Sortera AB", "kind": "supplier", "country": "SE", "size": "small",
     "description": "Textile recycling", "cpv": ["90514000-3"], "languages": ["sv", "en"],
     "contact": {"name": "Erik Ek", "email": "erik@example.se"}, "contact_consent": False},
]
PROCS = [
    {"type": "procurement", "id": "p1", "buyer": "b1", "title": "Insamling av textilavfall", "cpv": ["90514000"],
     "year": 2021, "procedure": "open", "innovation": True, "suppliers": ["s1"]},
]


def write_jsonl(path: Path, rows: list[object]) -> Path:
    """Write rows as JSON lines (strings are written verbatim)."""
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def database(database_url: str) -> Database:
    """A fresh, migrated directory database (SQLite and PostgreSQL)."""
    db = Database(database_url)
    yield db
    db.dispose()


def test_native_jsonl_import_is_idempotent(database: Database, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dir.jsonl", ORGS + PROCS)
    first = import_files(database, [path])
    assert first.accepted == 3 and first.rejected == 0 and first.files[0].format == "native-jsonl"
    changed = [dict(ORGS[1], name="Sortera Sverige AB"), *PROCS]
    second = import_files(database, [write_jsonl(tmp_path / "again.jsonl", [ORGS[0], *changed])])
    assert second.accepted == 3
    assert counts(database) == {"organizations": 2, "procurements": 1}
    with database.transaction() as session:
        assert session.get(Organization, "s1").name == "Sortera Sverige AB"
        assert session.scalar(sa.select(sa.func.count()).select_from(Award)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(NetworkMember)) == 1
        proc = session.get(Procurement, "p1")
        assert proc.cpv == ["90514000"] and proc.innovation is True and proc.year == 2021


def test_native_csv_with_lists_and_header_types(database: Database, tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("id,name,kind,country,cpv,languages,contact_name,contact_email,contact_consent\n"
                    "b1,Aarhus Kommune,buyer,DK,90500000;90511000,da;en,Mette,m@example.dk,yes\n"
                    "s1,Genbrug ApS,supplier,DK,90514000,da,,,\n", encoding="utf-8")
    procs = tmp_path / "procs.csv"
    procs.write_text("id,buyer,title,cpv,year,suppliers,innovation\n"
                     "p1,b1,Genanvendelse af tekstiler,90514000,2022,s1,false\n", encoding="utf-8")
    report = import_files(database, [orgs, procs])
    assert [f.format for f in report.files] == ["native-csv", "native-csv"]
    assert report.accepted == 3 and report.rejected == 0
    with database.transaction() as session:
        assert session.get(Organization, "b1").cpv == ["90500000", "90511000"]
        assert session.get(Organization, "b1").languages == ["da", "en"]


def test_malformed_rows_are_rejected_with_reasons(database: Database, tmp_path: Path) -> None:
    rows = [ORGS[0], '{"type": "organization", "id": "x"', {"type": "organization", "id": "y", "name": "Y",
            "kind": "vendor"}, {"type": "organization", "id": "z", "name": "Z", "kind": "buyer", "country": "Sweden"},
            {"type": "procurement", "id": "p9", "buyer": "nobody", "title": "T"},
            {"type": "procurement", "id": "p8", "buyer": "b1", "title": "T", "cpv": ["12"]},
            {"type": "gadget", "id": "g"}, {"id": "q", "name": "no type"}]
    report = import_files(database, [write_jsonl(tmp_path / "bad.jsonl", rows)])
    reasons = {r["row"]: r["reason"] for r in report.files[0].rejected}
    assert report.accepted == 1 and len(reasons) == 7
    assert "invalid JSON" in reasons[2]
    assert "kind must be buyer or supplier" in reasons[3]
    assert "two-letter" in reasons[4]
    assert "unknown buyer id 'nobody'" in reasons[5]
    assert "invalid CPV code '12'" in reasons[6]
    assert "unknown type 'gadget'" in reasons[7]
    assert 'missing "type"' in reasons[8]
    assert counts(database) == {"organizations": 1, "procurements": 0}


def test_strict_and_broken_files_import_nothing(database: Database, tmp_path: Path) -> None:
    mixed = write_jsonl(tmp_path / "mixed.jsonl", [*ORGS, {"type": "organization", "id": "x", "kind": "buyer"}])
    strict = import_files(database, [mixed], strict=True)
    assert strict.files[0].status == "failed" and "--strict" in strict.files[0].error
    broken = tmp_path / "broken.json"
    broken.write_text('{"releases": [', encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    unknown = tmp_path / "odd.csv"
    unknown.write_text("alpha,beta\n1,2\n", encoding="utf-8")
    xml = tmp_path / "other.xml"
    xml.write_text("<catalog/>", encoding="utf-8")
    report = import_files(database, [broken, empty, unknown, xml])
    errors = [f.error for f in report.files]
    assert all(f.status == "failed" for f in report.files)
    assert "not valid JSON" in errors[0] and "is empty" in errors[1]
    assert "names no record type" in errors[2] and "unsupported XML root <catalog>" in errors[3]
    assert counts(database) == {"organizations": 0, "procurements": 0}


def test_database_error_rolls_back_the_whole_file(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.matching.store import DirectoryWriter

    def fail(self: DirectoryWriter, labels: dict[str, dict[str, str]]) -> None:
        raise sa.exc.OperationalError("INSERT …", {}, Exception("disk I/O error"))

    monkeypatch.setattr(DirectoryWriter, "_cpv_labels", fail)  # the last step, after every table was written
    report = import_files(database, [write_jsonl(tmp_path / "dir.jsonl", ORGS + PROCS)])
    assert report.files[0].status == "failed"
    assert report.files[0].error == "database error, nothing imported from dir.jsonl: disk I/O error"
    assert counts(database) == {"organizations": 0, "procurements": 0}


def test_long_values_are_clipped_to_the_columns(database: Database, tmp_path: Path) -> None:
    long = dict(ORGS[1], name="Sortera " + "x" * 600, national_id="9" * 80, website="w" * 600, region="r" * 300)
    report = import_files(database, [write_jsonl(tmp_path / "dir.jsonl", [ORGS[0], long])])
    assert report.files[0].status == "imported" and report.accepted == 2


RELEASE = {
    "ocid": "ocds-abc-001", "id": "1", "date": "2023-05-01T00:00:00Z", "tag": ["award"], "language": "sv",
    "parties": [
        {"id": "B", "name": "Umeå kommun", "roles": ["buyer"], "identifier": {"scheme": "SE-BLV", "id": "212000-2742"},
         "address": {"countryName": "Sweden", "region": "Västerbotten"}},
        {"id": "S", "name": "Norrlands Cykel AB", "roles": ["supplier"], "details": {"scale": "small"},
         "identifier": {"scheme": "SE-BLV", "id": "556000-0001"}},
    ],
    "buyer": {"id": "B", "name": "Umeå kommun"},
    "tender": {"title": "Lånecyklar", "description": "Elcyklar för anställda",
               "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "34430000"}}],
               "procurementMethod": "open"},
    "awards": [{"id": "a1", "status": "active", "suppliers": [{"id": "S", "name": "Norrlands Cykel AB"}]}],
}


def test_ocds_release_and_record_packages(database: Database, tmp_path: Path) -> None:
    releases = tmp_path / "releases.json"
    releases.write_text(json.dumps({"uri": "x", "releases": [RELEASE, {"ocid": "ocds-abc-002", "tender": {}}]}),
                        encoding="utf-8")
    records = tmp_path / "records.json"
    records.write_text(json.dumps({"records": [{"ocid": "ocds-abc-001", "compiledRelease": RELEASE}]}),
                       encoding="utf-8")
    report = import_files(database, [releases, records])
    assert [f.format for f in report.files] == ["ocds-release-package", "ocds-record-package"]
    assert report.files[0].accepted == 1 and "names no buyer" in report.files[0].rejected[0]["reason"]
    assert counts(database) == {"organizations": 2, "procurements": 1}
    with database.transaction() as session:
        supplier = session.scalar(sa.select(Organization).where(Organization.kind == "supplier"))
        assert (supplier.country, supplier.size, supplier.id) == ("SE", "small", "se-5560000001")
        assert session.get(Procurement, "ocds-abc-001").cpv == ["34430000"]


EFORMS_CAN = """<?xml version="1.0" encoding="UTF-8"?>
<ContractAwardNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
  xmlns:efac="http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
  xmlns:efbc="http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
  xmlns:efext="http://data.europa.eu/p27/eforms-ubl-extensions/1"
  xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
 <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>
  <efac:NoticeResult>
   <efac:LotResult><cbc:ID>RES-0001</cbc:ID><cbc:TenderResultCode>selec-w</cbc:TenderResultCode>
    <efac:LotTender><cbc:ID>TEN-0001</cbc:ID></efac:LotTender></efac:LotResult>
   <efac:LotTender><cbc:ID>TEN-0001</cbc:ID><efac:TenderingParty><cbc:ID>TPA-0001</cbc:ID></efac:TenderingParty>
   </efac:LotTender>
   <efac:TenderingParty><cbc:ID>TPA-0001</cbc:ID><efac:Tenderer><cbc:ID>ORG-0002</cbc:ID></efac:Tenderer>
   </efac:TenderingParty>
  </efac:NoticeResult>
  <efac:Organizations>
   <efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name>Region Midtjylland</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>DNK</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress></efac:Company></efac:Organization>
   <efac:Organization><efac:Company><efbc:CompanySizeCode>medium</efbc:CompanySizeCode>
    <cac:PartyIdentification><cbc:ID>ORG-0002</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name>Robotics Denmark A/S</cbc:Name></cac:PartyName>
    <cac:PartyLegalEntity><cbc:CompanyID>DK12345678</cbc:CompanyID></cac:PartyLegalEntity>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>DNK</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress></efac:Company></efac:Organization>
  </efac:Organizations>
  <efac:Publication><efbc:NoticePublicationID>00123456-2024</efbc:NoticePublicationID>
   <efbc:PublicationDate>2024-02-01Z</efbc:PublicationDate></efac:Publication>
 </efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
 <cbc:NoticeLanguageCode>DAN</cbc:NoticeLanguageCode>
 <cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>
 </cac:Party></cac:ContractingParty>
 <cac:ProcurementProject><cbc:Name>Robotter til rehabilitering</cbc:Name>
  <cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">33196000</cbc:ItemClassificationCode>
  </cac:MainCommodityClassification></cac:ProcurementProject>
</ContractAwardNotice>
"""


def test_eforms_award_notice_with_winner(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "can.xml"
    path.write_text(EFORMS_CAN, encoding="utf-8")
    parsed = read_file(path)
    proc = parsed.procurements[0]
    assert (proc.id, proc.title, proc.cpv, proc.published, proc.language) == (
        "ted-123456-2024", "Robotter til rehabilitering", ["33196000"], "2024-02-01", "da")
    assert [(s.name, s.size, s.country) for s in proc.suppliers] == [("Robotics Denmark A/S", "medium", "DK")]
    assert import_files(database, [path, path]).accepted == 2
    assert counts(database) == {"organizations": 2, "procurements": 1}


def _index(folder: Path) -> list[dict[str, str]]:
    with (folder / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_real_ted_xml_notices_match_the_index(shared_data: Path) -> None:
    folder = shared_data / "ted-xml"
    rows = _index(folder)
    assert len(rows) == 78
    for row in rows:
        proc = read_file(folder / row["file"]).procurements[0]
        assert name_key(proc.buyer.name) == name_key(html.unescape(row["buyer"])), row["file"]
        assert proc.cpv[0] == row["cpv_main"], row["file"]
        listed = [html.unescape(n.strip()) for n in row["contractors"].split(";") if n.strip()]
        complete = listed[:-1] if len(row["contractors"]) > 200 else listed  # the index truncates long lists
        assert set(complete) <= {s.name for s in proc.suppliers}, row["file"]


def test_real_eforms_notices_match_the_index(shared_data: Path) -> None:
    from bot.matching.importers.eforms import ALPHA3

    folder = shared_data / "ted-eforms"
    rows = _index(folder)
    assert len(rows) == 68
    for row in rows:
        proc = read_file(folder / row["file"]).procurements[0]
        names = {name_key(html.unescape(n)) for n in row["organisation_names"].split(";")}
        assert name_key(proc.buyer.name) in names, row["file"]
        assert proc.cpv[0] == row["cpv_main"], row["file"]
        if row["buyer_country"] in ALPHA3:
            assert proc.buyer.country == ALPHA3[row["buyer_country"]], row["file"]


def test_real_notice_folders_import_on_both_databases(database: Database, shared_data: Path) -> None:
    report = import_files(database, [shared_data / "ted-xml", shared_data / "ted-eforms"])
    assert len(report.files) == 146 and not report.failed
    with database.transaction() as session:
        uppsala = session.scalar(sa.select(Organization).where(Organization.name == "Uppsala kommun"))
        assert uppsala.country == "SE" and uppsala.kind == "buyer"
        winners = session.scalar(sa.select(sa.func.count()).select_from(Award))
    assert winners > 100
    again = import_files(database, [shared_data / "ted-xml"])
    assert not again.failed and counts(database)["procurements"] == 146


def test_swedish_statistics_import(shared_data: Path, tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'se.sqlite'}")
    source = shared_data / "se-procurement-2021" / "awards_with_suppliers.csv"
    report = import_files(database, [source])
    item = report.files[0]
    assert item.format == "se-procurement-stats" and item.accepted == 13336 and item.warnings == 133
    assert item.counts["procurements"] == 5733
    with database.transaction() as session:
        goteborg = session.get(Organization, "se-2120001355")
        assert (goteborg.name, goteborg.sector, goteborg.country) == ("Göteborgs kommun", "municipality", "SE")
        assert session.scalar(sa.select(sa.func.count()).select_from(Organization).where(
            Organization.name_key == "personuppgift")) == 0
    before = counts(database)
    assert import_files(database, [source]).files[0].status == "imported"
    assert counts(database) == before
    database.dispose()


TED_F03 = """<?xml version="1.0" encoding="UTF-8"?>
<TED_EXPORT xmlns="http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"
  xmlns:n2021="http://publications.europa.eu/resource/schema/ted/2021/nuts" DOC_ID="123456-2021">
 <CODED_DATA_SECTION><REF_OJS><DATE_PUB>20210713</DATE_PUB></REF_OJS>
  <NOTICE_DATA><ORIGINAL_CPV CODE="90511000">Refuse collection services</ORIGINAL_CPV>
   <n2021:CA_CE_NUTS CODE="SE121">Uppsala län</n2021:CA_CE_NUTS></NOTICE_DATA>
  <CODIF_DATA><PR_PROC CODE="1">Open procedure</PR_PROC></CODIF_DATA></CODED_DATA_SECTION>
 <FORM_SECTION>
  <F03_2014 CATEGORY="ORIGINAL" FORM="F03" LG="SV">
   <CONTRACTING_BODY><ADDRESS_CONTRACTING_BODY><OFFICIALNAME>Uppsala kommun</OFFICIALNAME>
    <NATIONALID>212000-3005</NATIONALID><TOWN>Uppsala</TOWN><COUNTRY VALUE="SE"/></ADDRESS_CONTRACTING_BODY>
   </CONTRACTING_BODY>
   <OBJECT_CONTRACT><TITLE><P>Insamling av hushållsavfall</P></TITLE>
    <CPV_MAIN><CPV_CODE CODE="90511000"/></CPV_MAIN><SHORT_DESCR><P>Hämtning av mat- och restavfall.</P></SHORT_DESCR>
    <OBJECT_DESCR ITEM="1"><CPV_ADDITIONAL><CPV_CODE CODE="90512000"/></CPV_ADDITIONAL></OBJECT_DESCR>
   </OBJECT_CONTRACT>
   <AWARD_CONTRACT ITEM="1"><AWARDED_CONTRACT><CONTRACTORS><CONTRACTOR><ADDRESS_CONTRACTOR>
    <OFFICIALNAME>Kretslopp Uppsala AB</OFFICIALNAME><NATIONALID>556000-1234</NATIONALID><COUNTRY VALUE="SE"/>
   </ADDRESS_CONTRACTOR></CONTRACTOR></CONTRACTORS></AWARDED_CONTRACT></AWARD_CONTRACT>
  </F03_2014>
  <F03_2014 CATEGORY="TRANSLATION" FORM="F03" LG="EN">
   <CONTRACTING_BODY><ADDRESS_CONTRACTING_BODY><OFFICIALNAME>Uppsala Municipality</OFFICIALNAME>
   </ADDRESS_CONTRACTING_BODY></CONTRACTING_BODY>
  </F03_2014>
 </FORM_SECTION>
</TED_EXPORT>
"""


def test_ted_xml_award_notice_written_here(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "notice.xml"
    path.write_text(TED_F03, encoding="utf-8")
    proc = read_file(path).procurements[0]
    assert (proc.id, proc.title, proc.cpv, proc.published, proc.language) == (
        "ted-123456-2021", "Insamling av hushållsavfall", ["90511000", "90512000"], "2021-07-13", "sv")
    assert (proc.buyer.name, proc.buyer.region, proc.buyer.national_id) == ("Uppsala kommun", "Uppsala län",
                                                                              "212000-3005")
    assert [s.name for s in proc.suppliers] == ["Kretslopp Uppsala AB"]
    assert import_files(database, [path]).accepted == 1
    with database.transaction() as session:
        assert session.get(Organization, "se-2120003005").name == "Uppsala kommun"
        assert session.get(Award, ("ted-123456-2021", "se-5560001234")) is not None


def test_swedish_statistics_rows_written_here(tmp_path: Path) -> None:
    from bot.matching.importers.se_stats import SIGNATURE

    columns = [*SIGNATURE, "Sektor för köpare", "Huvudsaklig CPV-kod", "Upphandlingens titel", "Publiceringsdatum",
               "Företagsstorlek för leverantör", "Juridisk form för leverantör", "Innovationsupphandling"]
    rows = [
        ["UPPSALA KOMMUN", "2120003005", "UP1", "Sortera AB", "Kommun", "90511000 Sophämtning", "Sophämtning",
         "2021-03-01", "Små företag", "Övriga aktiebolag", "1.0"],
        ["UPPSALA KOMMUN", "2120003005", "UP1", "Personuppgift", "Kommun", "90511000 Sophämtning", "Sophämtning",
         "2021-03-01", "", "", ""],
        ["UPPSALA KOMMUN", "2120003005", "UP2", "Sortera AB", "Kommun", "00000000 Uppgift saknas", "Städning",
         "2021-04-01", "Små företag", "Övriga aktiebolag", ""],
        ["", "", "UP3", "X AB", "Kommun", "", "Utan köpare", "2021-05-01", "", "", ""],
    ]
    path = tmp_path / "stats.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([columns, *rows])
    parsed = read_file(path)
    assert parsed.format == "se-procurement-stats" and parsed.rows == 4
    assert [(r.row, r.reason) for r in parsed.rejected] == [(5, "missing buyer name or organisation number")]
    assert len(parsed.warnings) == 1 and "Personuppgift" in parsed.warnings[0]
    first, second = parsed.procurements
    assert (first.id, first.cpv, first.innovation, first.year) == ("se-2120003005-UP1", ["90511000"], True, 2021)
    assert first.buyer.name == "Uppsala kommun" and [s.name for s in first.suppliers] == ["Sortera AB"]
    assert first.suppliers[0].size == "small" and first.suppliers[0].country == "SE"
    assert second.cpv == [] and parsed.cpv_labels == {"90511000": {"sv": "Sophämtning"}}
