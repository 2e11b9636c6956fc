"""The ``innobroker`` command line: sub-commands are registered by feature modules."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import ConfigError, load_settings

# Each module exposes ``register(subparsers)`` and sets ``run=(args, settings) -> int`` defaults.
COMMAND_MODULES = ("bot.knowledge.commands", "bot.matching.commands", "bot.server", "bot.handlers.teams.package",
                   "bot.workflows.commands", "bot.backup")


def build_parser() -> argparse.ArgumentParser:
    """All sub-commands and their options."""
    parser = argparse.ArgumentParser(prog="innobroker", description="Procurement rules, matches and brokering.")
    parser.add_argument("--data-dir", type=Path, help="where all state lives (or INNOBROKER_DATA_DIR)")
    parser.add_argument("--config", type=Path, help="app.yaml to read (or INNOBROKER_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, load settings once, run the sub-command."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config, overrides={"data_dir": args.data_dir})
    except ConfigError as exc:
        print(f"innobroker: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.run(args, settings))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


def print_json(payload: Any) -> None:
    """One JSON document per line on stdout, non-ASCII kept readable."""
    print(json.dumps(payload, ensure_ascii=False), flush=True)


def fail(message: str, code: int = 1) -> int:
    """Print a one-line error for the user and return the exit code."""
    print(f"innobroker: {message}", file=sys.stderr)
    return code
