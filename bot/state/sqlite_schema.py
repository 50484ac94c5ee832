"""The state database's schema and its migrations, one recorded version at a time.

Boundary: runs SQL on a connection it is handed; opening and closing belong to SqliteStore.
"""

from __future__ import annotations

import contextlib
import sqlite3

import aiosqlite

SCHEMA_VERSION = 1
# What a broken disk or database can throw at us; anything else is a bug and should surface.
FAULTS = (sqlite3.Error, OSError, ValueError)

# Each entry upgrades the schema by one version; never edit a shipped entry, append one.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE chat_state ("
        " key TEXT PRIMARY KEY, topic TEXT, pending TEXT, last_active REAL NOT NULL)",
        "CREATE TABLE message_log (key TEXT NOT NULL, message_id INTEGER NOT NULL,"
        " sent_at REAL NOT NULL)",
        "CREATE UNIQUE INDEX message_log_by_key ON message_log (key, message_id)",
    ),
)
assert len(_MIGRATIONS) == SCHEMA_VERSION


async def migrate(db: aiosqlite.Connection) -> None:
    """Bring the schema up to SCHEMA_VERSION, one recorded step at a time."""
    ((version,),) = await db.execute_fetchall("PRAGMA user_version")
    if version == SCHEMA_VERSION:
        return  # up to date: connect without the write lock another process may hold
    await db.execute_fetchall("BEGIN IMMEDIATE")  # re-read inside: another process may migrate
    try:
        ((version,),) = await db.execute_fetchall("PRAGMA user_version")
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {version} is newer than this bot understands ({SCHEMA_VERSION})"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[number - 1]:
                await db.execute_fetchall(statement)
            await db.execute_fetchall(f"PRAGMA user_version = {number:d}")
        await db.execute_fetchall("COMMIT")
    except BaseException:
        await rollback(db)
        raise


async def rollback(db: aiosqlite.Connection) -> None:
    if db.in_transaction:
        # The caller is already reporting the fault that brought us here.
        with contextlib.suppress(*FAULTS):
            await db.execute_fetchall("ROLLBACK")
