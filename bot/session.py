"""The one piece of async glue: load a chat's state, let the engine respond, save the state.

Console and Telegram both call `handle`, so they cannot drift apart. Also owns the live
engine, which a reload swaps in whole only after the new content has validated.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from bot.core.engine import BUTTON_CLEAR, Engine
from bot.core.model import Event, Reply, Turn
from bot.state.store import StateStore

log = logging.getLogger(__name__)

Handler = Callable[[int | str, Event], Awaitable[list[Reply]]]
# Told what each turn was (bot.insight counts it); must be quick and must not do I/O.
Observer = Callable[[Event, Turn], None]


RELOAD_TIMEOUT = 30.0  # seconds; the real content takes about one


class LiveEngine:
    """The engine in service; `reload` swaps in a new one atomically, or keeps the old."""

    def __init__(
        self,
        engine: Engine,
        content_root: Path | None = None,
        *,
        reload_timeout: float = RELOAD_TIMEOUT,
    ) -> None:
        self.engine = engine
        self.content_root = content_root
        self.reload_timeout = reload_timeout
        self._lock = threading.Lock()

    def reload(self) -> list[str]:
        """Re-read the content through the same gate as validate and start-up.

        Returns the refusal lines (empty when the new content is live). Blocking: the
        Telegram adapter runs it in a worker thread. Past `reload_timeout` the result is
        thrown away, so a reload abandoned by its caller can never swap in later.
        """
        from bot.content.gate import gate
        from bot.content.problem import refusal_lines

        if self.content_root is None:
            return ["this bot was started without a content folder, so it cannot reload"]
        started = time.monotonic()
        with self._lock:
            try:
                gated = gate(self.content_root)
                engine = None
                if gated.content is not None:
                    old = self.engine
                    engine = Engine(
                        gated.content,
                        clock=old.clock,
                        review_days=old.review_days,
                        semantic=old.semantic,
                    )
            except Exception as error:  # any surprise must keep the old content serving
                log.exception("reload failed, keeping the old content")
                return [f"reload failed: {type(error).__name__}: {error}"]
            if time.monotonic() - started > self.reload_timeout:
                message = (
                    f"reload took longer than {self.reload_timeout:g} seconds and was "
                    "abandoned: still serving the previous content (try again, and check the "
                    "files are not huge)"
                )
                log.error("%s", message)
                return [message]
            if engine is None:
                lines = refusal_lines(gated.problems)
                log.error("reload refused, keeping the old content:\n%s", "\n".join(lines))
                return lines
            self.engine = engine
        for problem in gated.problems:
            log.warning("%s", problem.format())
        log.warning("content reloaded: %d intents", len(engine.content.intents))
        return []


def is_forget(event: Event) -> bool:
    return (event.kind == "command" and event.text.split("@")[0].lower() == "/forget") or (
        event.kind == "button" and event.text == BUTTON_CLEAR
    )


async def handle(
    chat_id: int | str,
    event: Event,
    *,
    live: LiveEngine,
    store: StateStore,
    clock: Callable[[], float] = time.time,
    observe: Observer | None = None,
) -> list[Reply]:
    """Answer one event for one chat; a broken store or counter costs memory, never the answer."""
    engine = live.engine
    state = await store.load(chat_id, clock())
    turn = engine.respond(event, state)
    if observe is not None:
        try:
            observe(event, turn)
        except Exception:  # counting is a nicety: the person still gets the answer
            log.warning("usage counting failed", exc_info=True)
    if is_forget(event):
        if not await store.forget(chat_id):
            failed = replace(turn.replies[0], text=engine.compose.text("forget_failed"))
            return [failed, *turn.replies[1:]]
    else:
        await store.save(chat_id, turn.state)
    return list(turn.replies)


def make_handler(
    live: LiveEngine,
    store: StateStore,
    clock: Callable[[], float] = time.time,
    observe: Observer | None = None,
) -> Handler:
    """Bind the engine, store and usage observer into the one callable every channel uses."""

    async def handler(chat_id: int | str, event: Event) -> list[Reply]:
        return await handle(chat_id, event, live=live, store=store, clock=clock, observe=observe)

    return handler
