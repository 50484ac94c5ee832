"""`eval --self`: would the bot understand its own examples if it had never seen them?

Boundary: reads the content through the gate; writes only to the stream handed in.
True leave-one-out would build ~5,000 matchers. Instead the examples are dealt into K folds;
each fold is scored by a matcher built from the other folds, so every example is judged by
an index that does not contain it (the same answer for all but near-duplicate examples).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.content.gate import gate
from bot.content.problem import refusal_lines
from bot.content.reader import INTENTS_DIR
from bot.core.matcher import Matcher, MatcherConfig
from bot.core.model import Content
from bot.core.safety import SafetyScreen
from bot.insight.evaluate import Pipeline

log = logging.getLogger(__name__)

FOLDS = 10
SHOWN_CHARS = 80


@dataclass(frozen=True)
class Stray:
    """An example of `intent` that a matcher built without it gives to `went_to`."""

    path: str
    line: int
    intent: str
    text: str
    went_to: str
    score: float

    def format(self) -> str:
        text = " ".join(self.text.split())
        if len(text) > SHOWN_CHARS:
            text = text[: SHOWN_CHARS - 3].rstrip() + "..."
        return f'{self.path}:{self.line}: "{text}" -> went to {self.went_to} ({self.score:.1f})'


def _without(content: Content, held: set[tuple[str, int]]) -> Content:
    intents = {
        intent_id: dataclasses.replace(
            intent,
            examples=tuple(e for i, e in enumerate(intent.examples) if (intent_id, i) not in held),
        )
        for intent_id, intent in content.intents.items()
    }
    return dataclasses.replace(content, intents=intents)


def self_check(
    content: Content,
    config: MatcherConfig,
    lines: dict[tuple[str, int], int] | None = None,
    *,
    folds: int = FOLDS,
) -> tuple[list[Stray], Counter[str]]:
    """Every example a matcher built without it gives to another intent; examples per intent."""
    places = [
        (intent_id, i)
        for intent_id in sorted(content.intents)
        for i in range(len(content.intents[intent_id].examples))
    ]
    totals = Counter(intent_id for intent_id, _ in places)
    strays: list[Stray] = []
    for fold in range(folds):
        held = places[fold::folds]
        fold_content = _without(content, set(held))
        matcher = Matcher(fold_content, config)
        # The safety screen first, as in a real conversation: crisis examples count as caught
        # when the screen fires on them, whichever way the matcher alone would lean.
        pipeline = Pipeline(matcher, SafetyScreen(fold_content, matcher))
        for intent_id, i in held:
            text = content.intents[intent_id].examples[i]
            match, _safety = pipeline.classify(text)
            if match.decision == "matched" and match.intent not in (None, intent_id):
                line = (lines or {}).get((intent_id, i), 1)
                path = f"{INTENTS_DIR}/{intent_id}.yaml"
                strays.append(Stray(path, line, intent_id, text, str(match.intent), match.score))
    strays.sort(key=lambda s: (s.path, s.line))
    return strays, totals


def run_self_check(
    root: Path, out: TextIO, err: TextIO, *, folds: int = FOLDS, contract: bool = True
) -> int:
    """Print the strays, one summary line per intent and a total; 1 only if content is bad."""
    gated = gate(Path(root), contract=contract)
    if gated.content is None or gated.tree is None:
        for line in refusal_lines(gated.problems):
            print(line, file=err)
        return 1
    lines = {
        (stem, i): doc.line(("examples", i))
        for stem, (doc, model) in gated.tree.intents.items()
        for i in range(len(model.examples))
    }
    started = time.perf_counter()
    strays, totals = self_check(gated.content, MatcherConfig.load(), lines, folds=folds)
    out.write(
        f"Each example was scored by a matcher built without it ({folds}-fold: the examples "
        f"are split into {folds} parts and each part is tested against the other "
        f"{folds - 1}).\nExamples the bot would give to another intent:\n"
    )
    for stray in strays:
        out.write(stray.format() + "\n")
    out.write("\nper intent:\n")
    went = Counter(s.intent for s in strays)
    for intent_id in sorted(totals):
        count, total = went[intent_id], totals[intent_id]
        targets = Counter(s.went_to for s in strays if s.intent == intent_id).most_common(3)
        to = ", ".join(f"{name} {n}" for name, n in targets)
        out.write(
            f"  {intent_id:28} {count:3} of {total:4} went elsewhere "
            f"({count / total if total else 0:5.1%}){f'  (to {to})' if to else ''}\n"
        )
    total = sum(totals.values())
    out.write(
        f"{len(strays)} of {total} examples ({len(strays) / (total or 1):.1%}) went to another "
        f"intent ({time.perf_counter() - started:.0f} s). Move or reword those that belong "
        "elsewhere; add examples where an intent loses many.\n"
    )
    return 0
