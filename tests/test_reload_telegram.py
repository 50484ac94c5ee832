"""Reload through the real PTB stack against the Bot API stand-in: the admins hear about a
refused reload (also from SIGHUP), and nobody's reply waits while content is re-read."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.model import Event, Reply
from bot.session import LiveEngine, make_handler
from bot.state.store import MemoryStore
from bot.telegram.standin.control import StandIn
from bot.telegram.standin.loopback import LoopbackTelegram
from tests.test_gate import apply_case, project_copy

ADMIN, OTHER_ADMIN, PRIVATE = 4242, 4343, 1001


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def echo(chat_id: int, event: Event) -> list[Reply]:
    return [Reply(f"You said: {event.text}")]


class TestRefusedReloadReachesTheAdmins:
    async def test_sighup_with_a_safety_defect_tells_every_admin(
        self, engine: Engine, tmp_path: Path
    ) -> None:
        """kill -HUP with a bare '*' trigger: both admins get file:line; old content serves."""
        root = project_copy(tmp_path)
        live = LiveEngine(engine, root)
        store = MemoryStore()
        async with LoopbackTelegram(
            make_handler(live, store),
            store,
            reload=live.reload,
            admin_chat_ids=[ADMIN, OTHER_ADMIN],
        ) as tg:
            before = await tg.send_text(PRIVATE, "my instagram got hacked")
            seen = {}
            for admin in (ADMIN, OTHER_ADMIN):  # the stand-in knows a chat once it has written
                await tg.send_text(admin, "hello")
                seen[admin] = len(tg.standin.sent(admin))
            [expected] = apply_case(root, "bare_star")
            os.kill(os.getpid(), signal.SIGHUP)
            for admin in (ADMIN, OTHER_ADMIN):
                sent = await tg.standin.wait_sent(admin, seen[admin] + 1, seconds=20)
                notice = sent[-1]
                text = StandIn.plain(notice)
                assert text.startswith("Reload failed. Still serving the previous content.")
                assert f"• {expected}" in text
            after = await tg.send_text(PRIVATE, "my instagram got hacked")
        assert live.engine is engine
        assert after.replies[0].text == before.replies[0].text

    async def test_admin_reload_of_good_content_goes_live(
        self, engine: Engine, tmp_path: Path
    ) -> None:
        live = LiveEngine(engine, project_copy(tmp_path))
        store = MemoryStore()
        async with LoopbackTelegram(
            make_handler(live, store), store, reload=live.reload, admin_chat_ids=[ADMIN]
        ) as tg:
            turn = await tg.command(ADMIN, "/reload")
        assert "Reloaded: the new content is live." in turn.text
        assert live.engine is not engine


class TestReloadOffTheEventLoop:
    async def test_replies_do_not_wait_for_a_slow_reload(self) -> None:
        """While a (blocking) reload runs, another chat is answered at once."""

        def slow_reload() -> list[str]:
            time.sleep(1.5)
            return []

        async with LoopbackTelegram(
            echo, MemoryStore(), reload=slow_reload, admin_chat_ids=[ADMIN]
        ) as tg:
            reloading = asyncio.create_task(tg.command(ADMIN, "/reload"))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            turn = await tg.send_text(PRIVATE, "hello")
            waited = time.monotonic() - started
            assert not reloading.done()
            await reloading
        assert turn.text == "You said: hello"
        assert waited < 1.0

    async def test_reload_past_its_time_limit_is_reported(self) -> None:
        """A reload that hangs is given up on, and the admin is told the old content serves."""

        def stuck_reload() -> list[str]:
            time.sleep(1.0)
            return []

        async with LoopbackTelegram(
            echo, MemoryStore(), reload=stuck_reload, admin_chat_ids=[ADMIN]
        ) as tg:
            assert tg.adapter is not None
            tg.adapter.reload_wait = 0.2
            turn = await tg.command(ADMIN, "/reload")
        assert turn.text.startswith("Reload failed. Still serving the previous content.")
        assert "reload took longer than 0.2 seconds" in turn.text
