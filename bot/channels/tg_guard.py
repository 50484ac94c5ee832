"""Limits and faults at the Telegram edge: a per-chat flood guard and bounded retries.

No telegram networking here, only its error types; the clock and the sleep are injected so
tests run in milliseconds.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

log = logging.getLogger(__name__)
T = TypeVar("T")


class FloodGuard:
    """More than `limit` messages in `window` seconds: one notice, then a minute of silence.

    Crisis messages are exempt (see `check`).
    """

    def __init__(
        self,
        *,
        limit: int = 20,
        window: float = 10.0,
        mute: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.mute = mute
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._muted_until: dict[int, float] = {}

    def check(self, chat_id: int, *, urgent: bool = False) -> str:
        """Count one message; return "ok", "notice" (tell them once) or "ignore".

        An urgent message (the safety screen saw a crisis) is always "ok" and not counted:
        a person in danger is answered even from a muted chat.
        """
        if urgent:
            return "ok"
        now = self.clock()
        until = self._muted_until.get(chat_id)
        if until is not None:
            if now < until:
                return "ignore"
            del self._muted_until[chat_id]
            self._seen.pop(chat_id, None)
        seen = self._seen.setdefault(chat_id, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        seen.append(now)
        if len(seen) > self.limit:
            self._muted_until[chat_id] = now + self.mute
            return "notice"
        if len(self._seen) > 10_000:
            self._forget_quiet(now)
        return "ok"

    def _forget_quiet(self, now: float) -> None:
        # Keep memory bounded: chats with no message inside the window are forgotten.
        for chat_id in [c for c, s in self._seen.items() if not s or s[-1] <= now - self.window]:
            del self._seen[chat_id]


def retry_seconds(err: RetryAfter) -> float:
    """Read RetryAfter's delay without tripping PTB's int-to-timedelta deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = err.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    what: str,
    attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run a Bot API call, retrying flood waits, time-outs and network faults a few times.

    A BadRequest is Telegram saying no, so it is raised at once for the caller to handle.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as err:
            delay = min(retry_seconds(err), max_delay)
            if attempt == attempts:
                raise
            log.warning("%s: flood wait %.1fs (attempt %d)", what, delay, attempt)
        except BadRequest:
            raise
        except NetworkError as err:  # TimedOut is a NetworkError too
            if attempt == attempts:
                raise
            delay = min(base_delay * 2 ** (attempt - 1), max_delay)
            log.warning("%s: %s, retrying in %.1fs", what, type(err).__name__, delay)
        await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
