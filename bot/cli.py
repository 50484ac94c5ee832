"""Command line: `python -m bot COMMAND`; the commands are listed in README.md.

The only module that reads argv and the environment; everything else gets plain values.
Heavy imports (telegram, sqlite) happen inside the command that needs them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path("data") / "state.db"  # where `run` keeps state when BOT_DB is unset
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


def _cmd_validate(args: argparse.Namespace) -> int:
    from bot.content.validate import run_validate

    return run_validate(args.content, out=sys.stdout, err=sys.stderr)


def _cmd_catalog(args: argparse.Namespace) -> int:
    from bot.content.validate import run_catalog

    if args.route is not None:
        from bot.insight.routeuse import run_route_uses

        return run_route_uses(args.content, args.route, sys.stdout, sys.stderr)

    return run_catalog(args.content, out=sys.stdout, err=sys.stderr)


def _load_pipeline(args: argparse.Namespace):
    """Load content and build the matcher; print the problems and return None on failure."""
    from bot.content.gate import gate
    from bot.content.problem import refusal_lines
    from bot.core.matcher import Matcher, MatcherConfig
    from bot.core.safety import SafetyScreen
    from bot.insight.evaluate import Pipeline

    # The same gate and the same lines as `validate` and a reload: never serve bad content.
    gated = gate(args.content)
    content = gated.content
    if content is None:
        for line in refusal_lines(gated.problems):
            print(line, file=sys.stderr)
        return None
    for problem in gated.problems:
        logging.getLogger(__name__).warning("%s", problem.format())
    matcher = Matcher(content, MatcherConfig.load())
    return content, Pipeline(matcher, SafetyScreen(content, matcher))


def _stdin_bytes():
    """The raw byte stream under stdin (so we decode, strictly, per line), or stdin itself."""
    return getattr(sys.stdin, "buffer", sys.stdin)


def _stdin_lines():
    """Lines of stdin as they arrive, as bytes where possible; stops at end of input."""
    stream = _stdin_bytes()
    while line := stream.readline():
        yield line


def _cmd_classify(args: argparse.Namespace) -> int:
    import json

    from bot.console import ProtocolError, decode_line
    from bot.insight.evaluate import run_classify

    loaded = _load_pipeline(args)
    if loaded is None:
        return 1
    # Bytes in, decoded line by line: one undecodable line gets an error line, not a crash.
    for raw in _stdin_lines():
        try:
            line = decode_line(raw)
        except ProtocolError as error:
            print(json.dumps({"error": str(error)}), flush=True)
            continue
        run_classify(loaded[1], [line], sys.stdout, explain=args.explain)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from bot.insight.evaluate import DEFAULT_FLOORS, evaluate, print_report, read_labelled

    if args.self_check:
        from bot.insight.selfcheck import run_self_check

        return run_self_check(args.content, sys.stdout, sys.stderr)
    loaded = _load_pipeline(args)
    if loaded is None:
        return 1
    files = args.files or sorted((PROJECT_ROOT / "tests" / "data").glob("*.jsonl"))
    try:
        rows = read_labelled(files)
    except (OSError, ValueError) as error:
        print(f"cannot read the labelled set: {error}", file=sys.stderr)
        return 2
    floors = {**DEFAULT_FLOORS, **(loaded[1].matcher.config.floors or {})}
    topics = [i.id for i in loaded[0].intents.values() if i.kind != "negative"]
    report = evaluate(loaded[1], rows)
    return print_report(report, floors, sys.stdout, misses=args.misses, intents=topics)


def _engine(args: argparse.Namespace, review_days: int | None = None):
    from bot.core.engine import Engine
    from bot.session import LiveEngine

    loaded = _load_pipeline(args)
    if loaded is None:
        return None
    content, pipeline = loaded
    engine = Engine(content, pipeline.matcher, pipeline.screen, review_days=review_days)
    return LiveEngine(engine, args.content)


class StartupError(Exception):
    """The bot cannot start as configured; str() is the one line for the operator."""


def _state_settings():
    """Check the state settings up front; print one line and return None if one is wrong."""
    from bot.state.settings import SettingsError, settings_from_env

    try:
        return settings_from_env(os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def _insight_settings():
    """Check BOT_REVIEW_UNMATCHED and BOT_REVIEW_DAYS; print one line and return None if wrong."""
    from bot.insight.settings import insight_from_env
    from bot.state.settings import SettingsError

    try:
        return insight_from_env(os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def _with_recorder(store, db: Path | None, insight):
    from bot.insight.recorder import with_recorder

    return with_recorder(store, db, insight.review, insight.review_days, err=sys.stderr)


def _state_store(settings, *, memory_default: bool):
    """Build the store the settings ask for; StartupError if its secret cannot be had."""
    from bot.state.cached_store import CachedStore
    from bot.state.secret import load_or_create_secret
    from bot.state.sqlite_store import SqliteStore
    from bot.state.store import MemoryStore

    ttl = settings.ttl
    if settings.db is None and memory_default:
        return MemoryStore(ttl_seconds=ttl)
    path = settings.db or DEFAULT_DB
    secret_path = None
    try:
        if settings.state_secret is None:
            secret_path = settings.secret_path(path)
        secret = load_or_create_secret(secret_path or path, settings.state_secret)
    except (OSError, RuntimeError) as error:
        where = f" {secret_path}" if secret_path else ""
        reason = getattr(error, "strerror", None) or str(error)
        raise StartupError(
            f"cannot read or create the state secret file{where} ({reason}): set "
            "BOT_STATE_SECRET, or BOT_SECRET_FILE to a file the bot may write"
        ) from None
    return CachedStore(SqliteStore(path, secret=secret, ttl_seconds=ttl), ttl_seconds=ttl)


def _cmd_chat(args: argparse.Namespace) -> int:
    import asyncio

    from bot.console import run_interactive, run_jsonl
    from bot.session import make_handler

    settings, insight = _state_settings(), _insight_settings()
    if settings is None or insight is None:
        return 2
    try:
        store = _state_store(settings, memory_default=True)
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    store, observe, review_days = _with_recorder(store, settings.db, insight)
    live = _engine(args, review_days)
    if live is None:
        return 1

    async def chat() -> int:
        async with store:
            handle = make_handler(live, store, observe=observe)
            if args.jsonl:
                return await run_jsonl(handle, _stdin_lines(), sys.stdout)
            return await run_interactive(handle, _stdin_bytes(), sys.stdout)

    try:
        return asyncio.run(chat())
    except KeyboardInterrupt:
        return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.session import make_handler
    from bot.telegram.app import SettingsError, run, settings_from_env

    # PTB 22 warns on every RetryAfter unless told to use timedelta durations already.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = settings_from_env(os.environ, webhook=args.webhook)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    state_settings, insight = _state_settings(), _insight_settings()
    if state_settings is None or insight is None:
        return 2
    try:
        store = _state_store(state_settings, memory_default=False)
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    db = state_settings.db or DEFAULT_DB
    store, observe, review_days = _with_recorder(store, db, insight)
    live = _engine(args, review_days)
    if live is None:
        return 1
    return run(
        settings,
        handle=make_handler(live, store, observe=observe),
        store=store,
        reload=live.reload,
        texts=lambda key: live.engine.compose.text(key),
        is_crisis=lambda text: live.engine.screen.check(text) is not None,
    )


def _cmd_test(args: argparse.Namespace) -> int:
    from bot.scripts.runner import run_cli

    if args.record is not None:
        from bot.scripts.record import run_record

        mixed = [name for name, given in _RECORD_ALONE if getattr(args, given)]
        if mixed:
            print(f"error: --record cannot be combined with {', '.join(mixed)}", file=sys.stderr)
            return 2
        return run_record(
            args.record, content=args.content, stdin=_stdin_bytes(), out=sys.stdout, err=sys.stderr
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


def _cmd_report(args: argparse.Namespace) -> int:
    from bot.insight.evaluate import DEFAULT_FLOORS
    from bot.insight.report import write_report

    loaded = _load_pipeline(args)
    if loaded is None:
        return 1
    content, pipeline = loaded
    db = os.environ.get("BOT_DB")
    return write_report(
        args.html,
        content=content,
        root=args.content,
        pipeline=pipeline,
        files=args.labelled or sorted((PROJECT_ROOT / "tests" / "data").glob("*.jsonl")),
        floors={**DEFAULT_FLOORS, **(pipeline.matcher.config.floors or {})},
        db=Path(db) if db else None,
        days=args.days,
        err=sys.stderr,
    )


def _cmd_stats(args: argparse.Namespace) -> int:
    from bot.insight.commands import run_stats

    settings = _state_settings()
    if settings is None:
        return 2
    db = settings.db or DEFAULT_DB
    return run_stats(db, args.days, as_json=args.json, out=sys.stdout, err=sys.stderr)


def _cmd_review(args: argparse.Namespace) -> int:
    from bot.insight.commands import run_review

    settings, insight = _state_settings(), _insight_settings()
    if settings is None or insight is None:
        return 2

    def matcher():
        loaded = _load_pipeline(args)
        return None if loaded is None else loaded[1].matcher

    db, days = settings.db or DEFAULT_DB, insight.review_days
    return run_review(
        db,
        days,
        args.add,
        args.content,
        matcher,
        as_json=args.json,
        out=sys.stdout,
        err=sys.stderr,
    )


_COMMANDS = {
    "validate": _cmd_validate,
    "catalog": _cmd_catalog,
    "run": _cmd_run,
    "chat": _cmd_chat,
    "classify": _cmd_classify,
    "eval": _cmd_eval,
    "test": _cmd_test,
    "report": _cmd_report,
    "stats": _cmd_stats,
    "review": _cmd_review,
}
