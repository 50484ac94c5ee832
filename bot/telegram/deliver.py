"""Send the core's replies to Telegram and clear a conversation; never leave a user with nothing.

Every message the bot sends is recorded in the store, so the quick exit can delete it later.
Long replies are split at paragraphs; HTML that Telegram refuses goes again as plain text.
Transient faults are retried (tg_guard.with_retry); a crisis reply is retried longest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.core.model import Reply
from bot.telegram.format import keyboard, private_link, redact
from bot.telegram.guard import CRISIS_ATTEMPTS, CRISIS_BUDGET, GaveUp, with_retry
from bot.telegram.html import split_html, split_plain, strip_tags

log = logging.getLogger(__name__)

TYPING_AFTER = 0.3  # seconds of thinking before the user sees "typing…"
TYPING_EVERY = 4.5  # Telegram shows a chat action for about five seconds
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class MessageLog(Protocol):
    """The part of the store the adapter uses: message ids only, kept for 48 hours."""

    async def record_message(self, chat_id: int, message_id: int, now: float) -> None: ...

    async def take_messages(self, chat_id: int, now: float) -> list[int]: ...


class Courier:
    """Sends, retries, falls back to plain text, records ids and deletes on request."""

    def __init__(
        self,
        bot: Bot,
        store: MessageLog,
        *,
        username: str,
        attempts: int = 5,
        base_delay: float = 0.5,
        budget: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot = bot
        self.store = store
        self.username = username
        self.attempts = attempts
        self.base_delay = base_delay
        self.budget = budget
        self.clock = clock

    async def _retry(self, what: str, call: Callable[[], Any], *, crisis: bool = False) -> Any:
        if crisis:
            return await with_retry(
                call,
                what=f"{what} (crisis reply)",
                attempts=max(self.attempts, CRISIS_ATTEMPTS),
                budget=max(self.budget, CRISIS_BUDGET),
                base_delay=self.base_delay,
            )
        return await with_retry(
            call,
            what=what,
            attempts=self.attempts,
            budget=self.budget,
            base_delay=self.base_delay,
        )

    async def record(self, chat_id: int, message_id: int) -> None:
        await self.store.record_message(chat_id, message_id, self.clock())

    async def deliver(
        self,
        chat_id: int,
        replies: Sequence[Reply],
        *,
        group: bool = False,
        reply_to: int | None = None,
    ) -> None:
        """Send a turn's replies in order; in groups, end with a link to a private chat."""
        for index, reply in enumerate(replies):
            link = None
            if group and index == len(replies) - 1:
                topic = next((r.intent for r in reversed(replies) if r.intent), None)
                link = private_link(self.username, topic)
            markup = keyboard(reply.buttons, link=link)
            parts = split_html(reply.text)
            for number, part in enumerate(parts):
                last = number == len(parts) - 1
                await self.send(
                    chat_id,
                    part,
                    markup if last else None,
                    reply_to=reply_to if index == number == 0 else None,
                    record=not group,
                    crisis=reply.safety,
                )

    async def send(
        self,
        chat_id: int,
        html: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        reply_to: int | None = None,
        record: bool = True,
        crisis: bool = False,
    ) -> None:
        """Send one HTML message; if Telegram rejects it, send it again as plain text."""
        reply_parameters = (
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        )
        try:
            sent = [
                await self._retry(
                    "sendMessage",
                    lambda: self.bot.send_message(
                        chat_id,
                        html,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                        reply_parameters=reply_parameters,
                        link_preview_options=_NO_PREVIEW,
                    ),
                    crisis=crisis,
                )
            ]
        except BadRequest as err:
            log.warning("sendMessage refused (%s); sending plain text", err.message)
            sent = await self._send_plain(
                chat_id, strip_tags(html), markup, reply_parameters, crisis=crisis
            )
        except Forbidden:
            log.info("chat %s has blocked the bot; reply dropped", chat_id)
            return
        except GaveUp:
            return  # with_retry logged the give-up, with the fault and the attempts
        except TelegramError as err:
            log.error(
                "sendMessage failed for good: %s", redact(str(err), self.bot.token), exc_info=True
            )
            return
        if record:
            for message in sent:
                await self.record(chat_id, message.message_id)

    async def _send_plain(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
        reply_parameters: ReplyParameters | None,
        *,
        crisis: bool = False,
    ) -> list[Message]:
        sent: list[Message] = []
        parts = split_plain(text)
        for number, part in enumerate(parts):
            keys = markup if number == len(parts) - 1 else None
            try:
                sent.append(await self._plain(chat_id, part, keys, reply_parameters, crisis))
            except BadRequest as err:
                # The keyboard itself may be what Telegram refuses: the words matter most.
                log.warning("plain sendMessage refused (%s); dropping the buttons", err.message)
                with contextlib.suppress(TelegramError):
                    sent.append(await self._plain(chat_id, part, None, reply_parameters, crisis))
            except GaveUp:
                pass  # logged by with_retry
            except TelegramError as err:
                log.error("plain sendMessage failed: %s", redact(str(err), self.bot.token))
        return sent

    async def _plain(
        self, chat_id: int, text: str, markup: Any, reply: Any, crisis: bool = False
    ) -> Message:
        return await self._retry(
            "sendMessage",
            lambda: self.bot.send_message(
                chat_id,
                text,
                reply_markup=markup,
                reply_parameters=reply,
                link_preview_options=_NO_PREVIEW,
            ),
            crisis=crisis,
        )

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off a pressed message so they cannot be pressed again."""
        try:
            await self._retry(
                "editMessageReplyMarkup",
                lambda: self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None),
            )
        except BadRequest as err:  # already gone or not modified: nothing left to press
            log.debug("keyboard not removed: %s", err.message)
        except TelegramError as err:
            log.warning("keyboard not removed: %s", type(err).__name__)

    async def clear(self, chat_id: int) -> int:
        """Delete every recorded message of this chat, both sides; return how many were asked."""
        ids = sorted(set(await self.store.take_messages(chat_id, self.clock())))
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            try:
                await self._retry(
                    "deleteMessages", lambda batch=batch: self.bot.delete_messages(chat_id, batch)
                )
            except TelegramError as err:
                log.warning("deleteMessages failed: %s", type(err).__name__)
        return len(ids)

    async def keep_typing(self, chat_id: int) -> None:
        """Show "typing…" once a reply takes longer than TYPING_AFTER; cancel when done."""
        await asyncio.sleep(TYPING_AFTER)
        while True:
            try:
                await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as err:
                log.debug("chat action failed: %s", type(err).__name__)
            await asyncio.sleep(TYPING_EVERY)
