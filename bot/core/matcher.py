"""Work out which intent a message is about, with typo-tolerant fuzzy matching.

Pure and synchronous: no I/O after construction, no network, no model download. A message's
words are mapped onto the catalog's vocabulary with rapidfuzz's batch `cdist` (so "recieved",
"acount" and "instagarm" still count), then scored three ways at once, never with a Python
loop over examples: a naive Bayes posterior over all its words, the cosine similarity to the
closest example of each intent, and fuzzy keyword-phrase hits.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.decide import decide
from bot.core.match_index import MatchIndex, build_index, content_words, stem
from bot.core.matcher_config import MatcherConfig
from bot.core.model import Content, Match
from bot.core.plain_question import WrongdoingWords, asks

__all__ = ["Matcher", "MatcherConfig", "content_words", "stem"]

WordMap = dict[str, list[tuple[int, float]]]
MAX_WINDOWS = 30


class _Scored(NamedTuple):
    combined: np.ndarray  # each intent's score, 0-100
    hits: list[tuple[str, str]]  # keyword hits (intent, keyword)
    per_example: np.ndarray  # each example's cosine to the message
    closest: np.ndarray  # each intent's best example cosine (0-1)
    words: list[str]
    mapping: WordMap


class Matcher:
    """Scores a message against a catalog; build once, call `classify` many times."""

    def __init__(self, content: Content, config: MatcherConfig | None = None) -> None:
        self.config = config or MatcherConfig()
        self.index: MatchIndex = build_index(
            content,
            bayes_smoothing=self.config.bayes_smoothing,
            near_miss_prior=self.config.near_miss_prior,
        )
        self.intent_ids = self.index.intent_ids
        self._last: tuple[str, _Scored] | None = None
        self.wrongdoing = WrongdoingWords(self.config.wrongdoing_words, self.index.vocab_index)
        self._keyword_cutoffs = np.asarray(
            [self._cutoff_for(k) for k in self.index.keywords], np.float32
        )

    def _cutoff_for(self, keyword: str) -> float:
        letters = len(keyword.replace(" ", ""))
        if letters < 5:
            return 100.0
        if letters < 7:
            return self.config.keyword_cutoff_short
        return self.config.keyword_cutoff

    # ------------------------------------------------------------ words

    def _map_words(self, words: list[str]) -> WordMap:
        """Map each distinct message word to catalog words (column, similarity 0-1).

        A misspelling equally close to several words ("concent": consent, concert) counts
        for each of them rather than for whichever happens to sort first.
        """
        mapping: WordMap = {}
        unknown: list[str] = []
        for word in dict.fromkeys(words):
            col = self.index.vocab_index.get(word)
            if col is not None:
                mapping[word] = [(col, 1.0)]
            elif len(word) >= self.config.exact_below and not word.isdigit():
                unknown.append(word)
            else:
                mapping[word] = []
        if unknown and self.index.vocab:
            found = process.cdist(
                unknown,
                self.index.vocab,
                scorer=fuzz.ratio,
                score_cutoff=self.config.word_cutoff,
                dtype=np.uint8,
                workers=1,
            )
            best = found.max(axis=1)
            for row, word in enumerate(unknown):
                cols = np.flatnonzero(found[row] == best[row]) if best[row] else []
                mapping[word] = [(int(col), float(best[row]) / 100) for col in cols[:3]]
        return mapping

    def _query(self, words: list[str], mapping: WordMap) -> tuple[np.ndarray, np.ndarray, float]:
        """Columns, TF-IDF weights and norm of one window of the message."""
        weights: dict[int, float] = {}
        norm_sq = 0.0
        for word in set(words):
            hits = mapping.get(word)
            if not hits:
                norm_sq += self.config.unknown_weight**2
                continue
            for col, similarity in hits:
                weight = float(self.index.idf[col]) * similarity
                if weight > weights.get(col, 0.0):
                    norm_sq += weight**2 - weights.get(col, 0.0) ** 2
                    weights[col] = weight
        cols = np.fromiter(weights, dtype=np.intp, count=len(weights))
        vals = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
        return cols, vals, math.sqrt(norm_sq)

    def _windows(self, words: list[str]) -> list[list[str]]:
        size, step = self.config.chunk_words, self.config.chunk_step
        if len(words) <= size + step:
            return [words]
        # A 4,096-character message is read in at most ~30 windows: wider steps, never gaps.
        step = min(size, max(step, math.ceil((len(words) - size) / MAX_WINDOWS)))
        return [words[s : s + size] for s in range(0, len(words) - size + step, step)]

    # ------------------------------------------------------------ evidence

    def _example_cosines(self, words: list[str], mapping: WordMap) -> np.ndarray:
        """Each example's cosine similarity to the best-matching window of the message."""
        index = self.index
        per_example = np.zeros(index.n_examples, np.float32)
        for window in self._windows(words):
            cols, vals, norm = self._query(window, mapping)
            if norm == 0 or cols.size == 0:
                continue
            spans = [slice(index.post_offsets[c], index.post_offsets[c + 1]) for c in cols]
            hits = np.concatenate([index.post_examples[s] for s in spans])
            weights = np.concatenate(
                [index.post_weights[s] * v for s, v in zip(spans, vals, strict=True)]
            )
            dots = np.bincount(hits, weights=weights, minlength=index.n_examples)
            per_example = np.maximum(per_example, dots.astype(np.float32) / norm)
        return per_example

    def _bayes(self, words: list[str], mapping: WordMap) -> np.ndarray:
        """Naive Bayes posterior (0-1) per intent from every word of the message."""
        best: dict[int, float] = {}
        for word in set(words):
            for col, similarity in mapping.get(word, []):
                best[col] = max(best.get(col, 0.0), similarity)
        if not best:
            return np.zeros(len(self.intent_ids), np.float32)
        cols = np.fromiter(best, dtype=np.intp, count=len(best))
        sims = np.fromiter(best.values(), dtype=np.float32, count=len(best))
        logits = sims @ self.index.bayes_by_word[cols] / self.config.bayes_temperature
        odds = np.exp(logits - logits.max())
        return (odds / odds.sum()).astype(np.float32)

    def _keyword_scores(
        self, words: list[str], mapping: WordMap
    ) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Best keyword hit per intent (0 or 86-100) over every n-gram of the message.

        A misspelt word stands for the catalog words it was mapped to, so "deth threts"
        finds the keyword "death threat" with no second fuzzy search.
        """
        index = self.index
        scores = np.zeros(len(self.intent_ids), dtype=np.float32)
        if not words or not index.keywords:
            return scores, []
        options = [
            [(w, 1.0)]
            if w in index.vocab_index
            else [(index.vocab[col], sim) for col, sim in mapping.get(w, [])]
            for w in words
        ]
        best = np.zeros(len(index.keywords), dtype=np.float32)
        # Grow phrases word by word from each position, keeping only those that begin some
        # keyword, so a message costs a handful of set lookups per word.
        for start in range(len(words)):
            frontier: list[tuple[str, float]] = [("", 100.0)]
            for position in range(start, min(start + index.max_ngram, len(words))):
                grown = []
                for prefix, score in frontier:
                    for word, similarity in options[position]:
                        gram = f"{prefix} {word}" if prefix else word
                        if gram not in index.keyword_prefixes:
                            continue
                        gram_score = min(score, 100 * similarity)
                        found = index.keyword_index.get(gram)
                        if found:
                            best[found] = np.maximum(best[found], gram_score)
                        grown.append((gram, gram_score))
                if not grown:
                    break
                frontier = grown
        hit_index = np.flatnonzero(best >= self._keyword_cutoffs)
        if hit_index.size == 0:
            return scores, []
        owners = index.keyword_owner[hit_index]
        np.maximum.at(scores, owners, best[hit_index])
        extra = np.bincount(owners, minlength=len(scores)).astype(np.float32) - 1
        bonus = np.minimum(100, scores + self.config.keyword_bonus * extra)
        scores = np.where(scores > 0, bonus, 0)
        hits = [(self.intent_ids[index.keyword_owner[i]], index.keywords[i]) for i in hit_index]
        return scores, hits

    def _combine(self, text: str) -> _Scored:
        """Every intent's score (0-100), the keyword hits and each example's cosine."""
        # The safety screen and the classifier both score the same message in one turn.
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        result = self._score(text)
        self._last = (text, result)
        return result

    def _score(self, text: str) -> _Scored:
        words = content_words(text)
        n = len(self.intent_ids)
        if not words or not self.index.vocab:
            none = np.zeros(0, np.float32)
            return _Scored(np.zeros(n, np.float32), [], none, np.zeros(n, np.float32), words, {})
        mapping = self._map_words(words)
        per_example = self._example_cosines(words, mapping)
        closest = np.append(per_example, np.float32(0))[self.index.by_intent].max(axis=1)
        keyword, hits = self._keyword_scores(words, mapping)
        cfg = self.config
        total = cfg.bayes_weight + cfg.example_weight + cfg.keyword_weight
        combined = (
            100 * cfg.bayes_weight * self._bayes(words, mapping)
            + 100 * cfg.example_weight * closest
            + cfg.keyword_weight * keyword
        ) / (total or 1)
        return _Scored(combined, hits, per_example, closest, words, mapping)

    # ------------------------------------------------------------ public

    def scores(self, text: str) -> dict[str, float]:
        """Return every intent's combined score (0-100) for a message."""
        combined = self._combine(text).combined
        scores: dict[str, float] = {}
        for i, intent in enumerate(self.intent_ids):  # near-miss groups share their parent's id
            scores[intent] = max(scores.get(intent, 0.0), float(combined[i]))
        return scores

    def classify(self, text: str, *, explain: bool = False) -> Match:
        """Rank the intents and decide: matched, clarify (offer the closest) or no match.

        >>> matcher.classify("sum1 hacked my insta acount").intent  # doctest: +SKIP
        'account_hacking'
        """
        scored = self._combine(text)
        question = self._short_question(text, scored)
        # Only a short message, every word of it spelt as in the catalog, is compared whole
        # with an everyday example: in a long one the everyday words may sit far from the
        # crime, and a misspelling can land on an everyday example's own typo.
        vocab = self.index.vocab_index
        spelt = question and all(w in vocab for w in scored.words)
        closest = scored.closest if spelt else None
        plain = question and self._names_no_wrongdoing(scored)
        match = decide(scored.combined, scored.combined, self.index, self.config, closest, plain)
        if explain:
            match = replace(match, evidence=self._evidence(scored.hits, scored.per_example))
        return match

    def plain_question(self, text: str) -> bool:
        """A short question naming no wrongdoing: its topic is offered, not answered."""
        scored = self._combine(text)
        return self._short_question(text, scored) and self._names_no_wrongdoing(scored)

    def _short_question(self, text: str, scored: _Scored) -> bool:
        short = scored.per_example.size > 0 and len(scored.words) <= self.config.question_words
        return short and asks(text)

    def _names_no_wrongdoing(self, scored: _Scored) -> bool:
        return bool(self.wrongdoing) and not self.wrongdoing.found(scored.words, scored.mapping)

    def _evidence(self, hits: list[tuple[str, str]], per_example: np.ndarray) -> dict[str, object]:
        index = self.index
        examples = [
            {
                "intent": self.intent_ids[index.example_owner[i]],
                "example": index.example_text[i],
                "score": round(100 * float(per_example[i]), 1),
            }
            for i in np.argsort(-per_example)[:3]
            if per_example[i] > 0
        ]
        keywords = [{"intent": intent, "keyword": kw} for intent, kw in hits]
        return {"keywords": keywords, "examples": examples}
