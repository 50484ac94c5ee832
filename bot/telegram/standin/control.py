"""The test control API of the strict Bot API stand-in: push updates, press buttons, read replies.

A strict Telegram Bot API stand-in served over real HTTP on 127.0.0.1, for tests and benches.
Tests drive it from the same event loop: push updates (or POST them to a webhook), inject
faults, read what the bot sent and wait for it. The HTTP server is tg_fakeserver.py, the Bot
API methods and Telegram's checks tg_fakeapi.py. It never imports telegram, so it cannot
share a bug with the adapter it checks.

    async with StandIn() as api:
        app = Application.builder().token(api.token).base_url(api.base_url).build()
        api.push_text(1001, "hello")
        [reply] = await api.wait_sent(1001, 1)
"""

from __future__ import annotations

import logging
from typing import Any

from bot.telegram.html import parse_html
from bot.telegram.standin.api import StoredMessage
from bot.telegram.standin.faults import Fault
from bot.telegram.standin.server import CONFLICT, DEFAULT_TOKEN, WEBHOOK_ACTIVE, Call, FakeServer
from bot.telegram.standin.state import _user
from bot.telegram.standin.wire import KIND_BODIES, entities

__all__ = ["CONFLICT", "DEFAULT_TOKEN", "WEBHOOK_ACTIVE", "Call", "Fault", "StandIn"]

log = logging.getLogger(__name__)


class StandIn(FakeServer):
    """The Bot API stand-in: an HTTP server plus the control API tests use."""

    # ------------------------------------------------------------ pushing updates

    def push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (without update_id); webhook mode POSTs it instead."""
        update = self.api.add_update(body)
        if self.api.webhook.get("url") and self._webhook_queue is not None:
            self._webhook_queue.put_nowait(update)
        self._notify()
        return update

    def user_message(
        self,
        chat_id: int,
        *,
        user_id: int | None = None,
        reply_to: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """Record a message from a user in a chat and return its Bot API JSON."""
        chat = self.api.chat(chat_id, create=True)
        stored = chat.add(False, self.api.clock(), text=content.get("text"))
        sender = (
            user_id
            if user_id is not None
            else (chat_id if chat.is_private else 7000 + abs(chat_id) % 1000)
        )
        body = {
            "message_id": stored.message_id,
            "date": stored.date,
            "chat": chat.as_json(),
            "from": _user(sender),
            **content,
        }
        if reply_to is not None:
            body["reply_to_message"] = self.api.message_json(chat.messages[reply_to])
        return body

    def push_text(
        self, chat_id: int, text: str, *, user_id: int | None = None, reply_to: int | None = None
    ) -> dict[str, Any]:
        """A user sends `text`; commands and @mentions get entities as Telegram adds them."""
        content: dict[str, Any] = {"text": text}
        found = entities(text)
        if found:
            content["entities"] = found
        return self.push_update(
            {"message": self.user_message(chat_id, user_id=user_id, reply_to=reply_to, **content)}
        )

    def push_command(
        self, chat_id: int, command: str, payload: str = "", **kwargs: Any
    ) -> dict[str, Any]:
        return self.push_text(chat_id, f"{command} {payload}".strip(), **kwargs)

    def push_kind(
        self, chat_id: int, kind: str, *, caption: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """A user sends a non-text message: a photo, sticker, voice note, location..."""
        content = dict(KIND_BODIES[kind])
        if caption:
            content["caption"] = caption
            found = entities(caption)
            if found:
                content["caption_entities"] = found
        return self.push_update({"message": self.user_message(chat_id, **kwargs, **content)})

    def push_callback(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """A user presses a callback button on one of the bot's messages."""
        chat = self.api.chat(chat_id)
        query_id = str(10_000 + self.api.next_update_id)
        self.api.open_queries[query_id] = chat_id
        sender = (
            user_id
            if user_id is not None
            else (chat_id if chat.is_private else 7000 + abs(chat_id) % 1000)
        )
        query = {
            "id": query_id,
            "from": _user(sender),
            "message": self.api.message_json(chat.messages[message_id]),
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def find_button(self, chat_id: int, label_or_data: str) -> tuple[int, str]:
        """Find the newest visible callback button with this label or data: (message_id, data)."""
        for message in reversed(self.sent(chat_id)):
            for row in message.buttons:
                for button in row:
                    if "callback_data" in button and label_or_data in (
                        button["text"],
                        button["callback_data"],
                    ):
                        return message.message_id, button["callback_data"]
        shown = [b.get("text") for m in self.sent(chat_id) for row in m.buttons for b in row]
        raise LookupError(
            f"no button {label_or_data!r} on screen in chat {chat_id}; visible: {shown}"
        )

    def press(self, chat_id: int, label_or_data: str) -> dict[str, Any]:
        """Press a button the user can see; raises LookupError if it is not on screen."""
        message_id, data = self.find_button(chat_id, label_or_data)
        return self.push_callback(chat_id, message_id, data)

    # ------------------------------------------------------------ reading

    def sent(self, chat_id: int, *, include_deleted: bool = True) -> list[StoredMessage]:
        """The bot's messages in a chat, oldest first."""
        chat = self.api.chats.get(chat_id)
        if chat is None:
            return []
        return [
            m for m in chat.messages.values() if m.from_bot and (include_deleted or not m.deleted)
        ]

    def visible(self, chat_id: int) -> list[StoredMessage]:
        """Every message still on the user's screen, from either side."""
        chat = self.api.chats.get(chat_id)
        return [] if chat is None else [m for m in chat.messages.values() if not m.deleted]

    @staticmethod
    def plain(message: StoredMessage) -> str:
        """What the user reads: the visible text of a sent message."""
        text = message.text or ""
        return parse_html(text) if (message.parse_mode or "").lower() == "html" else text

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_sent(
        self, chat_id: int, count: int, seconds: float = 5.0
    ) -> list[StoredMessage]:
        """Wait until the bot has sent at least `count` messages to the chat; return them."""
        await self.wait_until(lambda: len(self.sent(chat_id)) >= count, seconds)
        return self.sent(chat_id)
