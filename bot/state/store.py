"""Private session store: the StateStore contract, chat keys, and the in-memory backend.

A ChatState per chat plus a short-lived message-id log. Keys are HMACs of chat ids, never
the ids; no message text is ever stored. The SQLite backend lives in sqlite_store.py, which
imports this module and never the other way round, so `bot.state.store` never loads aiosqlite.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol, Self

from bot.core.model import ChatState

log = logging.getLogger(__name__)

TTL_SECONDS = 1800.0
MESSAGE_LOG_SECONDS = 48 * 3600.0  # Telegram lets a bot delete its messages for 48 hours
SWEEP_EVERY = 30.0  # seconds between expiry sweeps: a row outlives its TTL by at most this
ChatId = int | str


def chat_key(secret: bytes, chat_id: ChatId) -> str:
    """Return the store key for a chat: HMAC-SHA256 (hex) of its id under the secret."""
    return hmac.new(secret, str(chat_id).encode("utf-8"), hashlib.sha256).hexdigest()


class StateStore(Protocol):
    """What session.handle and the channels need from a store; every backend has it."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def load(self, chat_id: ChatId, now: float) -> ChatState: ...
    async def save(self, chat_id: ChatId, state: ChatState) -> None: ...
    async def forget(self, chat_id: ChatId) -> bool: ...
    async def purge(self, now: float) -> int: ...
    async def record_message(self, chat_id: ChatId, message_id: int, now: float) -> None: ...
    async def take_messages(self, chat_id: ChatId, now: float) -> list[int]: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc_info: object) -> None: ...


class _Lifecycle:
    """`async with store:` opens and closes it."""

    async def open(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class Sweeper:
    """Runs `purge(clock())` every `every` seconds while started, so expiry needs no traffic.

    Without it expired rows would wait for the next message to be deleted, and at night
    that can be hours: the README promises deletion after the TTL, not after the next user.
    """

    def __init__(
        self, purge: Callable[[float], Awaitable[int]], clock: Callable[[], float], every: float
    ) -> None:
        self._purge = purge
        self._clock = clock
        self._every = every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the timer on the running loop (once; later calls do nothing)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="state-sweep")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self._purge(self._clock())
            except Exception:  # the timer must outlive any one bad sweep
                log.exception("state sweep failed; trying again in %.0f s", self._every)


class MemoryStore(_Lifecycle):
    """Keeps state in this process only: for the console, tests and when no disk is wanted."""

    def __init__(self, *, secret: bytes = b"", ttl_seconds: float = TTL_SECONDS) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._states: dict[str, ChatState] = {}
        self._logs: dict[str, dict[int, float]] = {}

    async def open(self) -> None:
        """Nothing to open; here so both stores share one lifecycle."""

    async def close(self) -> None:
        """Nothing to flush; the state dies with the process."""

    async def load(self, chat_id: ChatId, now: float) -> ChatState:
        key = chat_key(self._secret, chat_id)
        state = self._states.get(key)
        if state is None:
            return ChatState()
        if now - state.last_active >= self._ttl:
            del self._states[key]
            return ChatState()
        return state

    async def save(self, chat_id: ChatId, state: ChatState) -> None:
        self._states[chat_key(self._secret, chat_id)] = state

    async def forget(self, chat_id: ChatId) -> bool:
        key = chat_key(self._secret, chat_id)
        self._states.pop(key, None)
        self._logs.pop(key, None)
        return True

    async def purge(self, now: float) -> int:
        dead = [k for k, s in self._states.items() if now - s.last_active >= self._ttl]
        for key in dead:
            del self._states[key]
        count = len(dead)
        for key, sent in list(self._logs.items()):
            old = [m for m, at in sent.items() if now - at >= MESSAGE_LOG_SECONDS]
            for message_id in old:
                del sent[message_id]
            count += len(old)
            if not sent:
                del self._logs[key]
        return count

    async def record_message(self, chat_id: ChatId, message_id: int, now: float) -> None:
        self._logs.setdefault(chat_key(self._secret, chat_id), {})[message_id] = now

    async def take_messages(self, chat_id: ChatId, now: float) -> list[int]:
        sent = self._logs.pop(chat_key(self._secret, chat_id), {})
        return _young_ids(sent.items(), now)


def _young_ids(rows: Iterable[tuple[int, float]], now: float) -> list[int]:
    """Ids of (message_id, sent_at) pairs still deletable, oldest first."""
    pairs = sorted(rows, key=lambda row: (row[1], row[0]))
    return [int(message_id) for message_id, at in pairs if now - at < MESSAGE_LOG_SECONDS]
