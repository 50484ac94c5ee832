"""The Bot API methods of the stand-in, with Telegram's strict checks on their parameters.

No I/O and no telegram import: `FakeApi.call(method, params)` returns the result or raises
ApiError with Telegram's own error code and description. The state it works on (chats,
messages, updates) is in tg_fakestate.py; the HTTP server and control API in standin.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from bot.telegram.html import MAX_TEXT, HtmlError, parse_html
from bot.telegram.standin.state import ApiError, Chat, FakeState, StoredMessage, bad

__all__ = [
    "CHAT_ACTIONS",
    "DELETE_WINDOW",
    "ApiError",
    "Chat",
    "FakeApi",
    "StoredMessage",
    "bad",
]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
DELETE_WINDOW = 48 * 3600  # a bot may delete messages in private chats for 48 hours
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class FakeApi(FakeState):
    """Bot API methods for one bot token, each checked as strictly as Telegram does."""

    def __init__(
        self,
        *,
        bot_id: int,
        username: str,
        strict_entities: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(bot_id=bot_id, username=username, clock=clock)
        self.strict_entities = strict_entities

    # ------------------------------------------------------------ checks

    def _check_text(self, text: Any, parse_mode: Any) -> None:
        if not isinstance(text, str) or not text.strip():
            raise bad("message text is empty")
        if parse_mode is not None and str(parse_mode).lower() not in {
            "html",
            "markdownv2",
            "markdown",
        }:
            raise bad(f"unsupported parse_mode {parse_mode}")
        visible = text
        if parse_mode is not None and str(parse_mode).lower() == "html":
            try:
                visible = parse_html(text, strict_entities=self.strict_entities)
            except HtmlError as err:
                raise bad(f"can't parse entities: {err}") from None
        if not visible.strip():
            raise bad("message text is empty")
        if len(visible.strip()) > MAX_TEXT:
            raise bad("message is too long")

    def _check_markup(self, markup: Any) -> dict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
            raise bad("can't parse reply keyboard markup JSON object")
        for row in markup["inline_keyboard"]:
            if not isinstance(row, list):
                raise bad(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            for button in row:
                if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                    raise bad("BUTTON_TEXT_INVALID")
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= 64:
                        raise bad("BUTTON_DATA_INVALID")
                elif "url" in button:
                    if not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                        raise bad("BUTTON_URL_INVALID")
                else:
                    raise bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        return markup if markup["inline_keyboard"] else None

    def _bot_message(self, params: dict[str, Any]) -> StoredMessage:
        chat = self.chat(params.get("chat_id"))
        message = chat.messages.get(_int(params.get("message_id")))
        if message is None or message.deleted:
            raise bad("message to edit not found")
        if not message.from_bot:
            raise bad("message can't be edited")
        return message

    # ------------------------------------------------------------ methods

    def call(self, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"m_{method.lower()}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(params)

    def m_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def m_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat(params.get("chat_id"))
        self._check_text(params.get("text"), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        if "reply_to_message_id" in params:
            reply = {"message_id": params["reply_to_message_id"]}
        target = reply.get("message_id")
        missing = target is not None and _int(target) not in chat.messages
        if missing and not reply.get("allow_sending_without_reply"):
            raise bad("message to be replied not found")
        message = chat.add(
            True,
            self.clock(),
            text=params["text"],
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )
        return self.message_json(message)

    def m_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(params)
        self._check_text(params.get("text"), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        if params["text"] == message.text and markup == message.reply_markup:
            raise bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text, message.parse_mode, message.reply_markup = (
            params["text"],
            params.get("parse_mode"),
            markup,
        )
        message.edits += 1
        return self.message_json(message)

    def m_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.reply_markup = markup
        message.edits += 1
        return self.message_json(message)

    def m_answercallbackquery(self, params: dict[str, Any]) -> bool:
        if self.open_queries.pop(str(params.get("callback_query_id")), None) is None:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        return True

    def m_sendchataction(self, params: dict[str, Any]) -> bool:
        self.chat(params.get("chat_id"))
        if params.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True

    def m_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("can't parse commands JSON object")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = [dict(c) for c in commands]
        return True

    def m_getmycommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return list(self.commands)

    def _deletable(self, chat: Chat, message_id: Any) -> StoredMessage | None:
        message = chat.messages.get(_int(message_id))
        if message is None or message.deleted:
            return None
        if not chat.is_private and not message.from_bot:
            return None  # the bot is no group admin here
        if self.clock() - message.date > DELETE_WINDOW:
            return None
        return message

    def m_deletemessage(self, params: dict[str, Any]) -> bool:
        chat = self.chat(params.get("chat_id"))
        message = self._deletable(chat, params.get("message_id"))
        if message is None:
            raise bad("message to delete not found")
        message.deleted = True
        return True

    def m_deletemessages(self, params: dict[str, Any]) -> bool:
        chat = self.chat(params.get("chat_id"))
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad("MESSAGE_IDS_INVALID")
        for message_id in ids:  # ones already gone or too old are skipped, as Telegram does
            message = self._deletable(chat, message_id)
            if message is not None:
                message.deleted = True
        return True

    def m_setwebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self.m_deletewebhook(params)
        if not (
            url.startswith("https://") or re.match(r"^http://(127\.0\.0\.1|localhost)[:/]", url)
        ):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates") in (True, "true"):
            self.updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
        }
        return True

    def m_deletewebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") in (True, "true"):
            self.updates.clear()
        self.webhook = {}
        return True

    def m_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def m_close(self, params: dict[str, Any]) -> bool:
        return True

    def m_logout(self, params: dict[str, Any]) -> bool:
        return True


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
