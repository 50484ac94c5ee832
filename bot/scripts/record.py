"""Turn a console chat into a script: `python -m bot test --record FILE`.

A tester talks to the bot as in `python -m bot chat`; every message, command and button
press becomes a turn, with an `expect:` holding what the bot did (intent, safety when true,
routes, buttons). The chat runs on the script runner's own footing (fresh memory, fixed
clock), so the written script passes when run straight back; it is played back once before
the command ends to prove it. Wraps the session handler, so the console needs no hook.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import yaml

from bot.core.model import Button, Event, Reply
from bot.scripts.outcome import Outcome
from bot.session import Handler

log = logging.getLogger(__name__)

RECORDED_TAG = "recorded"
HEADER = (
    "# Recorded with `python -m bot test --record`. Each expect is what the bot did then:\n"
    "# keep the checks that matter, rename the script, and never add a phone number.\n"
)
_COMMAND = re.compile(r"/\w+(?: .*)?")  # what a script's `command:` accepts
_NAME_WORDS = 60


class _Flow(list):  # type: ignore[type-arg]
    """A list written on one line, `[a, b]`, as the guide's examples are."""


class _Dumper(yaml.SafeDumper):
    """Two-space indents with `- ` under its key, as in docs/testing.md."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def expect_of(replies: list[Reply]) -> dict[str, Any]:
    """The checks that describe a turn: intent always, safety when true, routes, buttons."""
    outcome = Outcome.from_replies(replies)
    expect: dict[str, Any] = {"intent": outcome.intent}
    if outcome.safety:
        expect["safety"] = True
    if outcome.routes:
        expect["routes"] = _Flow(outcome.routes)
    if outcome.labels:
        expect["buttons"] = _Flow(dict.fromkeys(outcome.labels))
    return expect


class Recorder:
    """A session handler that notes each event and its replies as a script turn."""

    def __init__(self, handle: Handler) -> None:
        self.handle = handle
        self.turns: list[dict[str, Any]] = []
        self.left_out: list[str] = []  # why a turn could not be written
        self._offered: dict[str, list[Button]] = {}

    async def __call__(self, chat: int | str, event: Event) -> list[Reply]:
        replies = await self.handle(chat, event)
        turn = self._action(str(chat), event)
        if turn is not None:
            turn["expect"] = expect_of(replies)
            self.turns.append(turn)
        self._offered[str(chat)] = [b for r in replies for row in r.buttons for b in row]
        return replies

    def _action(self, chat: str, event: Event) -> dict[str, Any] | None:
        if event.kind == "text":
            return {"say": event.text}
        if event.kind == "command":
            typed = f"{event.text} {event.payload}".strip()
            if _COMMAND.fullmatch(typed):
                return {"command": typed}
            self.left_out.append(f"the command {typed!r}: a script cannot send it")
            return None
        if event.kind == "button":
            for button in self._offered.get(chat, []):
                if button.data == event.text:
                    return {"press": button.label}
            self.left_out.append(f"a press of a button no longer shown ({event.text!r})")
            return None
        return {"send": event.kind}  # the console sends no photos today; kept for completeness

    def script(self) -> dict[str, Any]:
        """The recording as a script mapping, named after the first thing the person typed."""
        said = next((t["say"] for t in self.turns if "say" in t), None)
        name = "Recorded console chat"
        if said is not None:
            name = f"Recorded: {_shorten(said)}"
        turns = [dict(turn) for turn in self.turns]
        if turns and turns[0].get("command") == "/start":
            note = "the console starts every chat with /start"
            turns[0] = {"command": "/start", "note": note, "expect": turns[0]["expect"]}
        return {"name": name, "tags": _Flow([RECORDED_TAG]), "turns": turns}

    def to_yaml(self) -> str:
        body = yaml.dump(
            self.script(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096
        )
        return HEADER + body


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _NAME_WORDS else text[: _NAME_WORDS - 3].rstrip() + "..."


def run_record(
    file: Path, *, content: Path, stdin: TextIO | BinaryIO, out: TextIO, err: TextIO
) -> int:
    """Chat on the console, write the script to `file`, then play it back.

    Exit 0 written and passing; 1 written but failing on playback; 2 nothing written
    (the file exists, its folder does not, or the content or file cannot be used).
    """
    from bot.console import run_interactive
    from bot.scripts.driver import EngineDriver
    from bot.scripts.runner import display_path, engine_or_report, load_all, run_script

    if file.exists():
        print(f"{file} already exists: choose a new name (a recording never overwrites)", file=err)
        return 2
    if not file.parent.is_dir():
        print(f"cannot write {file}: the folder {file.parent} does not exist", file=err)
        return 2
    engine = engine_or_report(content, err)
    if engine is None:
        return 2

    recorder: Recorder | None = None

    async def chat() -> None:
        nonlocal recorder
        async with EngineDriver(engine) as driver:
            recorder = Recorder(driver.handle)
            await run_interactive(recorder, stdin, out)

    try:
        asyncio.run(chat())
    except KeyboardInterrupt:
        out.write("\n")
    if recorder is None or not recorder.turns:
        print("nothing was recorded, so no script was written", file=err)
        return 2
    text = recorder.to_yaml()
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"cannot write {file} ({error.strerror or error}); the script was:", file=err)
        err.write(text)
        return 2
    for why in recorder.left_out:
        print(f"left out of the script: {why}", file=err)
    shown = display_path(file)
    print(f"wrote {len(recorder.turns)} turn(s) to {shown}", file=err)
    scripts, problems = load_all([file], engine.content)
    if problems or not scripts:
        for problem in problems:
            print(problem.format(), file=err)
        return 1
    result = asyncio.run(run_script(scripts[0], engine))
    print(f"played back: {result.report(whole=True)}", file=err)
    if not result.passed:
        return 1
    print(f"run it again with: python -m bot test {shown}", file=err)
    return 0
