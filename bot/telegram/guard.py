"""Limits and faults at the Telegram edge: a per-chat flood guard and bounded retries.

No telegram networking here, only its error types; the clock and the sleep are injected so
tests run in milliseconds.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import re
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

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


class GaveUp(TelegramError):
    """A Bot API call still failing when its retries ran out; already logged as an ERROR."""

    def __init__(self, what: str, kind: str, attempts: int, seconds: float) -> None:
        super().__init__(
            f"{what}: gave up after {attempts} attempts in {seconds:.1f}s (last fault: {kind})"
        )
        self.kind = kind
        self.attempts = attempts


# A crisis reply (Reply.safety) waits longest: it may be the one telling someone to call 999.
CRISIS_ATTEMPTS = 10
CRISIS_BUDGET = 180.0
_STATUS = re.compile(r"\((5\d\d)\)")
_SERVER_ERRORS = {s.value: s.phrase for s in HTTPStatus if 500 <= s.value <= 599}
_NOT_TRANSIENT = (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated, EndPointNotFound)


def fault_kind(err: BaseException) -> str | None:
    """Name a transient Bot API fault worth retrying; None when retrying cannot help."""
    if isinstance(err, RetryAfter):
        return "flood wait"
    if isinstance(err, TimedOut):
        return "timed out"
    if isinstance(err, _NOT_TRANSIENT) or not isinstance(err, TelegramError):
        return None
    message = err.message
    status = _STATUS.search(message)
    if isinstance(err, NetworkError):
        if status:
            return f"HTTP {status.group(1)}"
        for code, phrase in _SERVER_ERRORS.items():
            if message.startswith(phrase):  # a 5xx with Telegram's JSON: its description
                return f"HTTP {code}"
        return "invalid response" if "Parsing the server response" in message else "network error"
    if type(err) is TelegramError and "Invalid server response" in message:
        return "invalid response"  # a 200 whose body is not JSON (an HTML page from a proxy)
    return None


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
    attempts: int = 5,
    budget: float = 60.0,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run a Bot API call, retrying transient faults within `attempts` and `budget` seconds.

    Flood waits sleep as long as Telegram asks; time-outs, network faults, 5xx and invalid
    (non-JSON) answers back off exponentially. Each retry is one WARNING line; running out
    is one ERROR line and a GaveUp. Anything else, BadRequest first, is raised at once.
    """
    start = clock()
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except Exception as err:
            kind = fault_kind(err)
            if kind is None:
                raise
            if isinstance(err, RetryAfter):
                delay = retry_seconds(err)
                kind = f"flood wait {delay:g}s"
            else:
                delay = min(base_delay * 2 ** (attempt - 1), max_delay)
            spent = clock() - start
            if attempt == attempts or spent + delay > budget:
                log.error(
                    "%s: %s on attempt %d; giving up after %.1fs", what, kind, attempt, spent
                )
                raise GaveUp(what, kind, attempt, spent) from err
            log.warning("%s: %s on attempt %d; retrying in %.1fs", what, kind, attempt, delay)
        await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
