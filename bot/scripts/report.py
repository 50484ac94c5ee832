"""Report scripted-conversation results: PASS/FAIL/XFAIL/XPASS lines with reasons, and JUnit XML.

Builds text and files only; the runner decides where they go. A script tagged `known-bug`
is an expected failure (XFAIL, the run still passes); once it passes (XPASS) the run fails
with FIXED, because while the tag stays the script cannot catch the bug coming back.
tests/test_scripts.py gives pytest the same verdicts (strict xfail, reason FIXED).
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from bot.content.problem import Problem
from bot.scripts.model import Script, Step
from bot.scripts.outcome import Outcome

log = logging.getLogger(__name__)

FIXED = "fixed? this known-bug script now passes: remove the tag"
STILL = "known-bug, still failing"
PASS, FAIL, XFAIL, XPASS = "PASS", "FAIL", "XFAIL", "XPASS"


@dataclass(frozen=True)
class Failure:
    turn: int  # 1-based
    line: int
    step: Step
    errors: list[str]
    outcome: Outcome | None

    def report(self, path: str, *, whole: bool = False) -> list[str]:
        lines = [f"{path}:{self.line}: turn {self.turn} ({self.step.describe()})"]
        lines += [f"  {e}" for e in self.errors]
        if self.outcome is not None:
            lines += [f"  {d}" for d in self.outcome.describe(whole=whole)]
        return lines


@dataclass
class Result:
    script: Script
    failure: Failure | None = None
    seconds: float = 0.0
    skipped: int = 0  # Telegram-only turns not played by the console run

    @property
    def passed(self) -> bool:
        """Every turn did what the script says (whatever the tags)."""
        return self.failure is None

    @property
    def verdict(self) -> str:
        """PASS or FAIL; for a `known-bug` script XFAIL (still failing) or XPASS (fixed)."""
        if self.script.known_bug:
            return XPASS if self.passed else XFAIL
        return PASS if self.passed else FAIL

    @property
    def ok(self) -> bool:
        """The run can still pass: PASS, or a known bug that is still there (XFAIL)."""
        return self.verdict in {PASS, XFAIL}

    def report(self, *, whole: bool = False) -> str:
        """The verdict line, and for a failure where and why (`whole`: the replies in full)."""
        bug = " [known-bug]" if self.script.known_bug else ""
        skipped = f" ({self.skipped} Telegram-only turn(s) skipped)" if self.skipped else ""
        lines = [f"{self.verdict} {self.script.name} ({self.script.path}){bug}{skipped}"]
        if self.verdict == XPASS:
            lines.append(f"    {FIXED} from {self.script.path}")
        if self.failure is not None:
            lines += [f"    {line}" for line in self.failure.report(self.script.path, whole=whole)]
        return "\n".join(lines)


def summary(results: list[Result]) -> str:
    """The last line of a run: counts per verdict, saying what to do about an XPASS."""
    count = {word: sum(r.verdict == word for r in results) for word in (PASS, FAIL, XFAIL, XPASS)}
    line = f"{count[PASS]} passed, {count[FAIL]} failed"
    if count[XFAIL]:
        line += f", {count[XFAIL]} known bug(s) still failing (XFAIL)"
    if count[XPASS]:
        line += f", {count[XPASS]} known-bug script(s) now passing (XPASS): remove the tag"
    return line


def write_junit(results: list[Result], problems: list[Problem], file: Path) -> None:
    """A JUnit XML report: one testcase per script, one error per broken file.

    Verdicts map as pytest's junitxml maps them: XFAIL is a skipped test, XPASS a failure.
    Failure texts carry the replies whole: a CI page has room, and no `-v` to run again.
    """
    suite = ET.Element("testsuite", name="conversations")
    failures = skipped = 0
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=result.script.path,
            name=result.script.name,
            time=f"{result.seconds:.3f}",
        )
        report = result.report(whole=True)
        if result.verdict == FAIL and result.failure is not None:
            failures += 1
            message = "; ".join(result.failure.errors)
            ET.SubElement(case, "failure", message=message).text = report
        elif result.verdict == XPASS:
            failures += 1
            message = f"{FIXED} from {result.script.path}"
            ET.SubElement(case, "failure", type="xpass", message=message).text = report
        elif result.verdict == XFAIL and result.failure is not None:
            skipped += 1
            message = f"{STILL}: " + "; ".join(result.failure.errors)
            ET.SubElement(case, "skipped", type="xfail", message=message).text = report
    for problem in problems:
        case = ET.SubElement(suite, "testcase", classname=problem.path, name=problem.path)
        ET.SubElement(case, "error", message=problem.format()).text = problem.format()
    suite.set("tests", str(len(results) + len(problems)))
    suite.set("failures", str(failures))
    suite.set("errors", str(len(problems)))
    suite.set("skipped", str(skipped))
    ET.ElementTree(suite).write(file, encoding="utf-8", xml_declaration=True)
