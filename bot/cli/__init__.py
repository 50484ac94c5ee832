"""Command line: `python -m bot COMMAND`; the commands are listed in README.md.

The only module that reads argv and the environment; everything else gets plain values.
Heavy imports (telegram, sqlite) happen inside the command that needs them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from bot.cli.content_cmds import (
    cmd_catalog,
    cmd_classify,
    cmd_eval,
    cmd_report,
    cmd_review,
    cmd_stats,
    cmd_validate,
)
from bot.cli.parser import build_parser
from bot.cli.serve_cmds import cmd_chat, cmd_run, cmd_test

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    command = args.command
    if command is None:
        command = "run" if os.environ.get("TELEGRAM_BOT_TOKEN") else "chat"
        args = build_parser().parse_args([*(argv or []), command])
        if command == "chat":
            print(
                "No TELEGRAM_BOT_TOKEN set, so this is the console chat. "
                "To connect Telegram, see README.md ('Run on Telegram').",
                file=sys.stderr,
            )
    try:
        return _COMMANDS[command](args)
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error worth a traceback.
        sys.stderr.close()
        return 0


_COMMANDS = {
    "validate": cmd_validate,
    "catalog": cmd_catalog,
    "run": cmd_run,
    "chat": cmd_chat,
    "classify": cmd_classify,
    "eval": cmd_eval,
    "test": cmd_test,
    "report": cmd_report,
    "stats": cmd_stats,
    "review": cmd_review,
}
