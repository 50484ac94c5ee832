"""SQLite session store: SqliteStore over one aiosqlite connection, and its fault handling.

The only module that touches SQLite. It keeps what bot.state.store's StateStore contract asks for
in one WAL file; storage faults are logged once and degrade to "no saved state".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.core.model import ChatState
from bot.state.sqlite_schema import FAULTS, migrate, rollback
from bot.state.store import (
    MESSAGE_LOG_SECONDS,
    SWEEP_EVERY,
    TTL_SECONDS,
    ChatId,
    Sweeper,
    _Lifecycle,
    _young_ids,
    chat_key,
)

# Logged under the store's own name, as before the split: operators filter on "bot.state.store".
log = logging.getLogger("bot.state.store")

BUSY_TIMEOUT_MS = 50  # a locked file costs a turn at most this, then writes pause
BUSY_BACKOFF = 5.0  # seconds without writes after hitting a lock: replies never queue on it
WARN_EVERY = 60.0  # at most one fault warning a minute, however often the lock flaps
MAINTAIN_EVERY = 256  # purge expired rows after this many loads/saves/records

T = TypeVar("T")

_SQL_LOAD = "SELECT topic, pending, last_active FROM chat_state WHERE key = ?"
_SQL_DROP_ONE = "DELETE FROM chat_state WHERE key = ? AND last_active = ?"
_SQL_SAVE = (
    "INSERT INTO chat_state (key, topic, pending, last_active) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET topic = excluded.topic, pending = excluded.pending,"
    " last_active = excluded.last_active"
)
_SQL_RECORD = "INSERT OR REPLACE INTO message_log (key, message_id, sent_at) VALUES (?, ?, ?)"
_SQL_TAKE = "DELETE FROM message_log WHERE key = ? RETURNING message_id, sent_at"
_SQL_PURGE_STATE = "DELETE FROM chat_state WHERE last_active <= ?"
_SQL_PURGE_LOG = "DELETE FROM message_log WHERE sent_at <= ?"

_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


class SqliteStore(_Lifecycle):
    """Keeps state in one SQLite file (WAL) through a single aiosqlite connection.

    Every method swallows storage faults: load returns a fresh ChatState, writes do
    nothing, forget returns False. After a fault the store waits `retry_after` seconds,
    then reconnects on the next call. A lock held by another process costs one write at most
    BUSY_TIMEOUT_MS; writes then pause for `busy_backoff` seconds. While open, a timer
    purges expired rows every `sweep_every` seconds and recreates a deleted file.
    """

    def __init__(
        self,
        path: Path,
        *,
        secret: bytes,
        ttl_seconds: float = TTL_SECONDS,
        retry_after: float = 2.0,
        clock: Callable[[], float] = time.time,
        sweep_every: float = SWEEP_EVERY,
        busy_backoff: float = BUSY_BACKOFF,
    ) -> None:
        if not secret:
            raise ValueError(
                "SqliteStore needs a secret (see bot.state.secret.load_or_create_secret)"
            )
        self.path = Path(path)
        self._secret = secret
        self._ttl = ttl_seconds
        self._retry_after = retry_after
        self._clock = clock
        self._busy_backoff = busy_backoff
        self._busy_until = 0.0  # time.monotonic() before which writes are skipped
        self._warned_at: float | None = None
        self._sweeper = Sweeper(self.purge, clock, sweep_every)
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()  # one statement sequence at a time on the one connection
        self._retry_at = 0.0  # time.monotonic() before which we do not try to reconnect
        self._faulty = False  # a fault has been logged and the store has not worked since
        self._ops = 0

    async def open(self) -> None:
        """Connect, migrate, purge and start the sweep timer; a failure is retried later."""
        await self._call(lambda db: _nothing(), None)
        self._sweeper.start()

    async def close(self) -> None:
        await self._sweeper.stop()
        async with self._lock:
            await self._disconnect()

    async def load(self, chat_id: ChatId, now: float) -> ChatState:
        key = chat_key(self._secret, chat_id)
        return await self._call(lambda db: self._load(db, key, now), ChatState(), now=now)

    async def save(self, chat_id: ChatId, state: ChatState) -> None:
        row = (chat_key(self._secret, chat_id), state.topic, state.pending, state.last_active)
        await self._call(lambda db: _write(db, _SQL_SAVE, row), None, write=True)

    async def forget(self, chat_id: ChatId) -> bool:
        """Delete the chat's state and message log together; False if that failed."""
        key = chat_key(self._secret, chat_id)
        return await self._call(lambda db: _forget(db, key), False, write=True)

    async def purge(self, now: float) -> int:
        return await self._call(lambda db: self._purge_now(now), 0, write=True)

    async def record_message(self, chat_id: ChatId, message_id: int, now: float) -> None:
        row = (chat_key(self._secret, chat_id), message_id, now)
        await self._call(lambda db: _write(db, _SQL_RECORD, row), None, now=now, write=True)

    async def take_messages(self, chat_id: ChatId, now: float) -> list[int]:
        key = chat_key(self._secret, chat_id)
        return await self._call(lambda db: _take(db, key, now), [], write=True)

    # ------------------------------------------------------------ internals

    async def _call(
        self,
        op: Callable[[aiosqlite.Connection], Awaitable[T]],
        fallback: T,
        *,
        now: float | None = None,
        write: bool = False,
    ) -> T:
        """Run op on a live connection, turning any storage fault into `fallback`.

        While another process holds the lock (see BUSY_BACKOFF), writes return `fallback`
        at once: the turn goes on with memory-only state instead of queueing on the lock.
        """
        if write and time.monotonic() < self._busy_until:
            return fallback
        async with self._lock:
            try:
                if self._db is None:
                    if time.monotonic() < self._retry_at:
                        return fallback
                    await self._connect()
                if now is not None:
                    await self._maintain(now)
                assert self._db is not None
                result = await op(self._db)
            except FAULTS as exc:
                await self._on_fault(exc)
                return fallback
            if self._faulty and write:  # a read can work while writes are still locked out
                self._faulty = False
                log.warning("state store %s is working again", self.path)
            return result

    async def _connect(self) -> None:
        # Blocking file calls here are a mkdir and an open: microseconds, once per connect.
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file ourselves so it (and SQLite's -wal/-shm, which copy its mode) is 0600.
        os.close(os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o600))
        db = await aiosqlite.connect(
            self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        try:
            ((mode,),) = await db.execute_fetchall("PRAGMA journal_mode = WAL")
            if mode != "wal":
                log.warning("state store %s could not use WAL (journal mode %s)", self.path, mode)
            # With WAL, NORMAL can lose the last commits on power loss, never corrupt: fine here.
            await db.execute_fetchall("PRAGMA synchronous = NORMAL")
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        self._db = db
        try:
            await self._purge(db, self._clock())
        except FAULTS as exc:
            if not _is_busy(exc):
                raise
            # Someone else holds the write lock; reads still work, purge another time.
            self._warn(exc, time.monotonic())
            self._busy_until = time.monotonic() + self._busy_backoff

    async def _disconnect(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            # Closing a broken connection can fail; aiosqlite stops its thread regardless.
            with contextlib.suppress(*FAULTS):
                await db.close()

    async def _on_fault(self, exc: BaseException) -> None:
        now = time.monotonic()
        if _is_busy(exc):
            self._busy_until = now + self._busy_backoff
        else:
            # The connection may point at a corrupt, replaced or vanished file: start over.
            await self._disconnect()
            self._retry_at = now + self._retry_after
        self._warn(exc, now)

    def _warn(self, exc: BaseException, now: float) -> None:
        """One warning per fault, and at most one a WARN_EVERY however often faults flap."""
        quiet = self._warned_at is not None and now - self._warned_at < WARN_EVERY
        if self._faulty or quiet:
            log.debug("state store %s still failing: %s", self.path, exc)
        else:
            self._faulty = True
            self._warned_at = now
            log.warning(
                "state store %s failed (%s: %s); carrying on without saved state",
                self.path,
                type(exc).__name__,
                exc,
            )

    async def _maintain(self, now: float) -> None:
        """Every MAINTAIN_EVERY calls, do what purge() does, but never fail the caller."""
        self._ops += 1
        if self._ops < MAINTAIN_EVERY:
            return
        self._ops = 0
        try:
            await self._purge_now(now)
        except FAULTS as exc:
            if not _is_busy(exc):
                raise

    async def _purge_now(self, now: float) -> int:
        """Reconnect if the file vanished, then purge expired rows."""
        if not self.path.exists():
            # SQLite would carry on writing to the deleted file and lose it all at exit.
            log.warning("state store %s disappeared; starting a new one", self.path)
            await self._disconnect()
            await self._connect()
        assert self._db is not None
        return await self._purge(self._db, now)

    async def _load(self, db: aiosqlite.Connection, key: str, now: float) -> ChatState:
        rows = list(await db.execute_fetchall(_SQL_LOAD, (key,)))
        if not rows:
            return ChatState()
        topic, pending, last_active = rows[0]
        if now - last_active >= self._ttl:
            await db.execute_fetchall(_SQL_DROP_ONE, (key, last_active))
            return ChatState()
        return ChatState(topic=topic, pending=pending, last_active=last_active)

    async def _purge(self, db: aiosqlite.Connection, now: float) -> int:
        count = 0
        for sql, cutoff in (
            (_SQL_PURGE_STATE, now - self._ttl),
            (_SQL_PURGE_LOG, now - MESSAGE_LOG_SECONDS),
        ):
            async with db.execute(sql, (cutoff,)) as cursor:
                count += max(cursor.rowcount, 0)
        if count:
            log.debug("state store purged %d expired rows", count)
        return count


async def _nothing() -> None:
    """The op of open(): connecting is all it needs."""


async def _write(db: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> None:
    await db.execute_fetchall(sql, params)


async def _forget(db: aiosqlite.Connection, key: str) -> bool:
    await db.execute_fetchall("BEGIN IMMEDIATE")
    try:
        await db.execute_fetchall("DELETE FROM chat_state WHERE key = ?", (key,))
        await db.execute_fetchall("DELETE FROM message_log WHERE key = ?", (key,))
        await db.execute_fetchall("COMMIT")
    except BaseException:
        await rollback(db)
        raise
    return True


async def _take(db: aiosqlite.Connection, key: str, now: float) -> list[int]:
    rows = await db.execute_fetchall(_SQL_TAKE, (key,))
    return _young_ids(rows, now)  # type: ignore[arg-type]


def _is_busy(exc: BaseException) -> bool:
    """True for 'database is locked': another connection holds it, ours is still good."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _BUSY_CODES
