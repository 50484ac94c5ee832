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

from bot.engine import BUTTON_CLEAR, Engine
from bot.model import Event, Reply, Turn
from bot.store import StateStore

log = logging.getLogger(__name__)

Handler = Callable[[int | str, Event], Awaitable[list[Reply]]]
# Told what each turn was (bot.insight counts it); must be quick and must not do I/O.
Observer = Callable[[Event, Turn], None]


class LiveEngine:
    """The engine in service; `reload` swaps in a new one atomically, or keeps the old."""

    def __init__(self, engine: Engine, content_root: Path | None = None) -> None:
        self.engine = engine
        self.content_root = content_root
        self._lock = threading.Lock()

    def reload(self) -> list[str]:
        """Re-read and validate the content; return the problems (empty when swapped in)."""
        from bot.content import ContentError, load_content

        if self.content_root is None:
            return ["this bot was started without a content folder, so it cannot reload"]
        with self._lock:
            try:
                content = load_content(self.content_root)
                old = self.engine
                engine = Engine(content, clock=old.clock, review_days=old.review_days)
            except ContentError as error:
                problems = [p.format() for p in error.problems if p.is_error]
                log.error("reload refused, keeping the old content:\n%s", "\n".join(problems))
                return problems
            except Exception as error:  # any surprise must keep the old content serving
                log.exception("reload failed, keeping the old content")
                return [f"reload failed: {error}"]
            self.engine = engine
        log.warning("content reloaded: %d intents", len(content.intents))
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
