"""Chat with the bot in a terminal, or drive it with JSON lines.

Run `python -m bot chat` to talk to it (buttons appear as numbers: type the number to press
one), or `python -m bot chat --jsonl` for the machine protocol: one event a line in
(`{"text": ...}`, `{"button": "<data>"}`, `{"kind": "photo"}`, optional `"chat": "<id>"`),
exactly one JSON line out per event, flushed. Logs go to stderr so stdout stays clean.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import asdict
from typing import TextIO

from bot.model import NON_TEXT_KINDS, Button, Event, Reply
from bot.session import Handler

CONSOLE_CHAT = "console"
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


def event_from_json(line: str) -> tuple[str, Event]:
    """Parse one protocol line into (chat id, event); ValueError says what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise ValueError('expected a JSON object like {"text": "hello"}')
    chat = str(data.get("chat", CONSOLE_CHAT))
    if isinstance(data.get("text"), str):
        return chat, text_event(data["text"])
    if isinstance(data.get("button"), str):
        return chat, Event("button", data["button"])
    if isinstance(data.get("kind"), str):
        kind = data["kind"]
        if kind not in NON_TEXT_KINDS:
            raise ValueError(f"unknown kind {kind!r} (known: {', '.join(sorted(NON_TEXT_KINDS))})")
        return chat, Event(kind)  # type: ignore[arg-type]
    raise ValueError('expected one of "text", "button" or "kind"')


async def run_jsonl(handle: Handler, lines: Iterable[str], out: TextIO) -> int:
    """Answer each line with exactly one JSON line; a bad line gets an error and we go on."""
    for line in lines:
        if not line.strip():
            continue
        try:
            chat, event = event_from_json(line)
        except ValueError as error:
            out.write(json.dumps({"error": str(error)}) + "\n")
        else:
            replies = await handle(chat, event)
            payload = {"replies": [reply_to_dict(r) for r in replies]}
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()
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


async def run_interactive(handle: Handler, stdin: TextIO, out: TextIO) -> int:
    """A terminal chat; reads until end of input or /quit."""
    out.write("cyber-signpost console. Type what happened, a number to press a button, ")
    out.write("or /quit to leave.\n\n")
    buttons: list[Button] = []
    replies = await handle(CONSOLE_CHAT, Event("command", "/start"))
    while True:
        text, buttons = render_plain(replies)
        out.write(text + "\n")
        out.write("you> ")
        out.flush()
        line = stdin.readline()
        if not line or line.strip() in {"/quit", "/exit"}:
            out.write("\nBye. Take care.\n")
            return 0
        typed = line.strip()
        if not typed:
            replies = []
            continue
        if typed.isdigit() and 1 <= int(typed) <= len(buttons):
            event = Event("button", buttons[int(typed) - 1].data)
        else:
            event = text_event(typed)
        replies = await handle(CONSOLE_CHAT, event)
