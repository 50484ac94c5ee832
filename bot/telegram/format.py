"""Map Telegram messages to core Events and core Replies to Telegram keyboards.

Pure: no network, no clock. Only these functions decide what a group message means, so the
rules ("answer commands, @mentions and replies to the bot; stay silent otherwise") are in
one place and tested without a server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity

from bot.core.model import NON_TEXT_ORDER, Button, Event

PRIVATE_LABEL = "Message me privately"
GROUP_TYPES = frozenset({"group", "supergroup"})
# Checked in this order: an animation also carries a document.
NON_TEXT_ATTRS = NON_TEXT_ORDER
OTHER_ATTRS = ("dice", "game", "story", "venue", "invoice", "paid_media", "giveaway")
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.S)
_START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def parse_command(text: str, username: str) -> tuple[str, str] | None:
    """Split "/start@Bot topic" into ("/start", "topic"); None if meant for another bot.

    >>> parse_command("/start@SignpostBot phishing", "SignpostBot")
    ('/start', 'phishing')
    """
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    name, target, payload = match.groups()
    if target is not None and target.lower() != username.lower():
        return None
    return f"/{name.lower()}", (payload or "").strip()


def message_kind(message: Message) -> str | None:
    """Say what a message carries: "text", a kind, "other", or None for a service message."""
    if message.text is not None:
        return "text"
    for attr in NON_TEXT_ATTRS:
        if getattr(message, attr, None):
            return attr
    if any(getattr(message, attr, None) for attr in OTHER_ATTRS):
        return "other"
    return None  # joins, leaves, pins, title changes: nothing the user said to us


def is_group(message: Message) -> bool:
    return message.chat.type in GROUP_TYPES


def is_addressed(message: Message, *, bot_id: int, username: str) -> bool:
    """In a group: is this a command, an @mention of the bot or a reply to the bot?"""
    if message.text and parse_command(message.text, username) is not None:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    entities = message.entities if message.text else message.caption_entities
    for entity in entities or ():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
        if entity.type == MessageEntity.MENTION:
            mention = (
                message.parse_entity(entity)
                if message.text
                else message.parse_caption_entity(entity)
            )
            if mention.lower() == f"@{username.lower()}":
                return True
    return False


def strip_mention(text: str, username: str) -> str:
    """Remove "@Bot" from a group message so the core sees only what the person wrote."""
    cleaned = re.sub(rf"(?i)@{re.escape(username)}\b[,:]?", " ", text)
    return re.sub(r"\s+", " ", cleaned).strip()


def event_from_message(message: Message, *, bot_id: int, username: str) -> Event | None:
    """Turn a message into the core's Event, or None when the bot should stay silent."""
    kind = message_kind(message)
    if kind is None:
        return None
    group = is_group(message)
    if group and not is_addressed(message, bot_id=bot_id, username=username):
        return None
    if kind != "text":
        # A caption is read like a typed message (the safety screen first), so a photo
        # captioned "i want to end it" is answered as the words say.
        caption = message.caption or ""
        if group and caption:
            caption = strip_mention(caption, username)
        return Event(kind, caption, is_group=group)  # type: ignore[arg-type]
    text = message.text or ""
    if text.startswith("/"):
        parsed = parse_command(text, username)
        if parsed is None:
            return None if group else Event("text", text)
        command, payload = parsed
        return Event("command", command, payload=payload, is_group=group)
    if group:
        text = strip_mention(text, username)
    return Event("text", text, is_group=group)


def private_link(username: str, topic: str | None) -> str:
    """The deep link that opens a private chat, starting on the topic when there is one."""
    if topic and _START_PAYLOAD.match(topic):
        return f"https://t.me/{username}?start={topic}"
    return f"https://t.me/{username}"


def keyboard(
    rows: Sequence[Sequence[Button]], *, link: str | None = None
) -> InlineKeyboardMarkup | None:
    """Build the inline keyboard for a reply; `link` adds the private-chat button row."""
    buttons = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    buttons = [row for row in buttons if row]
    if link is not None:
        buttons.append([InlineKeyboardButton(PRIVATE_LABEL, url=link)])
    return InlineKeyboardMarkup(buttons) if buttons else None


def redact(text: str, token: str) -> str:
    """Hide the bot token (and its secret half) in anything headed for a log."""
    if not token:
        return text
    return text.replace(token, "<token>").replace(token.partition(":")[2], "<token>")
