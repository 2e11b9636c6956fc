"""CLI sub-commands of the knowledge base: ingest, ask, chat, eval."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import fail, print_json
from bot.config import Settings
from bot.knowledge.embeddings import EmbeddingError
from bot.progress import TerminalProgress
from bot.types import Question


def register(sub: Any) -> None:
    """Add ingest, ask, chat and eval to the CLI."""
    ingest = sub.add_parser("ingest", help="add documents (md, txt, html, pdf, docx) to the knowledge base")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--jurisdiction", help="e.g. DK, SE, DE, EU (overrides the files' own)")
    ingest.add_argument("--language", choices=["da", "sv", "de", "en"], help="overrides detection")
    ingest.add_argument("--prune", action="store_true", help="remove documents deleted from these folders")
    ingest.add_argument("--json", action="store_true", help="print a JSON report")
    ingest.set_defaults(run=run_ingest)

    ask = sub.add_parser("ask", help="answer a rule question from the sources")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--questions", type=Path, help='JSONL file with one {"q": ...} per line')
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--top-k", type=int)
    ask.add_argument("--jurisdiction")
    ask.add_argument("--language", choices=["da", "sv", "de", "en"])
    ask.set_defaults(run=run_ask)

    chat = sub.add_parser("chat", help="a terminal conversation with the bot")
    chat.set_defaults(run=run_chat)

    evaluate = sub.add_parser("eval", help="score rule answers (default) or the matcher on the committed dev sets")
    evaluate.add_argument("suite", nargs="?", choices=["rules", "matching"], default="rules")
    evaluate.add_argument("--sample", type=int, default=300, help="matching: number of held-out queries")
    evaluate.add_argument("--seed", type=int, default=2021, help="matching: sample seed")
    evaluate.add_argument("--no-embeddings", action="store_true", help="matching: run the matcher embed-free")
    evaluate.add_argument("--dataset", type=Path, action="append", help="JSONL question files")
    evaluate.add_argument("--shared", type=Path, help="folder with the shared law texts (default ../shared/data)")
    evaluate.add_argument("--no-baseline", action="store_true", help="skip the plain fixed-size, dense-only baseline")
    evaluate.add_argument("--compare", type=Path, help="committed baseline JSON to compare against")
    evaluate.add_argument("--write-baseline", type=Path, help="write this run's figures to a file")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--generate", action="store_true",
                          help="rules: score generated answers (faithfulness, citation precision); needs llm.*")
    evaluate.add_argument("--limit", type=int, help="--generate: score at most this many questions per file")
    evaluate.set_defaults(run=run_eval)


def open_service(settings: Settings, quiet: bool) -> Any:
    """Open the knowledge base, ingesting the starter corpus on first use."""
    from bot.knowledge.service import KnowledgeService

    service = KnowledgeService(settings)
    if not service.store.documents():
        if not quiet:
            print(f"First run: ingesting the starter corpus from {settings.corpus_dir} …", file=sys.stderr)
        with TerminalProgress(enabled=not quiet) as progress:
            report = service.ensure_starter_corpus(progress)
        if report and not quiet:
            print(f"Ingested {report.added} documents, {report.chunks} chunks.", file=sys.stderr)
    return service


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker ingest PATH... [--json]"""
    from bot.knowledge.service import KnowledgeService

    service = KnowledgeService(settings)
    try:
        with TerminalProgress(enabled=not args.json) as progress:
            report = service.ingest(args.paths, args.jurisdiction, args.language, args.prune, progress)
    except EmbeddingError as exc:
        return fail(f"{exc}; nothing was committed for the failing document")
    if args.json:
        print_json(report.to_json())
    else:
        print(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
              f"removed {report.removed}; {report.chunks} chunks written")
        for error in report.errors:
            print(f"skipped {error['source']}: {error['error']}", file=sys.stderr)
    return 1 if report.errors and not (report.added or report.updated or report.unchanged) else 0


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker ask "QUESTION" | --questions FILE.jsonl"""
    if not args.question and not args.questions:
        return fail("give a question, or --questions FILE.jsonl", 2)
    service = open_service(settings, quiet=args.json)
    if args.questions:
        return _ask_many(service, args)
    if not args.json and service.generates and settings.llm.stream:
        return _ask_streaming(service, _question(args, args.question))
    answer = service.ask(_question(args, args.question))
    if args.json:
        print_json(answer.to_json())
    else:
        print(answer.answer)
        for citation in answer.citations:
            if citation.url:
                print(f"  [{citation.n}] {citation.url}")
    return 0


def _ask_streaming(service: Any, question: Question) -> int:
    """Print a generated answer sentence by sentence as each passes verification, then its sources."""
    from bot.i18n import t
    from bot.types import AnswerDelta, AnswerDone

    async def run() -> tuple[AnswerDone, bool]:
        printed = False
        async for event in service.ask_stream(question):
            if isinstance(event, AnswerDelta):
                print(event.text, end="", flush=True)
                printed = True
            elif isinstance(event, AnswerDone):
                return event, printed
        raise RuntimeError("the answer stream ended without an answer")

    done, printed = asyncio.run(run())
    answer = done.answer
    if printed and not done.replaces:
        print("\n\n" + "\n\n".join([*answer.notes, answer.disclaimer]))
    else:
        if printed:
            print("\n\n" + (t("generated_replaced", answer.language) if answer.fallback_reason else "—") + "\n")
        elif answer.fallback_reason:
            print("\n".join(answer.notes) + "\n")
        print(answer.answer)
    for citation in answer.citations:
        print(f"  [{citation.n}] {citation.label}" + (f" {citation.url}" if citation.url else ""))
    return 0


def _question(args: argparse.Namespace, text: str) -> Question:
    return Question(text=text, language=args.language, jurisdiction=args.jurisdiction, top_k=args.top_k)


def _ask_many(service: Any, args: argparse.Namespace) -> int:
    try:
        lines = args.questions.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"cannot read {args.questions}: {exc}")
    status = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["q"] if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise ValueError('expected {"q": "..."}')
        except (ValueError, KeyError) as exc:
            print_json({"line": number, "error": f"invalid line: {exc}"})
            status = 1
            continue
        print_json(service.ask(_question(args, text)).to_json())
    return status


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker chat"""
    import asyncio

    from bot.assistant import Assistant
    from bot.handlers.console import chat_loop

    assistant = Assistant.open(settings, quiet=False)
    try:
        return asyncio.run(chat_loop(assistant, sys.stdin, sys.stdout))
    finally:
        assistant.close()


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker eval [rules|matching]"""
    if args.generate and args.suite == "rules":
        from bot.knowledge.eval_generate import run_generate_eval

        return run_generate_eval(args, settings)
    if args.suite == "matching":
        from bot.matching.evaluate import run_matching_eval

        return run_matching_eval(args, settings)
    from bot.knowledge.evaluate import run_evaluation

    return run_evaluation(args, settings)
