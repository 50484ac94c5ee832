"""The labelled development set: big enough, balanced, and independent of the examples."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from bot.content.contract import REQUIRED_CRIME, REQUIRED_SERVICE
from bot.core.model import Content
from bot.core.normalize import normalize

DATA = Path(__file__).parent / "data"
# A dev message this close to a training example is a copy, and would flatter the matcher.
SIMILARITY_CEILING = 88
# "hi" and "thanks" are the same message whoever writes them; the ceiling is for sentences.
MIN_WORDS = 4


def rows(name: str) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


class TestDevSet:
    def test_in_domain_covers_every_intent(self) -> None:
        """At least 500 in-domain messages, 12 or more for every intent."""
        in_domain = rows("in_domain.jsonl")
        counts = Counter(r["intent"] for r in in_domain)
        assert len(in_domain) >= 500
        for intent in (*REQUIRED_CRIME, *REQUIRED_SERVICE):
            assert counts[intent] >= 12, intent

    def test_a_quarter_have_typos(self) -> None:
        """Typos are common in real messages, so at least a quarter of the set has them."""
        in_domain = rows("in_domain.jsonl")
        assert sum(r["typo"] for r in in_domain) >= len(in_domain) / 4

    def test_out_of_scope_and_crisis_sizes(self) -> None:
        """200+ out-of-scope lines, 40+ crisis and 40+ calm lines."""
        assert len(rows("out_of_scope.jsonl")) >= 200
        crisis = Counter(r["set"] for r in rows("crisis.jsonl"))
        assert crisis["crisis"] >= 40
        assert crisis["not_crisis"] >= 40

    def test_no_dev_message_copies_a_training_example(self, content: Content) -> None:
        """Every dev sentence stays below the similarity ceiling against every example."""
        examples = [normalize(e) for i in content.intents.values() for e in i.examples]
        texts = [
            normalize(r["text"])
            for name in ("in_domain.jsonl", "out_of_scope.jsonl", "crisis.jsonl")
            for r in rows(name)
            if len(normalize(r["text"]).split()) >= MIN_WORDS
        ]
        scores = process.cdist(texts, examples, scorer=fuzz.ratio, dtype=np.uint8, workers=-1)
        worst = scores.max(axis=1)
        copies = [(texts[i], int(worst[i])) for i in np.flatnonzero(worst >= SIMILARITY_CEILING)]
        assert not copies, copies[:5]

    @pytest.mark.parametrize("name", ["in_domain.jsonl", "out_of_scope.jsonl", "crisis.jsonl"])
    def test_labels_are_known_intents(self, content: Content, name: str) -> None:
        """A label that is not an intent would silently count as an error."""
        for row in rows(name):
            assert row.get("intent") is None or row["intent"] in content.intents, row
