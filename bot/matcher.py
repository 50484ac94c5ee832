"""Work out which intent a message is about, with typo-tolerant fuzzy matching.

Pure and synchronous: no I/O after construction, no network, no model download. The index is
built once per catalog; each message is scored with rapidfuzz's batch `cdist` against every
keyword and every example at once, never a Python loop over examples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.model import Candidate, Content, Match
from bot.normalize import normalize

CONFIG_PATH = Path(__file__).resolve().parent.parent / "config" / "matcher.yaml"

# Words that say nothing about which crime it was; dropping them lets content words decide.
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be because been before being
    but by can could did do does doing for from had has have having he her here him his how
    i if in into is it its just me more my myself no not now of off on one or our out over
    please really so some such than that the their them then there these they this those to
    too up us very was we were what when where which while who why will with would you your
    yours got get gets getting just like im ive oh ok okay well still even only""".split()
)


@dataclass(frozen=True)
class MatcherConfig:
    """Thresholds and weights, tuned on tests/data and kept in config/matcher.yaml."""

    keyword_cutoff: float = 86.0  # fuzz.ratio needed for a keyword of 7+ letters
    keyword_cutoff_short: float = 92.0  # for keywords of 5-6 letters
    exact_below: int = 5  # keywords shorter than this must match exactly
    keyword_bonus: float = 4.0  # per extra distinct keyword of the same intent
    keyword_weight: float = 0.45
    example_weight: float = 0.55
    example_top_k: int = 2
    chunk_words: int = 24  # long messages are scored in overlapping windows of this size
    chunk_step: int = 12
    match_threshold: float = 55.0
    ambiguity_floor: float = 42.0
    margin: float = 6.0
    max_alternatives: int = 3
    floors: Mapping[str, float] | None = None  # eval floors, read by `bot eval`

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> MatcherConfig:
        """Read the tuned values; a missing file means the defaults above."""
        if not path.exists():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(**data)


def content_words(text: str) -> list[str]:
    """Return the normalised words that carry meaning, in order."""
    return [word for word in normalize(text).split() if word not in STOPWORDS]


def _sorted_key(words: Iterable[str]) -> str:
    """Sort and de-duplicate words so that word order does not change the similarity."""
    return " ".join(sorted(set(words)))


class Matcher:
    """Scores a message against a catalog; build once, call `classify` many times."""

    def __init__(self, content: Content, config: MatcherConfig | None = None) -> None:
        self.config = config or MatcherConfig()
        self.intent_ids: list[str] = sorted(content.intents)
        examples: list[str] = []
        example_owner: list[int] = []
        self._example_text: list[str] = []
        keywords: list[str] = []
        keyword_owner: list[int] = []
        for index, intent_id in enumerate(self.intent_ids):
            intent = content.intents[intent_id]
            for example in intent.examples:
                words = content_words(example)
                if words:
                    examples.append(_sorted_key(words))
                    example_owner.append(index)
                    self._example_text.append(example)
            for keyword in dict.fromkeys(normalize(k) for k in intent.keywords):
                if keyword:
                    keywords.append(keyword)
                    keyword_owner.append(index)
        self._examples = examples
        self._example_owner = np.asarray(example_owner, dtype=np.intp)
        self._keywords = keywords
        self._keyword_owner = np.asarray(keyword_owner, dtype=np.intp)
        self._keyword_cutoffs = np.asarray(
            [self._cutoff_for(k) for k in keywords], dtype=np.float32
        )
        self._max_ngram = max((k.count(" ") + 1 for k in keywords), default=1)
        counts = np.bincount(self._example_owner, minlength=len(self.intent_ids))
        self._example_starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
        self._example_counts = counts

    def _cutoff_for(self, keyword: str) -> float:
        letters = len(keyword.replace(" ", ""))
        if letters < self.config.exact_below:
            return 100.0
        if letters < 7:
            return self.config.keyword_cutoff_short
        return self.config.keyword_cutoff

    # ------------------------------------------------------------ scoring

    def _keyword_scores(self, words: list[str]) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Best fuzzy hit per intent over every n-gram of the message, plus the hits."""
        scores = np.zeros(len(self.intent_ids), dtype=np.float32)
        if not words or not self._keywords:
            return scores, []
        grams = list(
            dict.fromkeys(
                " ".join(words[i : i + n])
                for n in range(1, self._max_ngram + 1)
                for i in range(len(words) - n + 1)
            )
        )
        matrix = process.cdist(
            self._keywords,
            grams,
            scorer=fuzz.ratio,
            score_cutoff=min(self.config.keyword_cutoff, self.config.keyword_cutoff_short),
            dtype=np.uint8,
            workers=1,
        )
        best = matrix.max(axis=1).astype(np.float32)
        hit = best >= self._keyword_cutoffs
        if not hit.any():
            return scores, []
        hit_index = np.flatnonzero(hit)
        owners = self._keyword_owner[hit_index]
        np.maximum.at(scores, owners, best[hit_index])
        extra = np.bincount(owners, minlength=len(scores)).astype(np.float32) - 1
        scores = np.where(
            scores > 0, np.minimum(100, scores + self.config.keyword_bonus * extra), 0
        )
        hits = [(self.intent_ids[self._keyword_owner[i]], self._keywords[i]) for i in hit_index]
        return scores, hits

    def _chunks(self, words: list[str]) -> list[str]:
        size, step = self.config.chunk_words, self.config.chunk_step
        if len(words) <= size + step:
            return [_sorted_key(words)]
        starts = range(0, len(words) - size + step, step)
        return list(dict.fromkeys(_sorted_key(words[s : s + size]) for s in starts))

    def _example_scores(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per-intent similarity to the examples: mean of the best k, best window of the text."""
        if not words or not self._examples:
            return np.zeros(len(self.intent_ids), dtype=np.float32), np.zeros(0)
        matrix = process.cdist(
            self._chunks(words), self._examples, scorer=fuzz.ratio, dtype=np.float32, workers=1
        )
        per_example = matrix.max(axis=0)
        k = self.config.example_top_k
        scores = np.zeros(len(self.intent_ids), dtype=np.float32)
        for index, (start, count) in enumerate(
            zip(self._example_starts, self._example_counts, strict=True)
        ):
            if count:
                block = per_example[start : start + count]
                top = np.partition(block, -min(k, count))[-min(k, count) :]
                scores[index] = top.mean()
        return scores, per_example

    def scores(self, text: str) -> dict[str, float]:
        """Return every intent's combined score (0-100) for a message."""
        words = content_words(text)
        combined, _, _, _ = self._combine(words)
        return {intent: float(combined[i]) for i, intent in enumerate(self.intent_ids)}

    def _combine(self, words: list[str]):  # noqa: ANN202 - internal tuple
        keyword, hits = self._keyword_scores(words)
        example, per_example = self._example_scores(words)
        cfg = self.config
        combined = cfg.keyword_weight * keyword + cfg.example_weight * example
        return combined, hits, example, per_example

    def classify(self, text: str, *, explain: bool = False) -> Match:
        """Rank the intents for a message and decide: matched, ambiguous or no match.

        >>> m.classify("sum1 hacked my insta acount").intent  # doctest: +SKIP
        'account_hacking'
        """
        words = content_words(text)
        combined, hits, example, per_example = self._combine(words)
        order = np.argsort(-combined, kind="stable")
        cfg = self.config
        top = [
            Candidate(self.intent_ids[i], round(float(combined[i]), 1))
            for i in order[: cfg.max_alternatives]
        ]
        best = top[0] if top else Candidate("", 0.0)
        close = [
            c for c in top if c.score >= cfg.ambiguity_floor and best.score - c.score < cfg.margin
        ]
        if len(close) >= 2:
            decision, intent = "ambiguous", None
        elif best.score >= cfg.match_threshold:
            decision, intent = "matched", best.intent
        else:
            decision, intent = "no_match", None
        evidence = None
        if explain:
            evidence = self._evidence(hits, per_example, example)
        return Match(
            intent=intent,
            score=best.score,
            decision=decision,  # type: ignore[arg-type]
            alternatives=tuple(top),
            evidence=evidence,
        )

    def _evidence(
        self, hits: list[tuple[str, str]], per_example: np.ndarray, example: np.ndarray
    ) -> dict[str, object]:
        best_examples = []
        if per_example.size:
            for i in np.argsort(-per_example)[:3]:
                best_examples.append(
                    {
                        "intent": self.intent_ids[self._example_owner[i]],
                        "example": self._example_text[i],
                        "score": round(float(per_example[i]), 1),
                    }
                )
        return {
            "keywords": [{"intent": intent, "keyword": kw} for intent, kw in hits],
            "examples": best_examples,
        }
