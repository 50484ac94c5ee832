"""A read-through memory cache in front of a state store, so a turn costs one database trip.

The database stays the record: every save and /forget goes straight through. The cache only
spares the read for chats active in this process, keeps the same expiry rules, and holds
nothing more than the store itself does (a keyed ChatState, no text).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Self

from bot.core.model import ChatState
from bot.state.store import SWEEP_EVERY, TTL_SECONDS, ChatId, StateStore, Sweeper, chat_key

MAX_CACHED_CHATS = 50_000


class CachedStore:
    """Wraps a StateStore; same API, so session and channels cannot tell the difference."""

    def __init__(
        self,
        inner: StateStore,
        *,
        ttl_seconds: float = TTL_SECONDS,
        max_chats: int = MAX_CACHED_CHATS,
        clock: Callable[[], float] = time.time,
        sweep_every: float = SWEEP_EVERY,
    ) -> None:
        self.inner = inner
        self._ttl = ttl_seconds
        self._max = max_chats
        # Keys are HMACs under a secret that lives and dies with this process.
        self._secret = secrets.token_bytes(32)
        self._states: OrderedDict[str, ChatState] = OrderedDict()
        # The inner store sweeps its own rows; this timer sweeps what memory holds.
        self._sweeper = Sweeper(self._drop_expired, clock, sweep_every)

    @property
    def cached_chats(self) -> int:
        """How many chats memory holds now (expired ones go within a sweep)."""
        return len(self._states)

    async def open(self) -> None:
        await self.inner.open()
        self._sweeper.start()

    async def close(self) -> None:
        await self._sweeper.stop()
        self._states.clear()
        await self.inner.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def load(self, chat_id: ChatId, now: float) -> ChatState:
        key = chat_key(self._secret, chat_id)
        state = self._states.get(key)
        if state is not None and now - state.last_active < self._ttl:
            self._states.move_to_end(key)
            return state
        self._states.pop(key, None)
        return await self.inner.load(chat_id, now)

    async def save(self, chat_id: ChatId, state: ChatState) -> None:
        key = chat_key(self._secret, chat_id)
        self._states[key] = state
        self._states.move_to_end(key)
        while len(self._states) > self._max:
            self._states.popitem(last=False)
        await self.inner.save(chat_id, state)

    async def forget(self, chat_id: ChatId) -> bool:
        self._states.pop(chat_key(self._secret, chat_id), None)
        return await self.inner.forget(chat_id)

    async def purge(self, now: float) -> int:
        await self._drop_expired(now)
        return await self.inner.purge(now)

    async def _drop_expired(self, now: float) -> int:
        expired = [k for k, s in self._states.items() if now - s.last_active >= self._ttl]
        for key in expired:
            del self._states[key]
        return len(expired)

    async def record_message(self, chat_id: ChatId, message_id: int, now: float) -> None:
        await self.inner.record_message(chat_id, message_id, now)

    async def take_messages(self, chat_id: ChatId, now: float) -> list[int]:
        return await self.inner.take_messages(chat_id, now)
