"""One content mistake found by the loader or the validator, as `path:line: message`.

Pure: no I/O. Shared by every stage of content checking so they all report the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger(__name__)

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """A mistake in one file; `path` is relative to the content root, `line` is 1-based."""

    path: str
    line: int
    message: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        """Render as a compiler does, so editors can jump to the line."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


def refusal_lines(problems: list[Problem]) -> list[str]:
    """What validate, start-up and a failed reload all show: each problem, then one summary."""
    errors = sum(p.is_error for p in problems)
    return [
        *(p.format() for p in sorted(problems)),
        f"{errors} error(s): the bot will not load this content until they are fixed. "
        "See docs/operators.md for what each message means.",
    ]


class ContentError(Exception):
    """The content has errors; `problems` lists every one of them (and any warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        shown = "\n".join(p.format() for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} content error(s):\n{shown}{more}")
