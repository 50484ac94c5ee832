"""Safety at the edges: captions, edited messages and the flood guard never hide a crisis.

Telegram behaviour runs end to end: the real engine and session behind the real PTB
Application, against the Bot API stand-in on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.model import ChatState, Event
from bot.session import LiveEngine, make_handler
from bot.state.store import MemoryStore
from bot.telegram import priority as tg_priority
from bot.telegram.format import event_from_message
from bot.telegram.guard import FloodGuard
from bot.telegram.priority import ORDINARY, PriorityGate
from bot.telegram.settings import TelegramSettings
from bot.telegram.standin.control import StandIn
from bot.telegram.standin.loopback import LoopbackTelegram

CHAT = 1001
GROUP = -1_001_234_567_890
ROOT = Path(__file__).resolve().parent.parent
CRISIS = "i want to kill myself tonight"
HACKED = "someone hacked my facebook and changed the password"


class TestCaptionsInTheEngine:
    @pytest.mark.parametrize("kind", ["photo", "video", "document", "animation", "audio", "voice"])
    def test_a_crisis_caption_gets_the_safety_reply(self, engine: Engine, kind: str) -> None:
        """A photo (or video, voice note...) captioned with a crisis is answered as one."""
        turn = engine.respond(Event(kind, CRISIS), ChatState())  # type: ignore[arg-type]
        assert turn.replies[0].safety
        assert turn.replies[0].intent == "self_harm_crisis"

    def test_a_captioned_screenshot_is_matched_like_text(self, engine: Engine) -> None:
        turn = engine.respond(Event("photo", HACKED), ChatState())
        assert turn.replies[0].intent == "account_hacking"
        assert turn.state.topic == "account_hacking"

    @pytest.mark.parametrize("caption", ["", "   \n"])
    def test_without_a_caption_the_bot_asks_for_words(self, engine: Engine, caption: str) -> None:
        turn = engine.respond(Event("photo", caption), ChatState())
        assert turn.replies[0].text == engine.compose.text("non_text")


class TestCaptionsOnTelegram:
    def test_the_caption_becomes_the_event_text(self) -> None:
        api = StandIn()  # not started: only its message builders are used
        from telegram import Message

        body = api.push_kind(CHAT, "photo", caption=CRISIS)["message"]
        got = event_from_message(
            Message.de_json(body, None), bot_id=api.api.bot_id, username=api.username
        )
        assert got == Event("photo", CRISIS)

    async def test_a_photo_with_a_crisis_caption_gets_999(self, tg: LoopbackTelegram) -> None:
        turn = await tg.send_kind(CHAT, "photo", caption=CRISIS)
        assert turn.replies[0].safety
        assert "999" in turn.text

    async def test_a_video_with_a_crime_caption_is_matched(self, tg: LoopbackTelegram) -> None:
        turn = await tg.send_kind(CHAT, "video", caption=HACKED)
        assert turn.replies[0].intent == "account_hacking"

    async def test_a_photo_without_a_caption_still_asks_for_words(self, tg) -> None:
        turn = await tg.send_kind(CHAT, "photo")
        assert "written" in turn.text

    async def test_a_group_caption_to_the_bot_is_read_without_the_mention(self, tg) -> None:
        caption = f"@{tg.standin.username} {CRISIS}"
        turn = await tg.send_kind(GROUP, "photo", caption=caption)
        assert turn.replies[0].safety


class TestEditedMessages:
    async def test_an_edit_into_a_crisis_gets_the_safety_reply(self, tg: LoopbackTelegram) -> None:
        """Someone who edits "hi" into a crisis message is answered as if they had sent it."""
        first = await tg.send_text(CHAT, "hello")
        assert not first.replies[0].safety
        turn = await tg.edit_text(CHAT, tg.last_from_user(CHAT), CRISIS)
        assert turn.replies[0].safety
        assert "999" in turn.text

    async def test_an_edit_is_matched_like_a_new_message(self, tg: LoopbackTelegram) -> None:
        await tg.send_text(CHAT, "someone hackd my")
        turn = await tg.edit_text(CHAT, tg.last_from_user(CHAT), HACKED)
        assert turn.replies[0].intent == "account_hacking"

    async def test_an_edit_in_a_group_keeps_the_group_rules(self, tg: LoopbackTelegram) -> None:
        """An edited group message is answered only when it is addressed to the bot."""
        await tg.send_text(GROUP, f"@{tg.standin.username} hello")
        mine = tg.last_from_user(GROUP)
        chatter = await tg.edit_text(GROUP, mine, "lunch anyone?")
        assert chatter.messages == []
        addressed = await tg.edit_text(GROUP, mine, f"@{tg.standin.username} {CRISIS}")
        assert addressed.replies[0].safety


def _crisis_check(live: LiveEngine):
    """What `python -m bot run` gives the adapter: the live engine's screen, read each time."""
    return lambda text: live.engine.screen.check(text) is not None


class TestFloodGuard:
    def test_an_urgent_message_is_never_dropped_nor_counted(self) -> None:
        now = [0.0]
        guard = FloodGuard(clock=lambda: now[0])
        assert {guard.check(1) for _ in range(20)} == {"ok"}
        assert guard.check(1, urgent=True) == "ok"  # would have been the 21st
        assert guard.check(1) == "notice"
        assert guard.check(1) == "ignore"
        assert guard.check(1, urgent=True) == "ok"  # muted, but a crisis gets through

    async def test_a_crisis_from_a_flooding_chat_is_answered(self, engine: Engine) -> None:
        """Muted for flooding, a person who then writes a crisis still gets 999 at once."""
        store = MemoryStore()
        live = LiveEngine(engine, ROOT)
        now = [100.0]
        guard = FloodGuard(clock=lambda: now[0])
        async with LoopbackTelegram(
            make_handler(live, store), store, flood=guard, is_crisis=_crisis_check(live)
        ) as tg:
            for n in range(20):
                await tg.send_text(CHAT, f"hello {n}")
            turn = await tg.send_text(CHAT, CRISIS)  # the 21st message in ten seconds
            assert turn.replies[0].safety
            await tg.send_text(CHAT, "hello again")  # now the chat is paused
            muted = await tg.send_text(CHAT, "hello?")
            assert muted.messages == []
            turn = await tg.send_text(CHAT, CRISIS)
            assert turn.replies[0].safety
            assert "999" in turn.text


class TestCrisisGoesFirst:
    async def _backlog(self, engine: Engine, pushes) -> list[tuple[int, str]]:
        """Push a backlog at once behind a slow core; return the order the core saw it in."""
        store = MemoryStore()
        live = LiveEngine(engine, ROOT)
        handle = make_handler(live, store)
        order: list[tuple[int, str]] = []

        async def slow(chat_id: int, event: Event) -> list:
            order.append((chat_id, event.text))
            await asyncio.sleep(0.05)
            return await handle(chat_id, event)

        async with LoopbackTelegram(slow, store, is_crisis=_crisis_check(live)) as tg:
            updates = [tg.standin.push_text(chat, text) for chat, text in pushes]
            for update in updates:
                await tg.wait_done(update["update_id"])
        return order

    async def test_a_crisis_in_a_backlog_of_chats_is_not_left_behind(self, engine) -> None:
        """More people wait with ordinary questions than run at once; the crisis goes next."""
        in_flight = TelegramSettings(token="1:x").concurrency
        ordinary = [(2000 + n, "how do i report a scam") for n in range(in_flight + 12)]
        order = await self._backlog(engine, [*ordinary, (CHAT, CRISIS)])
        assert order.index((CHAT, CRISIS)) <= in_flight  # only those already in flight go first

    async def test_a_crisis_jumps_ahead_of_the_same_chats_queue(self, engine) -> None:
        """Within one chat turns stay one at a time, but a crisis does not wait for the queue:
        only for the turn running and the one already handed the chat when it finished."""
        pushes = [(CHAT, f"how do i report a scam {n}") for n in range(6)] + [(CHAT, CRISIS)]
        order = await self._backlog(engine, pushes)
        assert order.index((CHAT, CRISIS)) <= 2
        assert [text for _, text in order][-1] != CRISIS


class TestPriorityGate:
    async def test_waiters_go_crisis_first_then_in_order(self) -> None:
        gate = PriorityGate(1)
        served: list[str] = []

        async def turn(name: str, priority: int) -> None:
            async with gate.hold(priority):
                served.append(name)
                await asyncio.sleep(0)

        async with gate.hold(ORDINARY):  # a turn is running; the rest queue up
            queue = [("a", ORDINARY), ("b", ORDINARY), ("sos", tg_priority.CRISIS)]
            tasks = [asyncio.create_task(turn(name, priority)) for name, priority in queue]
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)
        assert served == ["sos", "a", "b"]

    async def test_a_cancelled_waiter_gives_its_place_away(self) -> None:
        gate = PriorityGate(1)
        async with gate.hold():
            waiter = asyncio.create_task(gate.hold(tg_priority.CRISIS).__aenter__())
            await asyncio.sleep(0)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
        async with asyncio.timeout(1), gate.hold():
            pass  # the slot came back instead of going to the cancelled waiter
