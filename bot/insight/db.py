"""The insight tables, kept in the state store's SQLite file, and how to open that file.

Plain sqlite3, run off the event loop (the recorder flushes from a worker thread, the CLI
reads directly). Same file settings as bot.state.sqlite_store: WAL, mode 0600, a short busy wait.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from bot.state.sqlite_store import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

# Faults a broken or locked file can raise; they cost a warning, never a reply.
FAULTS = (sqlite3.Error, OSError, ValueError)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS usage (day TEXT NOT NULL, key TEXT NOT NULL,"
    " n INTEGER NOT NULL, PRIMARY KEY (day, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS review (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " day TEXT NOT NULL, outcome TEXT NOT NULL, text TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS review_by_day ON review (day)",
)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if need be) the database with the insight tables; autocommit mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Create the file ourselves so it is 0600 even when the insight code gets there first.
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        for statement in SCHEMA:
            db.execute(statement)
    except BaseException:
        db.close()
        raise
    return db


def connect_read_only(path: Path) -> sqlite3.Connection | None:
    """Open an existing database for reading only; None when there is no such file."""
    if not path.is_file():
        return None
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row.fetchone() is not None
