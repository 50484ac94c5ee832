"""Play one scripted turn through the engine (as the console does) or the real Telegram adapter.

Each driver owns a fresh memory store and a fixed clock, so a run is exact and repeatable.
The Telegram driver loads python-telegram-bot only when it is built.
"""

from __future__ import annotations

import logging

from bot.console import parse_command
from bot.core.engine import Engine
from bot.core.model import Event
from bot.scripts.model import Step
from bot.scripts.outcome import _SPACE, Outcome
from bot.session import LiveEngine, make_handler
from bot.state.store import MemoryStore

log = logging.getLogger(__name__)

FIXED_NOW = 1_750_000_000.0  # a fixed clock: nothing in a script can expire by accident


class EngineDriver:
    """Plays turns through session.handle, exactly as the console does."""

    def __init__(self, engine: Engine) -> None:
        self.store = MemoryStore()
        self.handle = make_handler(LiveEngine(engine), self.store, clock=lambda: FIXED_NOW)

    async def __aenter__(self) -> EngineDriver:
        await self.store.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.store.close()

    async def play(self, step: Step, chat: str, button: str | None) -> Outcome:
        key = f"{chat}@group" if step.group else chat
        if step.action == "press":
            event = Event("button", button or "", is_group=step.group)
        elif step.action == "command":
            command = parse_command(step.value)
            event = Event("command", command.text, command.payload, is_group=step.group)
        elif step.action == "send":
            event = Event(step.value, step.caption, is_group=step.group)  # type: ignore[arg-type]
        else:
            # "edit" too: the engine answers an edited message exactly like a new one.
            event = Event("text", step.value, is_group=step.group)
        return Outcome.from_replies(await self.handle(key, event))


class TelegramDriver:
    """Plays turns through the real adapter and the loopback Bot API stand-in."""

    def __init__(self, engine: Engine) -> None:
        from bot.telegram.standin.loopback import LoopbackTelegram

        self.store = MemoryStore()
        live = LiveEngine(engine)
        handle = make_handler(live, self.store, clock=lambda: FIXED_NOW)
        # As `python -m bot run` wires it: the live engine's safety screen for the flood guard.
        crisis = lambda text: live.engine.screen.check(text) is not None  # noqa: E731
        self.tg = LoopbackTelegram(handle, self.store, is_crisis=crisis)
        self.ids: dict[tuple[str, bool], int] = {}

    async def __aenter__(self) -> TelegramDriver:
        await self.store.open()
        await self.tg.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.tg.__aexit__(*exc_info)
        await self.store.close()

    def chat_id(self, chat: str, group: bool) -> int:
        """Private chats get positive ids, groups negative ones, as Telegram does."""
        number = self.ids.setdefault((chat, group), 1001 + len(self.ids))
        return -number if group else number

    async def play(self, step: Step, chat: str, button: str | None) -> Outcome:
        tg = self.tg
        chat_id = self.chat_id(chat, step.group)
        if step.action == "press":
            turn = await tg.press(chat_id, button or "")
        elif step.action == "command":
            command = parse_command(step.value)
            turn = await tg.command(chat_id, command.text, command.payload)
        elif step.action == "send":
            # In a group the bot only hears a non-text message that replies to it.
            sent = tg.standin.sent(chat_id)
            extra: dict[str, object] = (
                {"reply_to": sent[-1].message_id} if step.group and sent else {}
            )
            if step.caption:
                extra["caption"] = self._addressed(step.caption, step.group)
            turn = await tg.send_kind(chat_id, step.value, **extra)
        elif step.action == "edit":
            # Telegram sends the person's newest message again, changed, as `edited_message`.
            text = self._addressed(step.value, step.group)
            turn = await tg.edit_text(chat_id, tg.last_from_user(chat_id), text)
        elif step.action == "burst":
            from bot.telegram.standin.loopback import TurnResult

            text = self._addressed(step.value, step.group)
            turns = [await tg.send_text(chat_id, text) for _ in range(step.times)]
            turn = TurnResult(
                [m for t in turns for m in t.messages],
                [r for t in turns for r in t.replies],
                [c for t in turns for c in t.calls],
            )
        else:
            turn = await tg.send_text(chat_id, self._addressed(step.value, step.group))
        text = " ".join(_SPACE.sub(" ", m.text).strip() for m in turn.messages)
        buttons = [b for m in turn.messages for row in m.buttons for b in row]
        messages = tuple(m.text.strip() for m in turn.messages)  # as delivered, for -v
        return Outcome(list(turn.replies), text, buttons, messages)

    def _addressed(self, text: str, group: bool) -> str:
        """In a group a person must mention the bot to be heard."""
        return f"@{self.tg.standin.username} {text}" if group else text
