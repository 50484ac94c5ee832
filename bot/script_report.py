"""Report scripted-conversation results: PASS/FAIL lines with reasons, and JUnit XML.

Builds text and files only; the runner decides where they go.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from bot.problem import Problem
from bot.script_model import Script, Step
from bot.script_outcome import Outcome

log = logging.getLogger(__name__)


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
    skipped: int = 0  # Telegram-only turns not played by the console run

    @property
    def passed(self) -> bool:
        return self.failure is None

    def report(self) -> str:
        """The PASS/FAIL line, and for a failure where and why."""
        word = "PASS" if self.passed else "FAIL"
        bug = " [known-bug]" if self.script.known_bug else ""
        skipped = f" ({self.skipped} Telegram-only turn(s) skipped)" if self.skipped else ""
        lines = [f"{word} {self.script.name} ({self.script.path}){bug}{skipped}"]
        if self.failure is not None:
            lines += [f"    {line}" for line in self.failure.report(self.script.path)]
        return "\n".join(lines)


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
