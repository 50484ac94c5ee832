"""`eval --misses`: every message the bot got wrong, as a line an editor can jump to.

Pure: formats what `bot.insight.evaluate.evaluate` recorded; writes only to the stream handed in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from bot.core.model import Match

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out of scope"
NOT_CRISIS = "not a crisis"


@dataclass(frozen=True)
class Miss:
    """One labelled message the pipeline answered differently from its label."""

    where: str  # "tests/data/in_domain.jsonl:12"
    expected: str
    match: Match
    safety: str | None
    text: str

    @property
    def got(self) -> str:
        if self.safety is not None:
            return self.safety
        if self.match.decision == "matched" and self.match.intent:
            return self.match.intent
        if self.match.offered:
            return "offered " + ", ".join(self.match.offered)
        return "no match"

    def line(self) -> str:
        """`FILE:LINE: expected X, got Y (score S; runner-up Z T)`, the message indented below."""
        top = self.match.alternatives
        if self.safety is not None:
            detail = "the crisis screen fired"
        elif not top or top[0].score <= 0:
            detail = "no topic scored"
        else:
            first = top[0]
            matched = self.match.decision == "matched"
            detail = (
                f"score {first.score:.1f}" if matched else f"best {first.intent} {first.score:.1f}"
            )
            if len(top) > 1:
                detail += f"; runner-up {top[1].intent} {top[1].score:.1f}"
        return (
            f"{self.where}: expected {self.expected}, got {self.got} ({detail})\n    {self.text}"
        )


def _place_key(miss: Miss) -> tuple[str, str, int]:
    path, _, line = miss.where.rpartition(":")
    return miss.expected, path, int(line) if line.isdigit() else 0


def print_misses(misses: Iterable[Miss], out: TextIO) -> None:
    """All misses, grouped by the intent they should have been, in file order within each."""
    ordered = sorted(misses, key=_place_key)
    out.write(f"\n{len(ordered)} message(s) the bot got wrong (expected -> got):\n")
    for miss in ordered:
        out.write(miss.line() + "\n")


def untested_intents(intent_ids: Iterable[str], labelled: Iterable[str]) -> list[str]:
    """Intents no labelled message in the sets read is about: their quality is unmeasured."""
    seen = set(labelled)
    return sorted(i for i in intent_ids if i not in seen)
