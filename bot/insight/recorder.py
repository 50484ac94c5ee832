"""Counts turns in memory and writes them to the database in the background.

`Recorder.observe` is what session.handle calls after each turn: a few dictionary updates,
no I/O, so a reply never waits for it. A timer flushes every few seconds from a worker
thread, and `close()` flushes what is left. A failed write keeps the counts for the next
try and costs one warning a minute at most.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Self, TextIO

from bot.core.model import ChatState, Event, Turn
from bot.insight import review
from bot.insight.db import FAULTS, connect
from bot.insight.redact import redact
from bot.insight.stats import usage_keys
from bot.state.store import ChatId, StateStore

log = logging.getLogger(__name__)

FLUSH_EVERY = 5.0  # seconds between background writes
PURGE_EVERY = 60.0  # seconds between review expiry sweeps when there is nothing to write
WARN_EVERY = 60.0
_SQL_COUNT = (
    "INSERT INTO usage (day, key, n) VALUES (?, ?, ?)"
    " ON CONFLICT (day, key) DO UPDATE SET n = n + excluded.n"
)
_REVIEWED = frozenset({"no_match", "clarify"})


class Recorder:
    """Aggregate usage counts and, when `review` is on, redacted unmatched messages."""

    def __init__(
        self,
        path: Path,
        *,
        review_on: bool = False,
        review_days: int = review.DEFAULT_DAYS,
        review_cap: int = review.MAX_ENTRIES,
        clock: Callable[[], float] = time.time,
        flush_every: float = FLUSH_EVERY,
    ) -> None:
        self.path = Path(path)
        self.review_on = review_on
        self.review_days = review_days
        self.review_cap = review_cap
        self._clock = clock
        self._flush_every = flush_every
        self._counts: Counter[tuple[str, str]] = Counter()
        self._pending: list[tuple[str, str, str]] = []  # (day, outcome, redacted text)
        self._day = ""
        self._day_span = (0.0, 0.0)  # [start, end) of self._day in unix seconds
        self._task: asyncio.Task[None] | None = None
        self._purged_at = float("-inf")
        self._warned_at = float("-inf")

    # ------------------------------------------------------------ the hot path

    def observe(self, event: Event, turn: Turn) -> None:
        """Count one turn (and keep its redacted text if review is on). Memory only."""
        day = self._today()
        counts = self._counts
        for key in usage_keys(event, turn):
            counts[day, key] += 1
        if self.review_on and turn.outcome in _REVIEWED and event.kind == "text":
            self._pending.append((day, turn.outcome, redact(event.text)[: review.MAX_CHARS]))
            if len(self._pending) > self.review_cap:
                del self._pending[0]

    def _today(self) -> str:
        now = self._clock()
        start, end = self._day_span
        if not start <= now < end:
            day = dt.datetime.fromtimestamp(now, dt.UTC).date()
            start = float(calendar.timegm(day.timetuple()))
            self._day, self._day_span = day.isoformat(), (start, start + 86_400.0)
        return self._day

    # ------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        """Sweep expired review entries and start the flush timer."""
        await self.flush()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="usage-flush")

    async def close(self) -> None:
        """Stop the timer and write what is still in memory."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        counts, pending = self._take()
        if not self._write_now(counts, pending):
            log.warning("usage counts lost at shutdown: %d keys", len(counts))

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_every)
            await self.flush()

    async def flush(self) -> bool:
        """Write the counts so far from a worker thread; False (and kept) if that failed."""
        counts, pending = self._take()
        if await asyncio.to_thread(self._write_now, counts, pending):
            return True
        self._keep(counts, pending)  # back on the loop's thread, where observe() runs
        return False

    def _take(self) -> tuple[Counter[tuple[str, str]], list[tuple[str, str, str]]]:
        counts, self._counts = self._counts, Counter()
        pending, self._pending = self._pending, []
        return counts, pending

    def _write_now(
        self, counts: Counter[tuple[str, str]], pending: list[tuple[str, str, str]]
    ) -> bool:
        now = self._clock()
        purge = now - self._purged_at >= PURGE_EVERY
        if not counts and not pending and not purge:
            return True
        try:
            db = connect(self.path)
            try:
                with db:  # one transaction: all of it is written, or none
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany(_SQL_COUNT, [(d, k, n) for (d, k), n in counts.items()])
                    review.insert(db, pending, cap=self.review_cap)
                    review.purge(db, self.review_days, today=self._date(now))
            finally:
                db.close()
        except FAULTS as error:
            self._warn(error)
            return False
        self._purged_at = now
        return True

    def _date(self, now: float) -> dt.date:
        return dt.datetime.fromtimestamp(now, dt.UTC).date()

    def _keep(self, counts: Counter[tuple[str, str]], pending: list[tuple[str, str, str]]) -> None:
        """Put unwritten counts back (they are few: one per day and key)."""
        self._counts.update(counts)
        self._pending[:0] = pending
        del self._pending[: max(0, len(self._pending) - self.review_cap)]

    def _warn(self, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            log.warning(
                "usage statistics not written to %s (%s: %s); kept in memory to try again",
                self.path,
                type(error).__name__,
                error,
            )


class RecordingStore:
    """A StateStore that opens and closes a Recorder with itself, so every channel that
    already opens and closes its store (console, Telegram) flushes the counts too."""

    def __init__(self, inner: StateStore, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder

    async def open(self) -> None:
        await self.inner.open()
        await self.recorder.open()

    async def close(self) -> None:
        try:
            await self.recorder.close()
        finally:
            await self.inner.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def load(self, chat_id: ChatId, now: float) -> ChatState:
        return await self.inner.load(chat_id, now)

    async def save(self, chat_id: ChatId, state: ChatState) -> None:
        await self.inner.save(chat_id, state)

    async def forget(self, chat_id: ChatId) -> bool:
        return await self.inner.forget(chat_id)

    async def purge(self, now: float) -> int:
        return await self.inner.purge(now)

    async def record_message(self, chat_id: ChatId, message_id: int, now: float) -> None:
        await self.inner.record_message(chat_id, message_id, now)

    async def take_messages(self, chat_id: ChatId, now: float) -> list[int]:
        return await self.inner.take_messages(chat_id, now)


def with_recorder(
    store: StateStore, db: Path | None, review_on: bool, review_days: int, *, err: TextIO
) -> tuple[StateStore, Callable[[Event, Turn], None] | None, int | None]:
    """Count usage (and keep review entries) in the state database; nothing without one.

    Returns the store to use (it opens and closes the recorder with itself), the observer
    for session.handle, and the engine's review_days (None while review is off).
    """
    if db is None:
        if review_on:
            err.write("BOT_REVIEW_UNMATCHED=1 keeps nothing without BOT_DB\n")
        return store, None, None
    recorder = Recorder(db, review_on=review_on, review_days=review_days)
    return RecordingStore(store, recorder), recorder.observe, review_days if review_on else None
