"""Chat with the bot in a terminal, or drive it with JSON lines.

Run `python -m bot chat` to talk to it (buttons appear as numbers: type the number to press
one), or `python -m bot chat --jsonl` for the machine protocol: one event a line in
(`{"text": ...}`, `{"button": "<data>"}`, `{"kind": "photo", "caption": ...}`, optional
`"chat": "<id>"`), exactly one JSON line out per non-blank line, flushed; a line that cannot
be used (bad JSON, bad UTF-8, a lone surrogate) gets `{"error": ...}` and the next is read.
Logs go to stderr so stdout stays clean.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import asdict
from typing import BinaryIO, TextIO

from bot.core.model import NON_TEXT_KINDS, Button, Event, Reply
from bot.session import Handler

CONSOLE_CHAT = "console"
UNREADABLE = (
    "Sorry, I couldn't read that line: your terminal sent characters that are not UTF-8. "
    "Please type it again."
)
_TAG = re.compile(r"<a href=\"([^\"]*)\">(.*?)</a>|<[^>]+>", re.DOTALL)


def parse_command(text: str) -> Event:
    """Split "/start phishing" into the command and its payload."""
    command, _, payload = text.strip().partition(" ")
    return Event("command", command, payload=payload.strip())


def text_event(text: str) -> Event:
    """Map typed text to an event: a leading slash is a command."""
    return parse_command(text) if text.startswith("/") else Event("text", text)


def reply_to_dict(reply: Reply) -> dict[str, object]:
    """The JSONL form of a reply (the same fields the Reply dataclass has)."""
    data = asdict(reply)
    data["buttons"] = [[asdict(b) for b in row] for row in reply.buttons]
    data["routes"] = list(reply.routes)
    return data


class ProtocolError(ValueError):
    """A line the console cannot use; the message says why, in words a tester can act on."""


def decode_line(raw: str | bytes) -> str:
    """Strictly decode one input line; bytes that are not UTF-8 are refused, never guessed."""
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolError(
                f"not valid UTF-8 (byte {error.start + 1} of the line); send UTF-8 text"
            ) from None
    _check_unicode(raw, "the line")
    return raw


def _check_unicode(value: str, field: str) -> None:
    """Refuse lone surrogates: they cannot be printed, hashed or sent on to Telegram."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ProtocolError(f"{field} holds a lone surrogate (\\ud800-\\udfff)") from None


def _string(data: dict[str, object], field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f'"{field}" must be a string')
    _check_unicode(value, f'"{field}"')
    return value


def event_from_json(line: str | bytes) -> tuple[str, Event]:
    """Parse one protocol line into (chat id, event); ProtocolError says what is wrong."""
    text = decode_line(line)
    try:
        data = json.loads(text)
    except RecursionError:
        raise ProtocolError("not usable JSON: nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, and ints too long to convert
        reason = getattr(error, "msg", None) or str(error)
        raise ProtocolError(f"not valid JSON: {reason}") from None
    if not isinstance(data, dict):
        raise ProtocolError('expected a JSON object like {"text": "hello"}')
    chat = data.get("chat", CONSOLE_CHAT)
    if isinstance(chat, bool) or not isinstance(chat, str | int):
        raise ProtocolError('"chat" must be a string or a whole number')
    chat = str(chat)
    _check_unicode(chat, '"chat"')
    if (typed := _string(data, "text")) is not None:
        return chat, text_event(typed)
    if (data_of_button := _string(data, "button")) is not None:
        return chat, Event("button", data_of_button)
    if (kind := _string(data, "kind")) is not None:
        if kind not in NON_TEXT_KINDS:
            known = ", ".join(sorted(NON_TEXT_KINDS))
            raise ProtocolError(f"unknown kind {kind!r} (known: {known})")
        caption = _string(data, "caption") or ""
        return chat, Event(kind, caption)  # type: ignore[arg-type]
    raise ProtocolError('expected one of "text", "button" or "kind"')


def _dump(payload: dict[str, object]) -> str:
    """One JSON line, readable where the stream can carry it, plain ASCII where it cannot."""
    return json.dumps(payload, ensure_ascii=False)


def _write(out: TextIO, payload: dict[str, object]) -> None:
    try:
        out.write(_dump(payload) + "\n")
    except UnicodeEncodeError:  # e.g. PYTHONIOENCODING=ascii: escape instead of dying
        out.write(json.dumps(payload) + "\n")
    out.flush()


async def run_jsonl(handle: Handler, lines: Iterable[str | bytes], out: TextIO) -> int:
    """Answer each non-blank line with exactly one JSON line; a bad line gets an error."""
    for line in lines:
        if not line.strip():
            continue
        try:
            chat, event = event_from_json(line)
        except ProtocolError as error:
            _write(out, {"error": str(error)})
            continue
        replies = await handle(chat, event)
        _write(out, {"replies": [reply_to_dict(r) for r in replies]})
    return 0


def to_plain(text: str) -> str:
    """Show Telegram HTML in a terminal: links as 'label (url)', other tags dropped."""

    def swap(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return ""
        return f"{match.group(2)} ({match.group(1)})"

    return html.unescape(_TAG.sub(swap, text))


def render_plain(replies: list[Reply]) -> tuple[str, list[Button]]:
    """Format replies for a person: text, then the buttons numbered from 1."""
    lines: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        lines.append(to_plain(reply.text).strip())
        for row in reply.buttons:
            for button in row:
                buttons.append(button)
                lines.append(f"  [{len(buttons)}] {button.label}")
        lines.append("")
    return "\n".join(lines), buttons


async def run_interactive(handle: Handler, stdin: TextIO | BinaryIO, out: TextIO) -> int:
    """A terminal chat; reads until end of input or /quit. A garbled line is skipped kindly."""
    out.write("cyber-signpost console. Type what happened, a number to press a button, ")
    out.write("or /quit to leave.\n\n")
    buttons: list[Button] = []
    replies = await handle(CONSOLE_CHAT, Event("command", "/start"))
    while True:
        text, buttons = render_plain(replies)
        out.write(text + "\n")
        out.write("you> ")
        out.flush()
        raw = stdin.readline()
        try:
            line = decode_line(raw)
        except ProtocolError:
            out.write(UNREADABLE + "\n\n")
            replies = []
            continue
        if not line or line.strip() in {"/quit", "/exit"}:
            out.write("\nBye. Take care.\n")
            return 0
        typed = line.strip()
        if not typed:
            replies = []
            continue
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(buttons):
            event = Event("button", buttons[int(typed) - 1].data)
        else:
            event = text_event(typed)
        replies = await handle(CONSOLE_CHAT, event)
