"""Run scripted conversations against the engine (or the real Telegram adapter) and report.

Used by `python -m bot test` and by tests/test_scripts.py. Each script gets a fresh memory
store and a fixed clock, so a run is exact and repeatable. The format is in docs/testing.md.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.channels.console import parse_command
from bot.engine import Engine
from bot.model import Event, Reply
from bot.problem import Problem
from bot.script_format import Expect, Script, Step, check_ids, find_scripts, load_script
from bot.session import LiveEngine, make_handler
from bot.store import MemoryStore

log = logging.getLogger(__name__)

FIXED_NOW = 1_750_000_000.0  # a fixed clock: nothing in a script can expire by accident
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
SHOW_TEXT = 160


def plain(text: str) -> str:
    """Reply HTML as the user reads it, on one line: tags gone, entities decoded."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", text))).strip()


@dataclass(frozen=True)
class Outcome:
    """Everything the bot did in one turn, in the shape the checks need."""

    replies: list[Reply]
    text: str  # all replies' text, joined, as the user reads it
    buttons: list[tuple[str, str]]  # (label, data) of every button offered, in order

    @property
    def intent(self) -> str | None:
        return self.replies[0].intent if self.replies else None

    @property
    def safety(self) -> bool:
        return bool(self.replies) and self.replies[0].safety

    @property
    def routes(self) -> list[str]:
        return list(dict.fromkeys(r for reply in self.replies for r in reply.routes))

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]

    @property
    def asks_question(self) -> bool:
        return any(data.startswith("answer:") for _, data in self.buttons)

    @classmethod
    def from_replies(cls, replies: Sequence[Reply]) -> Outcome:
        text = " ".join(plain(r.text) for r in replies)
        buttons = [(b.label, b.data) for r in replies for row in r.buttons for b in row]
        return cls(list(replies), text, buttons)

    def describe(self) -> list[str]:
        """What the bot did, shortened for a failure report."""
        text = self.text if len(self.text) <= SHOW_TEXT else self.text[: SHOW_TEXT - 3] + "..."
        buttons = ", ".join(f"[{label}]" for label in self.labels) or "none"
        return [
            f"the bot replied ({len(self.replies)} message(s)): {text!r}",
            f"  intent: {self.intent}; safety: {str(self.safety).lower()}",
            f"  routes: {', '.join(self.routes) or 'none'}",
            f"  buttons: {buttons}",
        ]


def check(expect: Expect, outcome: Outcome) -> list[str]:
    """Return one line per unmet expectation (empty when the turn passed)."""
    errors: list[str] = []
    if expect.check_intent and outcome.intent != expect.intent:
        errors.append(f"expected intent {expect.intent}, got {outcome.intent}")
    missing = [r for r in expect.routes if r not in outcome.routes]
    if missing:
        errors.append(f"expected routes to include {', '.join(missing)}")
    unwanted = [r for r in expect.routes_exclude if r in outcome.routes]
    if unwanted:
        errors.append(f"expected routes not to include {', '.join(unwanted)}")
    lowered = outcome.text.lower()
    for wanted in expect.text_contains:
        if plain(wanted).lower() not in lowered:
            errors.append(f"expected the text to contain {wanted!r}")
    if expect.text_matches and not re.search(expect.text_matches, outcome.text, re.I):
        errors.append(f"expected the text to match /{expect.text_matches}/")
    absent = [b for b in expect.buttons if b not in outcome.labels]
    if absent:
        errors.append(
            f"expected buttons {', '.join(repr(b) for b in absent)}{_comma_hint(expect, outcome)}"
        )
    if expect.safety is not None and outcome.safety != expect.safety:
        errors.append(f"expected safety {str(expect.safety).lower()}")
    if expect.asks_question is not None and outcome.asks_question != expect.asks_question:
        wanted = "a follow-up question" if expect.asks_question else "no follow-up question"
        errors.append(f"expected {wanted}")
    if expect.replies is not None and len(outcome.replies) != expect.replies:
        errors.append(f"expected {expect.replies} message(s), got {len(outcome.replies)}")
    return errors


def _comma_hint(expect: Expect, outcome: Outcome) -> str:
    """A label with a comma, written in [a, b] form, splits in two: say how to write it."""
    pairs = zip(expect.buttons, expect.buttons[1:], strict=False)
    joined = [f"{a}, {b}" for a, b in pairs if f"{a}, {b}" in outcome.labels]
    return f' (a label with a comma needs quotes: ["{joined[0]}"])' if joined else ""


class TurnError(Exception):
    """The turn could not be played as written (a button that was not offered)."""


# ---------------------------------------------------------------- drivers


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
            event = Event(step.value, is_group=step.group)  # type: ignore[arg-type]
        else:
            event = Event("text", step.value, is_group=step.group)
        return Outcome.from_replies(await self.handle(key, event))


class TelegramDriver:
    """Plays turns through the real adapter and the loopback Bot API stand-in."""

    def __init__(self, engine: Engine) -> None:
        from bot.channels.loopback import LoopbackTelegram

        self.store = MemoryStore()
        handle = make_handler(LiveEngine(engine), self.store, clock=lambda: FIXED_NOW)
        self.tg = LoopbackTelegram(handle, self.store)
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
            extra = {"reply_to": sent[-1].message_id} if step.group and sent else {}
            turn = await tg.send_kind(chat_id, step.value, **extra)
        else:
            text = f"@{tg.standin.username} {step.value}" if step.group else step.value
            turn = await tg.send_text(chat_id, text)
        text = " ".join(_SPACE.sub(" ", m.text).strip() for m in turn.messages)
        buttons = [b for m in turn.messages for row in m.buttons for b in row]
        return Outcome(list(turn.replies), text, buttons)


# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class Failure:
    turn: int  # 1-based
    line: int
    step: Step
    errors: list[str]
    outcome: Outcome | None

    def report(self, path: str) -> list[str]:
        lines = [f"{path}:{self.line}: turn {self.turn} ({self.step.describe()})"]
        lines += [f"  {e}" for e in self.errors]
        if self.outcome is not None:
            lines += [f"  {d}" for d in self.outcome.describe()]
        return lines


@dataclass
class Result:
    script: Script
    failure: Failure | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.failure is None

    def report(self) -> str:
        """The PASS/FAIL line, and for a failure where and why."""
        word = "PASS" if self.passed else "FAIL"
        bug = " [known-bug]" if self.script.known_bug else ""
        lines = [f"{word} {self.script.name} ({self.script.path}){bug}"]
        if self.failure is not None:
            lines += [f"    {line}" for line in self.failure.report(self.script.path)]
        return "\n".join(lines)


def _press(step: Step, offered: list[tuple[str, str]]) -> str:
    """The data of the button labelled `step.value` in the previous reply, or TurnError."""
    for label, data in offered:
        if label == step.value and data and not data.startswith(("http://", "https://")):
            return data
    labels = ", ".join(repr(label) for label, _ in offered) or "none"
    raise TurnError(f"cannot press {step.value!r}: the previous reply offered {labels}")


async def run_script(script: Script, engine: Engine, *, telegram: bool = False) -> Result:
    """Play every turn in order; stop at the first turn that fails."""
    started = time.perf_counter()
    driver: Any = TelegramDriver(engine) if telegram else EngineDriver(engine)
    offered: dict[tuple[str, bool], list[tuple[str, str]]] = {}
    result = Result(script)
    async with driver:
        for number, step in enumerate(script.steps, 1):
            where = (step.chat, step.group)
            try:
                button = _press(step, offered.get(where, [])) if step.action == "press" else None
            except TurnError as error:
                result.failure = Failure(number, step.line, step, [str(error)], None)
                break
            outcome = await driver.play(step, step.chat, button)
            offered[where] = outcome.buttons
            errors = check(step.expect, outcome)
            if errors:
                result.failure = Failure(number, step.line, step, errors, outcome)
                break
    result.seconds = time.perf_counter() - started
    return result


def display_path(file: Path) -> str:
    """A path relative to the working folder when it is inside it, so editors can open it."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def load_all(paths: Sequence[Path], content: Any = None) -> tuple[list[Script], list[Problem]]:
    """Load every script under `paths`; with `content`, also check intent and route ids."""
    files, problems = find_scripts(paths)
    scripts: list[Script] = []
    for file in files:
        script, found = load_script(file, display_path(file))
        problems += found
        if script is not None:
            more = check_ids(script, content) if content is not None else []
            problems += more
            if not more:
                scripts.append(script)
    return scripts, sorted(problems)


def write_junit(results: list[Result], problems: list[Problem], file: Path) -> None:
    """A JUnit XML report: one testcase per script, one error per broken file."""
    suite = ET.Element("testsuite", name="conversations")
    failures = 0
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=result.script.path,
            name=result.script.name,
            time=f"{result.seconds:.3f}",
        )
        if result.failure is not None:
            failures += 1
            message = "; ".join(result.failure.errors)
            node = ET.SubElement(case, "failure", message=message)
            node.text = "\n".join(result.failure.report(result.script.path))
    for problem in problems:
        case = ET.SubElement(suite, "testcase", classname=problem.path, name=problem.path)
        ET.SubElement(case, "error", message=problem.format()).text = problem.format()
    suite.set("tests", str(len(results) + len(problems)))
    suite.set("failures", str(failures))
    suite.set("errors", str(len(problems)))
    ET.ElementTree(suite).write(file, encoding="utf-8", xml_declaration=True)


def build_engine(content_root: Path) -> Engine:
    """The engine as `python -m bot chat` builds it, on a fixed clock."""
    from bot.content import load_content
    from bot.matcher import Matcher, MatcherConfig
    from bot.safety import SafetyScreen

    content = load_content(content_root)
    matcher = Matcher(content, MatcherConfig.load())
    return Engine(content, matcher, SafetyScreen(content), clock=lambda: FIXED_NOW)


def run_cli(
    paths: Sequence[Path],
    *,
    content: Path,
    telegram: bool = False,
    junit: Path | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run scripts, print a line per script; exit 0 all passed, 1 any failed, 2 broken input."""
    from bot.content import ContentError

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        engine = build_engine(content)
    except ContentError as error:
        for problem in error.problems:
            print(problem.format(), file=err)
        print("The content has errors; run `python -m bot validate` for the list.", file=err)
        return 2
    scripts, problems = load_all(paths, engine.content)
    for problem in problems:
        print(problem.format(), file=err)
    if not scripts and not problems:
        print("no scripts found in " + ", ".join(str(p) for p in paths), file=err)
        return 2
    results = asyncio.run(_run_all(scripts, engine, telegram=telegram, out=out))
    failed = [r for r in results if not r.passed]
    summary = f"{len(results) - len(failed)} passed, {len(failed)} failed"
    if problems:
        summary += f", {len(problems)} problem(s) in script files"
    print(summary, file=out)
    if junit is not None:
        write_junit(results, problems, junit)
    if problems:
        return 2
    return 1 if failed else 0


async def _run_all(
    scripts: list[Script], engine: Engine, *, telegram: bool, out: TextIO
) -> list[Result]:
    results = []
    for script in scripts:
        result = await run_script(script, engine, telegram=telegram)
        print(result.report(), file=out, flush=True)
        results.append(result)
    return results
