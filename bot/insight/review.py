"""The opt-in review list: redacted messages the bot did not understand, for improving it.

Only filled while BOT_REVIEW_UNMATCHED=1. Each entry is a redacted text, the day and what the
bot did (no_match or clarify): no chat key, no time of day. Entries go after
BOT_REVIEW_DAYS days and the list never holds more than MAX_ENTRIES (oldest dropped).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEFAULT_DAYS = 14
MAX_DAYS = 365
MAX_ENTRIES = 5000
MAX_CHARS = 1000  # longer messages are cut: the start says enough to find the topic


@dataclass(frozen=True)
class Entry:
    number: int
    day: str
    outcome: str
    text: str


def insert(db: sqlite3.Connection, rows: Sequence[tuple[str, str, str]], *, cap: int) -> None:
    """Add (day, outcome, redacted text) rows, then drop the oldest beyond `cap`."""
    if not rows:
        return
    db.executemany("INSERT INTO review (day, outcome, text) VALUES (?, ?, ?)", rows)
    db.execute(
        "DELETE FROM review WHERE id NOT IN (SELECT id FROM review ORDER BY id DESC LIMIT ?)",
        (cap,),
    )


def cutoff(days: int, today: dt.date) -> str:
    """Entries on or before this day have been kept `days` days and must go."""
    return (today - dt.timedelta(days=days)).isoformat()


def purge(db: sqlite3.Connection, days: int, *, today: dt.date) -> int:
    """Delete entries older than `days` days; return how many went."""
    return db.execute("DELETE FROM review WHERE day <= ?", (cutoff(days, today),)).rowcount


def entries(db: sqlite3.Connection) -> list[Entry]:
    rows = db.execute("SELECT id, day, outcome, text FROM review ORDER BY id")
    return [Entry(int(i), str(d), str(o), str(t)) for i, d, o, t in rows]


def get(db: sqlite3.Connection, number: int) -> Entry | None:
    row = db.execute("SELECT id, day, outcome, text FROM review WHERE id = ?", (number,))
    found = row.fetchone()
    return Entry(int(found[0]), *map(str, found[1:])) if found else None


def delete(db: sqlite3.Connection, number: int) -> None:
    db.execute("DELETE FROM review WHERE id = ?", (number,))
