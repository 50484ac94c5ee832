"""`python -m bot stats` and `python -m bot review`: what bot/cli.py runs for them.

Plain values in (paths, numbers, streams), an exit code out; cli.py reads argv and the
environment. Exit codes: 0 done, 1 content or database problem, 2 a wrong request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from bot.insight import review
from bot.insight.db import FAULTS, connect, connect_read_only, has_table
from bot.insight.examples import ExampleError, add_example
from bot.insight.stats import print_table, stats_or_warning

log = logging.getLogger(__name__)

NEAREST = 3


def run_stats(db_path: Path, days: int, *, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Print the daily counts as a table, or as the JSON shape of read_stats."""
    if not db_path.is_file():
        err.write(f"no database at {db_path} yet: set BOT_DB to the bot's database file\n")
    result = stats_or_warning(db_path, days)
    if result is None:
        err.write(f"error: cannot read {db_path}; see the warning above\n")
        return 1
    stats, taken = result
    if as_json:
        out.write(json.dumps(stats) + "\n")
    else:
        print_table(stats, taken, out)
    return 0


def _entries(db_path: Path, days: int) -> list[review.Entry]:
    """The review list after dropping expired entries; [] when there is no list."""
    if not db_path.is_file():
        return []
    probe = connect_read_only(db_path)
    try:
        if probe is None or not has_table(probe, "review"):
            return []
    finally:
        if probe is not None:
            probe.close()
    db = connect(db_path)
    try:
        review.purge(db, days, today=dt.datetime.now(dt.UTC).date())
        return review.entries(db)
    finally:
        db.close()


def _nearest(matcher: object, text: str) -> list[dict[str, object]]:
    scores: dict[str, float] = matcher.scores(text)  # type: ignore[attr-defined]
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:NEAREST]
    return [{"intent": intent, "score": round(score, 1)} for intent, score in best]


def list_review(
    db_path: Path, days: int, matcher: object, *, as_json: bool, out: TextIO, err: TextIO
) -> int:
    """Show each kept entry with the intents the current matcher thinks are nearest."""
    try:
        found = _entries(db_path, days)
    except FAULTS as error:
        err.write(f"error: cannot read the review list in {db_path}: {error}\n")
        return 1
    rows = [
        {"number": e.number, "day": e.day, "outcome": e.outcome, "text": e.text}
        | {"nearest": _nearest(matcher, e.text)}
        for e in found
    ]
    if as_json:
        out.write(json.dumps({"entries": rows}, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        out.write("Nothing to review. (Entries are kept only while BOT_REVIEW_UNMATCHED=1.)\n")
        return 0
    for row in rows:
        near = ", ".join(f"{n['intent']} {n['score']}" for n in row["nearest"])
        out.write(f"{row['number']:>5}  {row['day']}  {row['outcome']:8}  {row['text']}\n")
        out.write(f"       nearest: {near}\n")
    out.write("\nTo teach the bot one of these: python -m bot review --add NUMBER INTENT\n")
    return 0


def add_from_review(
    db_path: Path, days: int, number: int, intent: str, content_root: Path, *, err: TextIO
) -> int:
    """Append entry `number` to intents/<intent>.yaml and drop it from the list.

    Returns 0 when added (the caller then runs validate), 2 for an unknown entry or intent.
    """
    intents = sorted(p.stem for p in (content_root / "intents").glob("*.yaml"))
    if intent not in intents:
        err.write(
            f"error: there is no intent {intent!r} in {content_root / 'intents'}; "
            f"choose one of: {', '.join(intents)}\n"
        )
        return 2
    try:
        numbers = {e.number: e for e in _entries(db_path, days)}
    except FAULTS as error:
        err.write(f"error: cannot read the review list in {db_path}: {error}\n")
        return 1
    entry = numbers.get(number)
    if entry is None:
        err.write(
            f"error: there is no review entry {number} (it may have expired); "
            "run `python -m bot review` to see the numbers\n"
        )
        return 2
    path = content_root / "intents" / f"{intent}.yaml"
    try:
        add_example(path, entry.text)
    except (ExampleError, OSError) as error:
        err.write(f"error: {error}\n")
        return 2
    db = connect(db_path)
    try:
        review.delete(db, number)
    finally:
        db.close()
    return 0


def run_review(
    db_path: Path,
    days: int,
    add: Sequence[str] | None,
    content_root: Path,
    matcher: Callable[[], object | None],
    *,
    as_json: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """`review`: list the entries, or with `add` = (NUMBER, INTENT) add one and validate."""
    if add:
        number, intent = add
        if not (number.isascii() and number.isdigit()):
            err.write(f"error: {number!r} is not an entry number (see `python -m bot review`)\n")
            return 2
        code = add_from_review(db_path, days, int(number), intent, content_root, err=err)
        if code:
            return code
        from bot.content.validate import run_validate

        out.write(f"Added entry {number} to intents/{intent}.yaml. Checking the content:\n")
        out.flush()
        return run_validate(content_root, out=out, err=err)
    loaded = matcher()
    if loaded is None:
        return 1
    return list_review(db_path, days, loaded, as_json=as_json, out=out, err=err)
