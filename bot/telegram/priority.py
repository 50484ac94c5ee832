"""Crisis first: when updates queue up, a message from someone in danger is taken next.

Two places can hold a message back, and both use the same `PriorityGate`:

1. PTB's update processor, which runs at most `concurrency` updates at once. PTB's own
   semaphore is first come, first served, so `PriorityUpdateProcessor` gives it a generous
   backlog (it only bounds the tasks waiting) and applies the real limit itself, letting a
   waiting crisis update take the next free slot ahead of ordinary ones.
2. The adapter's per-chat lock (one turn at a time per chat, so state is never loaded twice):
   a crisis waits only for the turn already running in its chat, not for the queue behind it.

Priorities are small ints, lower first (CRISIS = 0, ORDINARY = 1); equal priorities keep
their arrival order, so ordinary messages are still answered in the order they were sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import inspect
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

CRISIS = 0
ORDINARY = 1
BACKLOG = 256  # updates PTB may hand us at once; they wait in the gate, by priority


class PriorityGate:
    """At most `capacity` holders at once; waiters go lowest priority first, then in order."""

    def __init__(self, capacity: int = 1) -> None:
        self._free = capacity
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @property
    def waiting(self) -> int:
        return sum(1 for *_, future in self._waiters if not future.done())

    @contextlib.asynccontextmanager
    async def hold(self, priority: int = ORDINARY) -> AsyncIterator[None]:
        await self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, priority: int) -> None:
        if self._free > 0 and not self.waiting:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # the slot was handed over just as we were cancelled
            else:
                future.cancel()  # skipped when its turn comes
            raise

    def _release(self) -> None:
        # Hand the slot straight to the most urgent live waiter, so nobody can overtake it.
        while self._waiters:
            *_, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)
                return
        self._free += 1


class PriorityUpdateProcessor(BaseUpdateProcessor):
    """Run `concurrency` updates at once, a crisis update ahead of the ones waiting."""

    def __init__(self, concurrency: int, urgent: Callable[[Any], bool]) -> None:
        super().__init__(max(BACKLOG, concurrency))
        self._gate = PriorityGate(concurrency)
        self._urgent = urgent

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            priority = CRISIS if self._urgent(update) else ORDINARY
        except Exception as err:  # a broken check must never lose the update
            log.error("crisis check failed: %s", type(err).__name__)
            priority = CRISIS
        started = False
        try:
            async with self._gate.hold(priority):
                started = True
                await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: never leave it un-awaited

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
