"""Run the real Telegram adapter against the stand-in and talk to it turn by turn.

Everything stays on 127.0.0.1: the stand-in serves the Bot API, python-telegram-bot polls it
(or receives webhooks from it) exactly as it would Telegram. Used by tests/test_telegram*.py
and by `python -m bot test --telegram`.

    async with LoopbackTelegram(handle, store) as tg:
        turn = await tg.send_text(1001, "someone stole my facebook")
        turn.messages[0].text, turn.replies[0].intent
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.core.model import Event, Reply
from bot.telegram.app import Handler, Reload, TelegramAdapter, build_application
from bot.telegram.deliver import MessageLog
from bot.telegram.guard import FloodGuard
from bot.telegram.settings import TelegramSettings
from bot.telegram.standin.api import StoredMessage
from bot.telegram.standin.control import Call, StandIn
from bot.telegram.standin.wire import entities

WEBHOOK_SECRET = "loopback-secret_0123456789"


@dataclass(frozen=True)
class Seen:
    """One message as the user saw it."""

    message_id: int
    html: str  # what the bot sent (HTML source, or plain text after a fallback)
    text: str  # what the user reads
    buttons: tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data or url)
    parse_mode: str | None


@dataclass(frozen=True)
class TurnResult:
    """What one user action produced: messages on screen, the core's replies, the API calls."""

    messages: list[Seen]
    replies: list[Reply]
    calls: list[Call]

    @property
    def text(self) -> str:
        return "\n\n".join(m.text for m in self.messages)

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]


def seen(message: StoredMessage) -> Seen:
    rows = tuple(
        tuple((b["text"], b.get("callback_data") or b.get("url", "")) for b in row)
        for row in message.buttons
    )
    return Seen(
        message.message_id, message.text or "", StandIn.plain(message), rows, message.parse_mode
    )


class LoopbackTelegram:
    """The stand-in plus the real Application, started and stopped together."""

    def __init__(
        self,
        handle: Handler,
        store: MessageLog,
        *,
        reload: Reload = list,
        admin_chat_ids: Iterable[int] = (),
        webhook: bool = False,
        flood: FloodGuard | None = None,
        clock: Callable[[], float] = time.time,
        request_timeout: float = 1.0,
        rate_limit: bool = False,
        standin: StandIn | None = None,
        turn_timeout: float = 10.0,
        texts: Callable[[str], str] | None = None,
        is_crisis: Callable[[str], bool] | None = None,
    ) -> None:
        self.replies: dict[int, list[Reply]] = {}
        self.standin = standin or StandIn()
        self._own_standin = standin is None
        self.webhook = webhook
        self.turn_timeout = turn_timeout
        self._handle = handle
        self._store = store
        self._reload = reload
        self._admins = frozenset(admin_chat_ids)
        self._flood = flood
        self._texts = texts
        self._is_crisis = is_crisis
        self._clock = clock
        self._request_timeout = request_timeout
        self._rate_limit = rate_limit
        self._done: set[int] = set()
        self._done_changed = asyncio.Event()
        self.app: Any = None
        self.adapter: TelegramAdapter | None = None

    async def _capture(self, chat_id: int, event: Event) -> list[Reply]:
        replies = await self._handle(chat_id, event)
        self.replies.setdefault(chat_id, []).extend(replies)
        return replies

    def _mark_done(self, update: Update) -> None:
        self._done.add(update.update_id)
        self._done_changed.set()

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> LoopbackTelegram:
        if self._own_standin:
            await self.standin.start()
        settings = TelegramSettings(
            token=self.standin.token,
            base_url=self.standin.base_url,
            admin_chat_ids=self._admins,
            request_timeout=self._request_timeout,
            poll_timeout=1.0,
            rate_limit=self._rate_limit,
            retry_base_delay=0.05,
        )
        self.adapter = TelegramAdapter(
            settings,
            handle=self._capture,
            store=self._store,
            reload=self._reload,
            flood=self._flood,
            clock=self._clock,
            on_update_done=self._mark_done,
            texts=self._texts,
            is_crisis=self._is_crisis,
        )
        self.app = build_application(
            settings,
            handle=self._capture,
            store=self._store,
            reload=self._reload,
            adapter=self.adapter,
        )
        # The same order as Application.run_polling / run_webhook, inside our event loop.
        await self.app.initialize()
        await self.app.post_init(self.app)
        if self.webhook:
            port = _free_port()
            await self.app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                webhook_url=f"http://127.0.0.1:{port}/telegram",
                secret_token=WEBHOOK_SECRET,
            )
        else:
            await self.app.updater.start_polling(timeout=dtm.timedelta(seconds=1))
        await self.app.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            if self.app is not None:
                if self.app.updater.running:
                    await self.app.updater.stop()
                if self.app.running:
                    await self.app.stop()
                await self.app.shutdown()
                await self.app.post_shutdown(self.app)
        finally:
            if self._own_standin:
                await self.standin.close()

    # ------------------------------------------------------------ turns

    async def push(self, chat_id: int, make_update: Callable[[], dict[str, Any]]) -> TurnResult:
        """Push one update and wait until the adapter has finished with it."""
        before_ids = {m.message_id for m in self.standin.sent(chat_id)}
        before_calls = len(self.standin.calls)
        before_replies = len(self.replies.get(chat_id, []))
        update = make_update()
        await self.wait_done(update["update_id"])
        messages = [seen(m) for m in self.standin.sent(chat_id) if m.message_id not in before_ids]
        return TurnResult(
            messages,
            self.replies.get(chat_id, [])[before_replies:],
            self.standin.calls[before_calls:],
        )

    async def wait_done(self, update_id: int) -> None:
        async with asyncio.timeout(self.turn_timeout):
            while update_id not in self._done:
                self._done_changed.clear()
                await self._done_changed.wait()

    async def send_text(self, chat_id: int, text: str, **kwargs: Any) -> TurnResult:
        return await self.push(chat_id, lambda: self.standin.push_text(chat_id, text, **kwargs))

    async def command(
        self, chat_id: int, command: str, payload: str = "", **kwargs: Any
    ) -> TurnResult:
        return await self.push(
            chat_id, lambda: self.standin.push_command(chat_id, command, payload, **kwargs)
        )

    async def send_kind(self, chat_id: int, kind: str, **kwargs: Any) -> TurnResult:
        return await self.push(chat_id, lambda: self.standin.push_kind(chat_id, kind, **kwargs))

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> TurnResult:
        """The user edits one of their messages; Telegram sends it as `edited_message`."""
        return await self.push(chat_id, lambda: self._push_edit(chat_id, message_id, text))

    def _push_edit(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        api = self.standin.api
        stored = api.chat(chat_id).messages[message_id]
        stored.text = text
        stored.edits += 1
        body = {**api.message_json(stored), "text": text, "edit_date": int(api.clock())}
        found = entities(text)
        if found:
            body["entities"] = found
        return self.standin.push_update({"edited_message": body})

    def last_from_user(self, chat_id: int) -> int:
        """The id of the newest message the user sent in a chat (for an edit)."""
        chat = self.standin.api.chat(chat_id)
        return max(m.message_id for m in chat.messages.values() if not m.from_bot)

    async def press(self, chat_id: int, label_or_data: str) -> TurnResult:
        """Press a button the user can see (by label or data); LookupError if there is none."""
        return await self.push(chat_id, lambda: self.standin.press(chat_id, label_or_data))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
