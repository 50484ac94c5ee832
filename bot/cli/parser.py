"""The argument parser: every command, its options and their help."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import PROJECT_ROOT

CONTENT_HELP = "folder holding intents/ and responses/ (default: the project's own)"


def _add_content(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT, help=CONTENT_HELP)


def _tag_list(text: str) -> tuple[str, ...]:
    """`crisis,telegram` -> ("crisis", "telegram"); at least one tag."""
    tags = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not tags:
        raise argparse.ArgumentTypeError("give at least one tag, like --tags crisis,telegram")
    return tags


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser; kept separate so tests can inspect it."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="cyber-signpost: a chatbot that signposts victims of cybercrime.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="connect to Telegram (polling, or --webhook)")
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    _add_content(run)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--jsonl", action="store_true", help="machine protocol: JSON lines")
    _add_content(chat)

    classify = sub.add_parser("classify", help="classify messages from stdin, one JSON line each")
    classify.add_argument("--explain", action="store_true", help="add the matching evidence")
    _add_semantic(classify)
    _add_content(classify)

    evaluate = sub.add_parser("eval", help="measure the matcher on a labelled set")
    evaluate.add_argument("files", nargs="*", type=Path, help="JSONL files (default tests/data)")
    evaluate.add_argument(
        "--misses", action="store_true", help="list every wrong message as file:line"
    )
    evaluate.add_argument(
        "--self",
        dest="self_check",
        action="store_true",
        help="test the catalog's own examples (10-fold): which would go to another intent",
    )
    _add_semantic(evaluate)
    _add_content(evaluate)

    validate = sub.add_parser("validate", help="check intents/ and responses/ for mistakes")
    _add_content(validate)

    catalog = sub.add_parser("catalog", help="print the loaded catalog")
    catalog.add_argument("--json", action="store_true", help="as JSON (the only format)")
    catalog.add_argument("--route", metavar="ID", help="list every file:line using this route")
    _add_content(catalog)

    test = sub.add_parser("test", help="run scripted conversations")
    test.add_argument("paths", nargs="*", type=Path, help="script files or folders")
    test.add_argument("--telegram", action="store_true", help="through the Telegram adapter")
    test.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    test.add_argument(
        "--tags", type=_tag_list, default=(), help="only scripts with any of these (a,b,...)"
    )
    test.add_argument(
        "-v",
        "--verbose",
        dest="whole",
        action="store_true",
        help="show the bot's replies in full when a script fails",
    )
    test.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="chat on the console, then write what was said as a script to FILE",
    )
    _add_content(test)

    report = sub.add_parser("report", help="write a quality report page for a manager")
    report.add_argument("--html", type=Path, required=True, help="the HTML file to write")
    report.add_argument(
        "--labelled", nargs="+", type=Path, help="JSONL files (default tests/data)"
    )
    report.add_argument("--days", type=int, default=28, help="days of usage (with BOT_DB)")
    _add_content(report)
    from bot.insight.cli_args import add_parsers

    add_parsers(sub, _add_content)
    return parser


def _add_semantic(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--semantic",
        metavar="PATH",
        help="re-rank with the sentence-embedding model in this folder (docs/matching.md)",
    )
