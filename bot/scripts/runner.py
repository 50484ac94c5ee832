"""Run scripted conversations script by script, and the `python -m bot test` command around it.

Used by the CLI and by tests/test_scripts.py. Each script gets a fresh memory
store and a fixed clock, so a run is exact and repeatable. The format is in docs/testing.md;
turn checks live in script_outcome.py, drivers in script_driver.py, reports in script_report.py.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.content.problem import Problem
from bot.core.engine import Engine
from bot.scripts.checks import check_ids
from bot.scripts.driver import FIXED_NOW, EngineDriver, TelegramDriver
from bot.scripts.format import Script, Step, find_scripts, load_script
from bot.scripts.outcome import Outcome, check, plain
from bot.scripts.report import Failure, Result, summary, write_junit

__all__ = [
    "FIXED_NOW",
    "EngineDriver",
    "Failure",
    "Outcome",
    "Result",
    "TelegramDriver",
    "TurnError",
    "build_engine",
    "check",
    "display_path",
    "load_all",
    "plain",
    "run_cli",
    "run_script",
    "select_tags",
    "write_junit",
]

log = logging.getLogger(__name__)


class TurnError(Exception):
    """The turn could not be played as written (a button that was not offered)."""


class UnknownTag(ValueError):
    """`--tags` named a tag no script has; str() lists the tags there are."""


def select_tags(scripts: Sequence[Script], tags: Sequence[str]) -> list[Script]:
    """The scripts with any of `tags`; a tag no script has is a typo, so UnknownTag."""
    import difflib

    known = sorted({tag for script in scripts for tag in script.tags})
    unknown = [tag for tag in tags if tag not in known]
    if unknown:
        hints = []
        for tag in unknown:
            close = difflib.get_close_matches(tag, known, n=1)
            hints.append(f"{tag!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        listed = ", ".join(known) if known else "none"
        word = "tag" if len(hints) == 1 else "tags"
        raise UnknownTag(f"unknown {word} {', '.join(hints)}; the scripts' tags are: {listed}")
    return [script for script in scripts if set(script.tags) & set(tags)]


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
            if step.telegram_only and not telegram:
                result.skipped += 1  # the console has no flood guard or edits to test
                continue
            where = (step.chat, step.group)
            try:
                button = _press(step, offered.get(where, [])) if step.action == "press" else None
            except TurnError as error:
                result.failure = Failure(number, step.line, step, [str(error)], None)
                break
            outcome = await driver.play(step, step.chat, button)
            offered[where] = outcome.buttons
            errors = check(step.expect, outcome, engine.content.routes)
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


def build_engine(content_root: Path) -> Engine:
    """The engine as `python -m bot chat` builds it, on a fixed clock."""
    from bot.content.gate import load_content
    from bot.core.matcher import Matcher, MatcherConfig
    from bot.core.safety import SafetyScreen

    content = load_content(content_root)
    matcher = Matcher(content, MatcherConfig.load())
    return Engine(content, matcher, SafetyScreen(content, matcher), clock=lambda: FIXED_NOW)


def engine_or_report(content_root: Path, err: TextIO) -> Engine | None:
    """build_engine, or print the content's problems (as validate would) and return None."""
    from bot.content.gate import ContentError

    try:
        return build_engine(content_root)
    except ContentError as error:
        for problem in error.problems:
            print(problem.format(), file=err)
        print("The content has errors; run `python -m bot validate` for the list.", file=err)
        return None


def run_cli(
    paths: Sequence[Path],
    *,
    content: Path,
    telegram: bool = False,
    junit: Path | None = None,
    tags: Sequence[str] = (),
    whole: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run scripts, print a line per script; exit 0 all passed, 1 any failed, 2 broken input.

    `tags` keeps the scripts with any of them; `whole` prints failing replies in full.
    A known-bug script still failing (XFAIL) does not fail the run; one now passing does.
    """

    out = out or sys.stdout
    err = err or sys.stderr
    engine = engine_or_report(content, err)
    if engine is None:
        return 2
    scripts, problems = load_all(paths, engine.content)
    for problem in problems:
        print(problem.format(), file=err)
    if not scripts and not problems:
        print("no scripts found in " + ", ".join(str(p) for p in paths), file=err)
        return 2
    if tags:
        try:
            chosen = select_tags(scripts, tags)
        except UnknownTag as error:
            print(error, file=err)
            return 2
        print(f"{len(chosen)} of {len(scripts)} script(s) tagged {', '.join(tags)}", file=out)
        scripts = chosen
    results = asyncio.run(_run_all(scripts, engine, telegram=telegram, whole=whole, out=out))
    line = summary(results)
    if problems:
        line += f", {len(problems)} problem(s) in script files"
    print(line, file=out)
    if junit is not None:
        write_junit(results, problems, junit)
    if problems:
        return 2
    return 0 if all(r.ok for r in results) else 1


async def _run_all(
    scripts: list[Script], engine: Engine, *, telegram: bool, whole: bool, out: TextIO
) -> list[Result]:
    results = []
    for script in scripts:
        result = await run_script(script, engine, telegram=telegram)
        print(result.report(whole=whole), file=out, flush=True)
        results.append(result)
    return results
