"""The `stats` and `review` sub-commands' arguments, kept light: building the parser must not
load SQLite (bot/cli.py builds it for every command)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

DEFAULT_STATS_DAYS = 30
MAX_STATS_DAYS = 3660


def add_parsers(sub: argparse._SubParsersAction, add_content: Callable[..., None]) -> None:
    """The `stats` and `review` sub-commands (bot/cli.py owns the rest)."""
    stats = sub.add_parser("stats", help="daily usage counts from BOT_DB (no chats, no text)")
    stats.add_argument(
        "--days",
        type=_days,
        default=DEFAULT_STATS_DAYS,
        help=f"days back, today included (default {DEFAULT_STATS_DAYS})",
    )
    stats.add_argument("--json", action="store_true", help="as JSON")
    rev = sub.add_parser("review", help="messages the bot did not understand (opt-in, redacted)")
    rev.add_argument("--json", action="store_true", help="as JSON")
    rev.add_argument(
        "--add",
        nargs=2,
        metavar=("NUMBER", "INTENT"),
        help="append entry NUMBER to intents/INTENT.yaml as an example, then validate",
    )
    add_content(rev)


def _days(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_STATS_DAYS:
        raise argparse.ArgumentTypeError(f"use a whole number of days from 1 to {MAX_STATS_DAYS}")
    return int(value)
