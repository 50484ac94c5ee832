"""`classify` and `eval`: the matcher and safety screen as a stream, and their measured quality.

Pure apart from the streams handed in: reads lines, writes lines, never touches stdout itself.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.core.matcher import Matcher
from bot.core.model import Match
from bot.core.safety import SafetyScreen
from bot.insight.misses import NOT_CRISIS, OUT_OF_SCOPE, Miss, print_misses, untested_intents

WHERE = "_where"  # file:line of a labelled row, added by read_labelled
DEFAULT_FLOORS: dict[str, float] = {
    "in_domain_accuracy": 0.92,
    "out_of_scope_false_positives": 0.05,
    "crisis_recall": 1.0,
    "crisis_false_alarms": 0.05,
    "one_tap_accuracy": 0.95,
    "out_of_scope_offered": 0.334,
}


class Pipeline:
    """The safety screen, then the matcher: exactly the order the engine uses."""

    def __init__(self, matcher: Matcher, screen: SafetyScreen) -> None:
        self.matcher = matcher
        self.screen = screen

    def classify(self, text: str, *, explain: bool = False) -> tuple[Match, str | None]:
        """Return the match and, when the safety screen fired, its kind."""
        hit = self.screen.check(text)
        match = self.matcher.classify(text, explain=explain)
        if hit is None:
            return match, None
        evidence = {"safety_phrase": hit.phrase, **(match.evidence or {})} if explain else None
        return Match(hit.kind, 100.0, "matched", match.alternatives, evidence), hit.kind


def match_to_json(text: str, match: Match, safety: str | None) -> dict[str, object]:
    data: dict[str, object] = {
        "text": text,
        "intent": match.intent,
        "score": match.score,
        "decision": match.decision,
        "alternatives": [{"intent": c.intent, "score": c.score} for c in match.alternatives],
        "offered": list(match.offered),
        "safety": safety is not None,
    }
    if match.evidence is not None:
        data["evidence"] = match.evidence
    return data


def message_text(line: str) -> str:
    """The message on one input line: a JSON object's "text" (JSONL), else the line itself.

    Decided per line, so a file of JSONL and a file of plain messages both work, and a plain
    message that merely starts with "{" is still classified as typed.
    """
    text = line.rstrip("\r\n")
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return text
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return data["text"]
    return text


def run_classify(pipeline: Pipeline, lines: Iterable[str], out: TextIO, *, explain: bool) -> int:
    """One JSON line out per line in, flushed at once so it can sit in a pipe."""
    from bot.insight.explain import explain as explain_match

    for raw in lines:
        text = message_text(raw)
        match, safety = pipeline.classify(text, explain=explain)
        data = match_to_json(text, match, safety)
        if explain:
            data["evidence"] = {
                **(match.evidence or {}),
                **explain_match(pipeline.matcher, text, match, safety),
            }
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        out.flush()
    return 0


@dataclass
class Report:
    """Counts gathered over a labelled set."""

    in_total: int = 0
    in_correct: int = 0
    in_one_tap: int = 0  # right at once, or the right topic among the buttons offered
    per_intent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confused: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Every in-domain or out-of-scope message matched to each intent: precision's denominator.
    predicted: Counter[str] = field(default_factory=Counter)
    # Up to 3 `file:line` per (expected, got), from the rows' WHERE (read_labelled).
    examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    oos_total: int = 0
    oos_false: int = 0
    oos_offered: int = 0
    crisis_total: int = 0
    crisis_caught: int = 0
    crisis_missed: list[str] = field(default_factory=list)
    calm_total: int = 0
    calm_alarms: int = 0
    calm_alarm_texts: list[str] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)  # every wrong answer, for --misses
    labelled: set[str] = field(default_factory=set)  # intents the set has a message for

    def figures(self) -> dict[str, float]:
        def share(part: int, whole: int, empty: float) -> float:
            return part / whole if whole else empty

        return {
            "in_domain_accuracy": share(self.in_correct, self.in_total, 1.0),
            "one_tap_accuracy": share(self.in_one_tap, self.in_total, 1.0),
            "out_of_scope_offered": share(self.oos_offered, self.oos_total, 0.0),
            "out_of_scope_false_positives": share(self.oos_false, self.oos_total, 0.0),
            "crisis_recall": share(self.crisis_caught, self.crisis_total, 1.0),
            "crisis_false_alarms": share(self.calm_alarms, self.calm_total, 0.0),
        }

    def precision(self) -> dict[str, float]:
        """Per intent: of the messages matched to it, the share that really were about it."""
        return {
            intent: self.per_intent.get(intent, [0, 0])[0] / count
            for intent, count in self.predicted.items()
        }

    def _note(self, key: tuple[str, str], where: object) -> None:
        if where is not None and len(self.examples[key]) < 3:
            self.examples[key].append(str(where))


def read_labelled(paths: Iterable[Path]) -> list[dict[str, object]]:
    """Read JSONL rows; with `where`, each row also gets "where": "file:line" for reports."""
    rows: list[dict[str, object]] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from None
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    raise ValueError(f'{path}:{number}: expected {{"text": ..., "set": ...}}')
                rows.append({**row, WHERE: f"{_shown(path)}:{number}"})
    return rows


def _shown(path: Path) -> str:
    """A path as an operator would type it: relative to the current folder when inside it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def evaluate(pipeline: Pipeline, rows: Iterable[Mapping[str, object]]) -> Report:
    """Run every labelled message through the pipeline and count what it got right."""
    report = Report()
    for row in rows:
        text, label, kind = str(row["text"]), row.get("intent"), row.get("set")
        match, safety = pipeline.classify(text)
        predicted = match.intent if match.decision == "matched" else None
        if predicted is not None and kind in ("in_domain", "out_of_scope"):
            report.predicted[predicted] += 1
        expected = {"out_of_scope": OUT_OF_SCOPE, "not_crisis": NOT_CRISIS}.get(str(kind))
        if label is not None:
            report.labelled.add(str(label))
        wrong = (
            (kind == "in_domain" and predicted != label)
            or (kind == "crisis" and safety is None)
            or (kind == "out_of_scope" and predicted is not None)
            or (kind == "not_crisis" and safety is not None)
        )
        if wrong:
            where = str(row.get(WHERE, "?"))
            report.misses.append(Miss(where, expected or str(label), match, safety, text))
        if kind == "in_domain":
            report.in_total += 1
            counts = report.per_intent[str(label)]
            counts[1] += 1
            if predicted == label:
                report.in_correct += 1
                counts[0] += 1
            if predicted == label or label in match.offered:
                report.in_one_tap += 1
            else:
                key = (str(label), str(predicted or match.decision))
                report.confused[key] += 1
                report._note(key, row.get(WHERE))
        elif kind == "out_of_scope":
            report.oos_total += 1
            report.oos_false += predicted is not None
            if predicted is not None:
                report._note(("out_of_scope", predicted), row.get(WHERE))
            report.oos_offered += bool(match.offered)
        elif kind == "crisis":
            report.crisis_total += 1
            if safety is not None:
                report.crisis_caught += 1
            else:
                report.crisis_missed.append(text)
        elif kind == "not_crisis":
            report.calm_total += 1
            if safety is not None:
                report.calm_alarms += 1
                report.calm_alarm_texts.append(text)
    return report


def print_report(
    report: Report,
    floors: Mapping[str, float],
    out: TextIO,
    *,
    misses: bool = False,
    intents: Iterable[str] = (),
) -> int:
    """Print the figures and return 1 when any is below its floor.

    `intents` (the catalog's topics) turns on a warning for each one the set never tests;
    `misses` adds every wrong message with its file:line.
    """
    figures = report.figures()
    out.write(
        f"in-domain accuracy      {figures['in_domain_accuracy']:7.1%}  "
        f"({report.in_correct}/{report.in_total})\n"
    )
    out.write(
        f"out-of-scope false pos. {figures['out_of_scope_false_positives']:7.1%}  "
        f"({report.oos_false}/{report.oos_total})\n"
    )
    out.write(
        f"one-tap accuracy        {figures['one_tap_accuracy']:7.1%}  "
        f"({report.in_one_tap}/{report.in_total}; right at once or among the topics offered)\n"
    )
    out.write(
        f"out-of-scope offered    {figures['out_of_scope_offered']:7.1%}  "
        f"({report.oos_offered}/{report.oos_total} shown 'is it one of these?')\n"
    )
    out.write(
        f"crisis recall           {figures['crisis_recall']:7.1%}  "
        f"({report.crisis_caught}/{report.crisis_total})\n"
    )
    out.write(
        f"crisis false alarms     {figures['crisis_false_alarms']:7.1%}  "
        f"({report.calm_alarms}/{report.calm_total})\n"
    )
    out.write("\nper-intent recall (lowest first):\n")
    for intent, (right, total) in sorted(
        report.per_intent.items(), key=lambda kv: kv[1][0] / kv[1][1]
    ):
        out.write(f"  {intent:28} {right / total:6.1%}  ({right}/{total})\n")
    out.write("\nmost confused first (expected -> got), every pair:\n")
    for (expected, got), count in sorted(report.confused.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"  {count:3}  {expected} -> {got}\n")
    for text in report.crisis_missed:
        out.write(f"MISSED CRISIS: {text}\n")
    for text in report.calm_alarm_texts:
        out.write(f"false alarm: {text}\n")
    if misses:
        print_misses(report.misses, out)
    for intent in untested_intents(intents, report.labelled):
        out.write(
            f"warning: intent {intent!r} has no labelled test message in the sets read: "
            "its accuracy is not measured (add a few lines for it)\n"
        )
    failed = [
        name
        for name, floor in floors.items()
        if (
            figures[name] > floor
            if name.endswith(("positives", "alarms", "offered"))
            else figures[name] < floor
        )
    ]
    for name in failed:
        out.write(f"BELOW FLOOR: {name} = {figures[name]:.1%} (floor {floors[name]:.1%})\n")
    return 1 if failed else 0
