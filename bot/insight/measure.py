"""Gather what the manager's report shows: figures, confusions, a threshold sweep, a version.

Runs the pipeline it is handed over labelled rows; reads only the content files (for the
version hash). Never touches a live database.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.compose import SAFETY_INTENT_IDS
from bot.core.model import Content, Match
from bot.core.safety import SafetyHit, SafetyScreen
from bot.insight.evaluate import Pipeline, Report, evaluate

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
OFFERED = "offered"  # the right topic was among the buttons: one tap away
WRONG_OFFER = "clarify"  # buttons were shown, none of them the right topic
NO_MATCH = "no_match"
COLUMN_NAMES = {
    OUT_OF_SCOPE: "Everyday messages (out of scope)",
    OFFERED: "offered (right)",
    WRONG_OFFER: "offered (wrong)",
    NO_MATCH: "no match",
}
ALSO_RIGHT = ((OUT_OF_SCOPE, NO_MATCH),)  # an everyday message should get no topic
SWEEP_STEPS = (-15, -12, -9, -6, -3, 0, 3, 6, 9, 12, 15)


@dataclass(frozen=True)
class SweepPoint:
    """One `match_threshold` and what it would give on the labelled set."""

    threshold: float
    accuracy: float
    false_positives: float


@dataclass(frozen=True)
class Confusion:
    expected: str
    got: str
    count: int
    where: tuple[str, ...]


def content_version(root: Path, content: Content) -> dict[str, object]:
    """A short hash over the content files' bytes, plus how many intents and examples."""
    digest = hashlib.sha256()
    for folder in ("intents", "responses"):
        for path in sorted((root / folder).rglob("*.yaml")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return {
        "hash": digest.hexdigest()[:10],
        "intents": len(content.intents),
        "examples": sum(len(intent.examples) for intent in content.intents.values()),
    }


def topic_order(content: Content) -> list[str]:
    """Crimes grouped by kind of harm, then the service topics, then the two crisis topics."""

    def key(intent_id: str) -> tuple[int, str, str]:
        intent = content.intents[intent_id]
        rank = 2 if intent_id in SAFETY_INTENT_IDS else (0 if intent.kind == "crime" else 1)
        return rank, intent.group or "", intent_id

    return sorted(content.intents, key=key)


def out_of_scope_matches(report: Report) -> Counter[str]:
    """Everyday messages matched to each intent: what is left of `predicted` after in-domain."""
    found: Counter[str] = Counter()
    for intent, count in report.predicted.items():
        wrong_in_domain = sum(n for (_, got), n in report.confused.items() if got == intent)
        rest = count - report.per_intent.get(intent, [0, 0])[0] - wrong_in_domain
        if rest:
            found[intent] = rest
    return found


def confusion_cells(report: Report, order: Sequence[str]) -> tuple[list, list, dict]:
    """Rows, columns and counts of the confusion matrix: only topics that occur."""
    counts: Counter[tuple[str, str]] = Counter()
    for intent, (right, total) in report.per_intent.items():
        counts[(intent, intent)] += right
        wrong = sum(n for (expected, _), n in report.confused.items() if expected == intent)
        counts[(intent, OFFERED)] += total - right - wrong
    counts.update(report.confused)
    for intent, n in out_of_scope_matches(report).items():
        counts[(OUT_OF_SCOPE, intent)] += n
    if report.oos_total:
        counts[(OUT_OF_SCOPE, WRONG_OFFER)] += report.oos_offered
        counts[(OUT_OF_SCOPE, NO_MATCH)] += (
            report.oos_total - report.oos_offered - report.oos_false
        )
    cells = {key: n for key, n in counts.items() if n}
    seen = {name for key in cells for name in key}
    topics = [t for t in order if t in seen and t not in COLUMN_NAMES]
    topics += sorted(seen - set(order) - set(COLUMN_NAMES))
    rows = topics + ([OUT_OF_SCOPE] if OUT_OF_SCOPE in seen else [])
    columns = topics + [c for c in (OFFERED, WRONG_OFFER, NO_MATCH) if c in seen]
    return rows, columns, cells


def worst_confusions(report: Report, root: Path, limit: int = 12) -> list[Confusion]:
    """The commonest mistakes, in-domain and everyday messages alike, with where to look."""
    mistakes = Counter(report.confused)
    mistakes.update({(OUT_OF_SCOPE, got): n for got, n in out_of_scope_matches(report).items()})
    return [
        Confusion(expected, got, n, tuple(short_path(w, root) for w in report.examples[key]))
        for key, n in mistakes.most_common(limit)
        for expected, got in [key]
    ]


def short_path(where: str, root: Path) -> str:
    """`file:line` relative to the project, when it lies inside it."""
    path, _, line = where.rpartition(":")
    try:
        return f"{Path(path).resolve().relative_to(root.resolve()).as_posix()}:{line}"
    except ValueError:
        return where


def thresholds_around(shipped: float) -> list[float]:
    return [shipped + step for step in SWEEP_STEPS if shipped + step > 0]


def sweep(
    pipeline: Pipeline, rows: Sequence[Mapping[str, object]], thresholds: Sequence[float]
) -> list[SweepPoint]:
    """Re-run the pipeline with each `match_threshold`; nothing is rebuilt, only the config.

    Each message is screened and scored once: the thresholds are tried one after another on
    the same message, so the matcher's score for it is reused.
    """
    wanted = [row for row in rows if row.get("set") in ("in_domain", OUT_OF_SCOPE)]
    matcher = copy.copy(pipeline.matcher)  # shares the index; the original stays untouched
    replay = Pipeline(matcher, _ScreenedOnce(pipeline.screen))  # type: ignore[arg-type]
    configs = {t: replace(pipeline.matcher.config, match_threshold=t) for t in thresholds}
    answers: dict[float, dict[str, tuple[Match, str | None]]] = {t: {} for t in thresholds}
    for row in wanted:
        text = str(row["text"])
        for threshold, config in configs.items():
            matcher.config = config
            answers[threshold][text] = replay.classify(text)
    points = []
    for threshold in thresholds:
        figures = evaluate(_Replay(answers[threshold]), wanted).figures()  # type: ignore[arg-type]
        points.append(
            SweepPoint(
                threshold, figures["in_domain_accuracy"], figures["out_of_scope_false_positives"]
            )
        )
    return points


class _ScreenedOnce:
    """The safety screen, asked once per message: its verdict does not depend on thresholds."""

    def __init__(self, screen: SafetyScreen) -> None:
        self._screen = screen
        self._last: tuple[str, SafetyHit | None] | None = None

    def check(self, text: str) -> SafetyHit | None:
        if self._last is None or self._last[0] != text:
            self._last = (text, self._screen.check(text))
        return self._last[1]


class _Replay:
    """Answers already worked out, handed to `evaluate` as if it were a pipeline."""

    def __init__(self, answers: Mapping[str, tuple[Match, str | None]]) -> None:
        self._answers = answers

    def classify(self, text: str, *, explain: bool = False) -> tuple[Match, str | None]:
        return self._answers[text]
