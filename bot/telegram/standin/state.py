"""The stand-in's Bot API state: chats, stored messages, the update queue and the error shape.

Plain data, no I/O and no telegram import. The Bot API methods and Telegram's checks on them
live in tg_fakeapi.py, which builds on `FakeState`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.telegram.html import parse_html


class ApiError(Exception):
    """A failed Bot API call, shaped like Telegram's error JSON."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code}
        body["description"] = self.description
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class StoredMessage:
    """One message in a chat, from the user or from the bot."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None  # as sent: HTML source for the bot's HTML messages
    parse_mode: str | None = None
    reply_markup: dict | None = None
    deleted: bool = False
    edits: int = 0

    @property
    def buttons(self) -> list[list[dict]]:
        return (self.reply_markup or {}).get("inline_keyboard", [])


@dataclass
class Chat:
    id: int
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_id: int = 1

    @property
    def is_private(self) -> bool:
        return self.id > 0

    def as_json(self) -> dict[str, Any]:
        if self.is_private:
            return {"id": self.id, "type": "private", "first_name": f"User{self.id}"}
        kind = "supergroup" if self.id < -1_000_000_000_000 else "group"
        return {"id": self.id, "type": kind, "title": f"Group {self.id}"}

    def add(self, from_bot: bool, now: float, **fields: Any) -> StoredMessage:
        message = StoredMessage(self.next_id, self.id, from_bot, int(now), **fields)
        self.messages[message.message_id] = message
        self.next_id += 1
        return message


class FakeState:
    """Bot API state for one bot token: who the bot is, its chats and unconfirmed updates."""

    def __init__(
        self,
        *,
        bot_id: int,
        username: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_id = bot_id
        self.username = username
        self.clock = clock
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict[str, Any]] = []  # not yet confirmed by an offset
        self.next_update_id = 1
        self.commands: list[dict[str, str]] = []
        self.webhook: dict[str, Any] = {}
        self.open_queries: dict[str, int] = {}  # callback query id -> chat id

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Signpost",
            "username": self.username,
        }

    def chat(self, chat_id: Any, *, create: bool = False) -> Chat:
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise bad("chat not found") from None
        if key not in self.chats:
            if not create:
                raise bad("chat not found")
            self.chats[key] = Chat(key)
        return self.chats[key]

    def message_json(self, message: StoredMessage, *, user_id: int | None = None) -> dict:
        chat = self.chats[message.chat_id]
        sender = self.bot_user() if message.from_bot else _user(user_id or message.chat_id)
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.as_json(),
            "from": sender,
        }
        if message.text is not None:
            body["text"] = self._visible(message.text, message.parse_mode)
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body

    def _visible(self, text: str, parse_mode: str | None) -> str:
        if (parse_mode or "").lower() == "html":
            return parse_html(text).strip()
        return text.strip()

    def add_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        self.updates.append(update)
        return update

    def confirm(self, offset: int) -> None:
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def pending(self, allowed: list[str] | None) -> list[dict[str, Any]]:
        if not allowed:
            return list(self.updates)
        return [u for u in self.updates if any(key in u for key in allowed)]


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}
