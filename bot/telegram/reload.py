"""Hot reload at the Telegram edge: run it off the event loop, and word the admins' notice.

The reload itself (the one content gate) lives in bot.session; this keeps replies flowing
while it runs and tells the right chats what happened, each problem with its file:line.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Collection

log = logging.getLogger(__name__)

RELOAD_LINES = 20  # problems shown in one admin message (Telegram's limit is 4096 chars)


async def reload_off_loop(reload: Callable[[], list[str]], wait: float) -> list[str]:
    """Run `reload` in a worker thread; a crash or a reload slower than `wait` is a problem."""
    try:
        return list(await asyncio.wait_for(asyncio.to_thread(reload), wait))
    except TimeoutError:
        return [
            f"reload took longer than {wait:g} seconds: still serving the "
            "previous content (try again, and check the files are not huge)"
        ]
    except Exception as err:
        return [f"reload crashed: {type(err).__name__}"]


def reload_notice(
    errors: list[str], admins: Collection[int], asked: int | None
) -> tuple[str, list[int]]:
    """The message about a reload and the chats to send it to.

    A failure goes to every admin chat and the asking chat; success to the asking chat only.
    """
    if not errors:
        log.info("content reloaded")
        return "Reloaded: the new content is live.", [asked] if asked is not None else []
    for line in errors:
        log.error("reload: %s", line)
    shown = errors
    if len(errors) > RELOAD_LINES:
        more = f"... and {len(errors) - RELOAD_LINES} more: run python -m bot validate"
        shown = [*errors[: RELOAD_LINES - 1], more, errors[-1]]
    lines = "\n".join(f"• {html.escape(line)}" for line in shown)
    text = f"<b>Reload failed.</b> Still serving the previous content.\n\n{lines}"
    return text, sorted(set(admins) | ({asked} - {None}))
