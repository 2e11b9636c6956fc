"""CLI sub-commands of the matcher: directory import/status, cpv import, match."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import fail, print_json
from bot.config import Settings
from bot.knowledge.embeddings import EmbeddingError
from bot.progress import TerminalProgress


def register(sub: Any) -> None:
    """Add ``directory``, ``cpv`` and ``match`` to the CLI."""
    directory = sub.add_parser("directory", help="the organisation and procurement directory")
    actions = directory.add_subparsers(dest="action", required=True)
    importer = actions.add_parser("import", help="import native JSONL/CSV, OCDS, TED XML, eForms or SE statistics")
    importer.add_argument("files", nargs="+", type=Path, help="files or folders")
    importer.add_argument("--strict", action="store_true", help="import nothing from a file with rejected rows")
    importer.add_argument("--json", action="store_true", help="print a JSON report")
    importer.set_defaults(run=run_import)
    status = actions.add_parser("status", help="how many organisations and procurements the directory holds")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=run_status)

    cpv = sub.add_parser("cpv", help="the CPV 2008 code list")
    cpv_actions = cpv.add_subparsers(dest="action", required=True)
    cpv_import = cpv_actions.add_parser("import", help="import the official CPV list (CSV/XLSX, or download it)")
    cpv_import.add_argument("file", nargs="?", type=Path, help="CSV/XLSX/ZIP; without it, download from --url")
    cpv_import.add_argument("--url", help="download address (default: matching.cpv_url)")
    cpv_import.add_argument("--json", action="store_true")
    cpv_import.set_defaults(run=run_cpv_import)

    match = sub.add_parser("match", help="suggest suppliers and peer buyers for a need")
    match.add_argument("need", nargs="?")
    match.add_argument("--queries", type=Path, help='JSONL file with {"need", "buyer"?, "country"?} per line')
    match.add_argument("--buyer", help="the asking buyer's organisation id (or exact name)")
    match.add_argument("--country", help="two-letter country to prefer, e.g. SE")
    match.add_argument("--top", type=int, default=10)
    match.add_argument("--language", choices=["da", "sv", "de", "en"], help="language of the reasons")
    match.add_argument("--json", action="store_true")
    match.set_defaults(run=run_match)


def _database(settings: Settings) -> Any:
    import bot.matching.models  # noqa: F401
    from bot.db import Database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.resolved_database_url)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker directory import FILE... [--strict] [--json]"""
    from bot.matching.directory import import_files

    missing = [str(p) for p in args.files if not p.exists()]
    if missing:
        return fail(f"no such file: {', '.join(missing)}", 2)
    report = import_files(_database(settings), args.files, args.strict,
                          None if args.json else (lambda name: print(f"importing {name} …", file=sys.stderr)))
    if args.json:
        print_json(report.to_json())
    else:
        for item in report.files:
            if item.status == "imported":
                print(f"{item.file}: {item.format}, {item.accepted} rows accepted, {len(item.rejected)} rejected")
            else:
                print(f"{item.file}: FAILED, nothing imported: {item.error}")
            for rejection in item.rejected[:20]:
                print(f"  row {rejection['row']}: {rejection['reason']}")
            if len(item.rejected) > 20:
                print(f"  … {len(item.rejected) - 20} more (see --json)")
        print(f"total: {report.accepted} rows accepted, {report.rejected} rejected, {len(report.failed)} files failed")
    return 1 if report.failed else 0


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker directory status [--json]"""
    from bot.matching.directory import counts

    figures = counts(_database(settings))
    if args.json:
        print_json(figures)
    else:
        print(f"{figures['organizations']} organisations, {figures['procurements']} procurements")
    return 0


def run_cpv_import(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker cpv import [FILE] [--url URL] [--json]"""
    from bot.matching.cpv_import import CpvImportError, download, import_cpv

    try:
        path = args.file
        if path is None:
            url = args.url or settings.matching.cpv_url
            if not args.json:
                print(f"downloading {url} …", file=sys.stderr)
            path = download(url, settings.cache_dir / ("cpv-download" + Path(url).suffix))
        elif not path.exists():
            return fail(f"no such file: {path}", 2)
        report = import_cpv(_database(settings), path)
    except CpvImportError as exc:
        return fail(str(exc))
    if args.json:
        print_json(report.to_json())
    else:
        print(f"{report.codes} CPV codes imported, {len(report.rejected)} rows skipped")
    return 0


def run_match(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker match "NEED" | --queries FILE.jsonl"""
    from bot.matching.service import MatchingError, MatchService
    from bot.matching.types import Need

    if not args.need and not args.queries:
        return fail('give a need, e.g. innobroker match "textile recycling", or --queries FILE.jsonl', 2)
    with TerminalProgress(enabled=not args.json) as progress:
        service = MatchService(settings, progress=progress)
        try:
            if args.queries:
                return _match_many(service, args)
            result = service.match(Need(args.need, args.buyer, args.country, args.top, args.language))
        except MatchingError as exc:
            return fail(str(exc), 2)
        except EmbeddingError as exc:
            return fail(str(exc))
    if args.json:
        print_json(result.to_json())
    else:
        print(render(result))
    return 0


def _match_many(service: Any, args: argparse.Namespace) -> int:
    from bot.matching.service import MatchingError
    from bot.matching.types import Need

    try:
        lines = args.queries.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"cannot read {args.queries}: {exc}")
    status = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("need"), str):
                raise ValueError('expected {"need": "...", "buyer"?: "...", "country"?: "SE"}')
            need = Need(item["need"], item.get("buyer"), item.get("country"), int(item.get("top", args.top)),
                        item.get("language") or args.language)
            print_json(service.match(need).to_json())
        except (ValueError, MatchingError) as exc:
            print_json({"line": number, "error": str(exc)})
            status = 1
    return status


def render(result: Any) -> str:
    """The match result as readable text."""
    lines = ["CPV: " + ("; ".join(f"{c.code} {c.label} ({c.score:.2f})" for c in result.cpv) or "–")]
    for title, items in (("Suppliers", result.suppliers), ("Peers", result.peers)):
        lines.append(f"\n{title}:")
        for n, item in enumerate(items, start=1):
            lines.append(f"{n:2}. {item.name} [{item.id}] {item.score:.2f}")
            lines += [f"      – {reason}" for reason in item.reasons]
        if not items:
            lines.append("   (none found)")
    return "\n".join(lines)
