"""Commands that talk to people or play conversations: chat, run and test."""

from __future__ import annotations

import argparse
import os
import sys

from bot.cli.common import (
    DEFAULT_DB,
    PROJECT_ROOT,
    StartupError,
    insight_settings,
    live_engine,
    state_settings,
    state_store,
    stdin_bytes,
    stdin_lines,
    with_recorder,
)


def open_session(args: argparse.Namespace, *, memory_default: bool):
    """The store (with usage counting), its observer and the live engine; or an exit code."""
    settings, insight = state_settings(), insight_settings()
    if settings is None or insight is None:
        return 2
    try:
        store = state_store(settings, memory_default=memory_default)
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    db = settings.db or (None if memory_default else DEFAULT_DB)
    store, observe, review_days = with_recorder(store, db, insight)
    live = live_engine(args, review_days)
    return 1 if live is None else (store, observe, live)


def cmd_chat(args: argparse.Namespace) -> int:
    import asyncio

    from bot.console import run_interactive, run_jsonl
    from bot.session import make_handler

    opened = open_session(args, memory_default=True)
    if isinstance(opened, int):
        return opened
    store, observe, live = opened

    async def chat() -> int:
        async with store:
            handle = make_handler(live, store, observe=observe)
            if args.jsonl:
                return await run_jsonl(handle, stdin_lines(), sys.stdout)
            return await run_interactive(handle, stdin_bytes(), sys.stdout)

    try:
        return asyncio.run(chat())
    except KeyboardInterrupt:
        return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.session import make_handler
    from bot.telegram.app import SettingsError, run, settings_from_env

    # PTB 22 warns on every RetryAfter unless told to use timedelta durations already.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = settings_from_env(os.environ, webhook=args.webhook)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    opened = open_session(args, memory_default=False)
    if isinstance(opened, int):
        return opened
    store, observe, live = opened
    return run(
        settings,
        handle=make_handler(live, store, observe=observe),
        store=store,
        reload=live.reload,
        texts=lambda key: live.engine.compose.text(key),
        is_crisis=lambda text: live.engine.screen.check(text) is not None,
    )


def cmd_test(args: argparse.Namespace) -> int:
    from bot.scripts.runner import run_cli

    if args.record is not None:
        from bot.scripts.record import run_record

        mixed = [name for name, given in _RECORD_ALONE if getattr(args, given)]
        if mixed:
            print(f"error: --record cannot be combined with {', '.join(mixed)}", file=sys.stderr)
            return 2
        return run_record(
            args.record, content=args.content, stdin=stdin_bytes(), out=sys.stdout, err=sys.stderr
        )
    paths = args.paths or [PROJECT_ROOT / "tests" / "conversations"]
    return run_cli(
        paths,
        content=args.content,
        telegram=args.telegram,
        junit=args.junit,
        tags=args.tags,
        whole=args.whole,
    )


# What `--record` cannot go with: it writes one script, it does not run any.
_RECORD_ALONE = (
    ("script paths", "paths"),
    ("--tags", "tags"),
    ("--telegram", "telegram"),
    ("--junit", "junit"),
)
