"""Commands for operators: validate, catalog, classify, eval, report, stats and review."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.cli.common import (
    DEFAULT_DB,
    PROJECT_ROOT,
    insight_settings,
    load_pipeline,
    state_settings,
    stdin_lines,
)


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.content.validate import run_validate

    return run_validate(args.content, out=sys.stdout, err=sys.stderr)


def cmd_catalog(args: argparse.Namespace) -> int:
    from bot.content.validate import run_catalog

    if args.route is not None:
        from bot.insight.routeuse import run_route_uses

        return run_route_uses(args.content, args.route, sys.stdout, sys.stderr)

    return run_catalog(args.content, out=sys.stdout, err=sys.stderr)


def cmd_classify(args: argparse.Namespace) -> int:
    import json

    from bot.console import ProtocolError, decode_line
    from bot.insight.evaluate import run_classify

    loaded = load_with_semantic(args)
    if isinstance(loaded, int):
        return loaded
    # Bytes in, decoded line by line: one undecodable line gets an error line, not a crash.
    for raw in stdin_lines():
        try:
            line = decode_line(raw)
        except ProtocolError as error:
            print(json.dumps({"error": str(error)}), flush=True)
            continue
        run_classify(loaded[1], [line], sys.stdout, explain=args.explain)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.insight.evaluate import DEFAULT_FLOORS, evaluate, print_report, read_labelled

    if args.self_check:
        from bot.insight.selfcheck import run_self_check

        return run_self_check(args.content, sys.stdout, sys.stderr)
    loaded = load_with_semantic(args)
    if isinstance(loaded, int):
        return loaded
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


def load_with_semantic(args: argparse.Namespace):
    """load_pipeline, or exit code 1 (bad content) or 2 (an unusable --semantic folder)."""
    if args.semantic is None:
        return load_pipeline(args) or 1
    from bot.semantic import ModelError

    try:
        loaded = load_pipeline(args)
    except ModelError as error:
        print(f"error: --semantic {args.semantic}: {error}", file=sys.stderr)
        return 2
    return 1 if loaded is None else loaded


def cmd_report(args: argparse.Namespace) -> int:
    from bot.insight.evaluate import DEFAULT_FLOORS
    from bot.insight.report import write_report

    loaded = load_pipeline(args)
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


def cmd_stats(args: argparse.Namespace) -> int:
    from bot.insight.commands import run_stats

    settings = state_settings()
    if settings is None:
        return 2
    db = settings.db or DEFAULT_DB
    return run_stats(db, args.days, as_json=args.json, out=sys.stdout, err=sys.stderr)


def cmd_review(args: argparse.Namespace) -> int:
    from bot.insight.commands import run_review

    settings, insight = state_settings(), insight_settings()
    if settings is None or insight is None:
        return 2

    def matcher():
        loaded = load_pipeline(args)
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
