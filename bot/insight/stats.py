"""Usage statistics: which keys a turn counts, and reading the daily counts back.

Keys are coarse on purpose: `intent:<id>`, `no_match`, `offered`, `offer_taken:<id>`,
`safety:<kind>`, `button`, `forget`, `start`. Counts are per UTC day; no chat, no text.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.core.model import Event, Turn
from bot.insight.cli_args import MAX_STATS_DAYS
from bot.insight.db import FAULTS, connect_read_only, has_table

log = logging.getLogger(__name__)

SAFETY_KINDS = ("emergency", "self_harm_crisis")
MAX_DAYS = MAX_STATS_DAYS
_NOT_UNDERSTOOD = frozenset({"no_match", "other_language"})
_TOPIC = frozenset({"matched", "topic"})


def usage_keys(event: Event, turn: Turn) -> list[str]:
    """The counters one turn adds to. Intent ids come from the engine, never from the user."""
    keys: list[str] = []
    outcome = turn.outcome
    intent = turn.replies[0].intent if turn.replies else None
    if outcome in _TOPIC and intent:
        keys.append(f"intent:{intent}")
        if event.kind == "button" and event.text.startswith("offer:"):
            keys.append(f"offer_taken:{intent}")
    elif outcome == "safety" and intent:
        keys.append(f"safety:{intent}")
    elif outcome in _NOT_UNDERSTOOD:
        keys.append("no_match")
    elif outcome == "clarify":
        keys.append("offered")
    elif outcome == "forget":
        keys.append("forget")
    if event.kind == "button":
        keys.append("button")
    elif event.kind == "command" and event.payload.strip() and _is_start(event.text):
        keys.append("start")
    return keys


def _is_start(command: str) -> bool:
    return command.split("@", 1)[0].lower() == "/start"


def _empty() -> dict[str, Any]:
    return {
        "intents": {},
        "no_match": 0,
        "offered": 0,
        "safety": dict.fromkeys(SAFETY_KINDS, 0),
        "buttons": 0,
        "forget": 0,
        "starts": 0,
    }


def _add(into: dict[str, Any], key: str, n: int, taken: dict[str, int] | None) -> None:
    kind, _, rest = key.partition(":")
    if kind == "intent":
        into["intents"][rest] = into["intents"].get(rest, 0) + n
    elif kind == "safety" and rest in into["safety"]:
        into["safety"][rest] += n
    elif kind == "offer_taken":
        if taken is not None:
            taken[rest] = taken.get(rest, 0) + n
    else:
        field = {"button": "buttons", "start": "starts"}.get(key, key)
        if field in ("no_match", "offered", "buttons", "forget", "starts"):
            into[field] += n


def _rows(db_path: Path, first: str, last: str) -> list[tuple[str, str, int]]:
    db = connect_read_only(db_path)
    if db is None:
        return []
    try:
        if not has_table(db, "usage"):
            return []
        sql = "SELECT day, key, n FROM usage WHERE day BETWEEN ? AND ? ORDER BY day, key"
        return [(str(d), str(k), int(n)) for d, k, n in db.execute(sql, (first, last))]
    finally:
        db.close()


@dataclass
class Taken:
    """Offers taken: kept in the table and shown by `stats`, but not part of the JSON shape."""

    by_intent: dict[str, int] = field(default_factory=dict)
    by_day: dict[str, int] = field(default_factory=dict)


def collect(
    db_path: Path, days: int, today: dt.date | None = None
) -> tuple[dict[str, Any], Taken]:
    """The stats shape, plus the offers taken."""
    today = today or dt.datetime.now(dt.UTC).date()
    days = max(1, min(days, MAX_DAYS))
    dates = [today - dt.timedelta(days=back) for back in range(days - 1, -1, -1)]
    per_day = {d.isoformat(): _empty() for d in dates}
    totals = _empty()
    taken = Taken()
    for day, key, n in _rows(db_path, dates[0].isoformat(), dates[-1].isoformat()):
        if day in per_day:
            _add(per_day[day], key, n, None)
            _add(totals, key, n, taken.by_intent)
            if key.startswith("offer_taken:"):
                taken.by_day[day] = taken.by_day.get(day, 0) + n
    for bucket in (*per_day.values(), totals):
        bucket["intents"] = dict(sorted(bucket["intents"].items()))
    listed = [{"date": day, **bucket} for day, bucket in per_day.items()]
    return {"days": listed, "totals": totals}, taken


def read_stats(db_path: Path, days: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """Daily counts for the last `days` UTC days (oldest first, today last) and their totals.

    A missing file or table reads as all zeros. Shape: {"days": [{"date", "intents",
    "no_match", "offered", "safety", "buttons", "forget", "starts"}], "totals": {...}}.
    """
    return collect(db_path, days, today)[0]


_HEAD = ("date", "topics", "not understood", "offered", "taken", "emergency", "crisis")
_HEAD += ("buttons", "forget", "starts")
_WIDTHS = (10, 7, 15, 8, 6, 10, 7, 8, 7, 7)


def _line(cells: tuple[object, ...]) -> str:
    parts = zip(cells, _WIDTHS, strict=True)
    return "".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(parts))


def _cells(label: str, b: dict[str, Any], took: int) -> tuple[object, ...]:
    safety = b["safety"]
    topics = sum(b["intents"].values())
    return (label, topics, b["no_match"], b["offered"], took, *safety.values(), *_rest(b))


def _rest(b: dict[str, Any]) -> tuple[int, int, int]:
    return b["buttons"], b["forget"], b["starts"]


def print_table(stats: dict[str, Any], taken: Taken, out: TextIO) -> None:
    """A plain table a person can read in a terminal: one line a day, totals, then topics."""
    out.write(_line(_HEAD) + "\n")
    for day in stats["days"]:
        out.write(_line(_cells(day["date"], day, taken.by_day.get(day["date"], 0))) + "\n")
    out.write(_line(_cells("total", stats["totals"], sum(taken.by_intent.values()))) + "\n")
    intents = stats["totals"]["intents"]
    if intents:
        out.write("\ntopic                             answered  offers taken\n")
        for intent, n in sorted(intents.items(), key=lambda item: (-item[1], item[0])):
            out.write(f"{intent:34}{n:8}  {taken.by_intent.get(intent, 0):12}\n")


def stats_or_warning(db_path: Path, days: int) -> tuple[dict[str, Any], Taken] | None:
    """collect(), turning a broken file into a logged warning and None."""
    try:
        return collect(db_path, days)
    except (sqlite3.Error, *FAULTS) as error:
        log.warning("cannot read usage statistics from %s: %s", db_path, error)
        return None
