"""CLI of the broker workflows: ``report`` (CSV/JSON exports), ``digest`` (for cron) and ``forget`` (GDPR)."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from bot.cli import fail, print_json
from bot.config import Settings
from bot.workflows.types import Channel, Digest

# Platform → "module:function(settings, engine, digest, language) -> message reference" that posts a digest.
DIGEST_PUBLISHERS = {"slack": "bot.handlers.slack.broker_slack:post_digest",
                     "teams": "bot.handlers.teams.broker:post_digest"}
REPORT_KINDS = ("outcomes", "intros", "pushes", "challenges", "gaps")


def register(sub: Any) -> None:
    """Add ``report``, ``digest`` and ``forget`` to the CLI."""
    report = sub.add_parser("report", help="broker reports: outcomes, intros, pushes, challenges, gaps")
    report.add_argument("kind", nargs="?", default="outcomes", choices=REPORT_KINDS)
    report.add_argument("--format", choices=["csv", "json"], default="csv")
    report.add_argument("--since", help="7d, 24h, 2w or a date (default: everything; gaps: workflows.gap_days)")
    report.add_argument("--output", type=Path, help="write to this file instead of stdout")
    report.set_defaults(run=run_report)

    digest = sub.add_parser("digest", help="post (or print) a channel's digest of new challenges and matches")
    digest.add_argument("--channel", required=True,
                        help="channel id, e.g. C0123ABCD (Slack) or 19:…@thread.tacv2 (Teams)")
    digest.add_argument("--since", help="7d, 24h or a date (default: end of the previous digest or digest_days)")
    digest.add_argument("--until", help="end of the period (default: now)")
    digest.add_argument("--platform", default="slack", help="slack (default) or teams")
    digest.add_argument("--workspace", help="Slack team or Teams tenant (needed with OAuth installs)")
    digest.add_argument("--language", choices=["da", "sv", "de", "en"], default="en")
    digest.add_argument("--dry-run", action="store_true", help="print it; post and record nothing")
    digest.add_argument("--post-empty", action="store_true", help="post even when nothing is new")
    digest.add_argument("--json", action="store_true")
    digest.set_defaults(run=run_digest)

    forget = sub.add_parser("forget", help="delete everything stored about a person (GDPR erasure)")
    forget.add_argument("person", help="user id (Slack U…, Teams AAD id) or e-mail address")
    forget.add_argument("--platform", help="only on this platform (slack, teams)")
    forget.add_argument("--workspace", help="only in this Slack team or Teams tenant")
    forget.add_argument("--dry-run", action="store_true", help="count what would be removed; change nothing")
    forget.add_argument("--json", action="store_true")
    forget.set_defaults(run=run_forget)


def _workflows(settings: Settings) -> Any:
    from bot.conversations import ConversationStore
    from bot.db import Database
    from bot.matching.service import MatchService
    from bot.workflows.service import Workflows

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.resolved_database_url)
    return Workflows(settings, ConversationStore(database), MatchService(settings, database))


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker report [outcomes|intros|pushes|challenges|gaps] [--format csv|json] [--since 30d]"""
    from bot.workflows.digest import parse_since
    from bot.workflows.reports import GAP_COLUMNS, REPORTS, write

    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        return fail(str(exc), 2)
    core = _workflows(settings)
    try:
        if args.kind == "gaps":
            rows, columns = core.gaps(since=since), GAP_COLUMNS
        else:
            produce, columns = REPORTS[args.kind]
            rows = produce(core.database, since)
        if args.output:
            with args.output.open("w", encoding="utf-8", newline="") as stream:
                write(rows, columns, args.format, stream)
            print(f"{len(rows)} rows written to {args.output}", file=sys.stderr)
        else:
            write(rows, columns, args.format, sys.stdout)
    finally:
        core.database.dispose()
    return 0


def digest_text(digest: Digest) -> str:
    """A plain-text preview of a digest (``--dry-run`` without ``--json``)."""
    lines = [f"Digest for {digest.channel.label} ({digest.platform}), {digest.since:%Y-%m-%d %H:%M} – "
             f"{digest.until:%Y-%m-%d %H:%M} UTC"]
    if digest.empty:
        lines.append("nothing new")
    for c in digest.challenges:
        facts = " · ".join(part for part in (c.timeline, c.budget(), ", ".join(c.cpv)) if part)
        lines.append(f"challenge #{c.id}: {c.title} — {c.interested} interested" + (f" ({facts})" if facts else ""))
    for m in digest.matches:
        lines.append(f"match: {m.need} — suppliers: {', '.join(m.suppliers) or '-'}; peers: "
                     f"{', '.join(m.peers) or '-'}; {m.intros} intro requests")
    return "\n".join(lines)


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker digest --channel C [--since 7d] [--dry-run] [--json]: post the digest (cron) or print it"""
    from bot.workflows.digest import parse_since

    try:
        since = parse_since(args.since) if args.since else None
        until = parse_since(args.until) if args.until else None
    except ValueError as exc:
        return fail(str(exc), 2)
    core = _workflows(settings)
    try:
        digest = core.digest(args.platform, Channel(args.channel), since, until, args.workspace)
        if args.json:
            print_json(digest.to_json())
        if args.dry_run:
            if not args.json:
                print(digest_text(digest))
            return 0
        if digest.empty and not args.post_empty:
            print(f"nothing new in {args.channel} since {digest.since:%Y-%m-%d %H:%M} UTC; nothing posted",
                  file=sys.stderr)
            return 0
        if args.platform not in DIGEST_PUBLISHERS:
            return fail(f"posting digests to {args.platform} is not available; use --dry-run --json", 2)
        module, _, function = DIGEST_PUBLISHERS[args.platform].partition(":")
        publish = getattr(importlib.import_module(module), function)
        try:
            reference = publish(settings, core.database.engine, digest, args.language)
        except Exception as exc:
            return fail(f"could not post the digest to {args.channel}: {exc}")
        core.digest_sent(digest, reference)
        print(f"digest posted to {args.channel}: {len(digest.challenges)} challenges, {len(digest.matches)} "
              f"matches", file=sys.stderr)
        return 0
    finally:
        core.database.dispose()


def run_forget(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker forget PERSON [--platform slack] [--workspace T] [--dry-run] [--json]"""
    core = _workflows(settings)
    try:
        report = core.forget(args.person, args.platform, args.workspace, args.dry_run)
    finally:
        core.database.dispose()
    if args.json:
        print_json(report.to_json())
        return 0
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} for {', '.join(report.users)}:")
    for name, count in report.removed.items():
        print(f"  {name.replace('_', ' ')}: {count}")
    if not any(report.removed.values()):
        print("  (nothing was stored about this person)")
    return 0
