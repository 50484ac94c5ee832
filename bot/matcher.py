"""Work out which intent a message is about, with typo-tolerant fuzzy matching.

Pure and synchronous: no I/O after construction, no network, no model download. The index is
built once per catalog. A message's words are mapped onto the catalog's vocabulary with
rapidfuzz's batch `cdist` (so "recieved", "acount" and "instagarm" still count), then scored
against every example and every intent at once with matrix products, never a Python loop
over examples. Keyword phrases add their own fuzzy evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.model import Candidate, Content, Match
from bot.normalize import normalize

CONFIG_PATH = Path(__file__).resolve().parent.parent / "config" / "matcher.yaml"


@dataclass(frozen=True)
class MatcherConfig:
    """Thresholds and weights, tuned on tests/data and kept in config/matcher.yaml."""

    word_cutoff: float = 82.0  # fuzz.ratio for a misspelt word to count as a catalog word
    exact_below: int = 4  # words shorter than this must be spelt exactly
    unknown_weight: float = 1.5  # weight of a word the catalog has never seen (dilutes scores)
    keyword_cutoff: float = 86.0  # fuzz.ratio for a keyword phrase of 7+ letters
    keyword_cutoff_short: float = 92.0  # for keywords of 5-6 letters
    keyword_bonus: float = 4.0  # per extra distinct keyword of the same intent
    bayes_weight: float = 1.0  # naive Bayes posterior over the fuzzy-mapped words
    bayes_smoothing: float = 0.1
    bayes_temperature: float = 8.0  # softens naive Bayes' overconfidence
    centroid_weight: float = 1.0
    example_weight: float = 0.0  # mean of the best k examples
    best_example_weight: float = 0.5  # the single closest example
    keyword_weight: float = 0.2
    example_top_k: int = 3
    chunk_words: int = 24  # long messages are scored in overlapping windows of this size
    chunk_step: int = 12
    match_threshold: float = 40.0
    ambiguity_floor: float = 35.0
    margin: float = 4.0
    max_alternatives: int = 3
    floors: dict[str, float] | None = None  # eval floors, read by `bot eval`

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> MatcherConfig:
        """Read the tuned values; a missing file means the defaults above."""
        if not path.exists():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(**data)


_SUFFIXES = ("ings", "ing", "ers", "ied", "ies", "ed", "er", "s")


def stem(word: str) -> str:
    """Cut common English endings so 'bullied', 'bullying' and 'bully' meet."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if suffix in ("ied", "ies"):
                return word + "y"
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
                return word[:-1]  # "scammed" -> "scamm" -> "scam"
            break
    # "share", "sharing" and "shareing" all end up as "shar".
    return word[:-1] if len(word) >= 4 and word.endswith("e") else word


def content_words(text: str) -> list[str]:
    """Return the normalised, stemmed words that carry meaning, in order."""
    # No stopword list: inverse document frequency already gives "my" and "the" almost no
    # weight, and short messages like "what can you do" need every word they have.
    return [stem(w) for w in normalize(text).split()]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


class Matcher:
    """Scores a message against a catalog; build once, call `classify` many times."""

    def __init__(self, content: Content, config: MatcherConfig | None = None) -> None:
        self.config = config or MatcherConfig()
        self.intent_ids: list[str] = sorted(content.intents)
        docs: list[list[str]] = []
        owners: list[int] = []
        self._example_text: list[str] = []
        keywords: list[str] = []
        keyword_owner: list[int] = []
        for index, intent_id in enumerate(self.intent_ids):
            intent = content.intents[intent_id]
            for example in intent.examples:
                words = content_words(example)
                if words:
                    docs.append(words)
                    owners.append(index)
                    self._example_text.append(example)
            for keyword in dict.fromkeys(" ".join(content_words(k)) for k in intent.keywords):
                if keyword:
                    keywords.append(keyword)
                    keyword_owner.append(index)
        self._negative = np.asarray(
            [content.intents[i].kind == "negative" for i in self.intent_ids], dtype=bool
        )
        self._build_vectors(docs, owners, keywords, keyword_owner)
        self._keywords = keywords
        self._keyword_index: dict[str, list[int]] = {}
        for i, keyword in enumerate(keywords):
            self._keyword_index.setdefault(keyword, []).append(i)
        self._keyword_owner = np.asarray(keyword_owner, dtype=np.intp)
        self._keyword_cutoffs = np.asarray([self._cutoff_for(k) for k in keywords], np.float32)
        self._max_ngram = max((k.count(" ") + 1 for k in keywords), default=1)

    def _build_vectors(
        self, docs: list[list[str]], owners: list[int], keywords: list[str], kw_owner: list[int]
    ) -> None:
        """TF-IDF rows for examples and one centroid per intent, over the catalog's words."""
        n_intents = len(self.intent_ids)
        per_intent: list[set[str]] = [set() for _ in range(n_intents)]
        for words, owner in zip(docs, owners, strict=True):
            per_intent[owner].update(words)
        for keyword, owner in zip(keywords, kw_owner, strict=True):
            per_intent[owner].update(keyword.split())
        vocab = sorted(set().union(*per_intent)) if per_intent else []
        self._vocab = vocab
        self._vocab_index = {word: i for i, word in enumerate(vocab)}
        df = np.zeros(len(vocab), dtype=np.float32)
        for words in per_intent:
            for word in words:
                df[self._vocab_index[word]] += 1
        # A word used by one intent only is strong evidence; one used by all says nothing.
        self._idf = np.log((n_intents + 1) / np.maximum(df, 1)).astype(np.float32)
        examples = np.zeros((len(docs), len(vocab)), dtype=np.float32)
        for row, words in enumerate(docs):
            for word in set(words):
                examples[row, self._vocab_index[word]] = self._idf[self._vocab_index[word]]
        examples = _unit_rows(examples)
        self._example_owner = np.asarray(owners, dtype=np.intp)
        # An inverted index (word -> examples using it, with weights), like a CSR matrix by
        # column: a message touches only the postings of its own words.
        by_word = examples.T
        nonzero = [np.flatnonzero(row) for row in by_word]
        self._post_offsets = np.concatenate(([0], np.cumsum([len(n) for n in nonzero])))
        self._post_examples = (
            np.concatenate(nonzero).astype(np.intp) if nonzero else np.zeros(0, np.intp)
        )
        self._post_weights = (
            np.concatenate([by_word[i, n] for i, n in enumerate(nonzero)]).astype(np.float32)
            if nonzero
            else np.zeros(0, np.float32)
        )
        self._n_examples = len(docs)
        centroids = np.zeros((n_intents, len(vocab)), dtype=np.float32)
        np.add.at(centroids, self._example_owner, examples)
        for words, owner in zip(keywords, kw_owner, strict=True):
            for word in words.split():
                if word in self._vocab_index:
                    col = self._vocab_index[word]
                    centroids[owner, col] = max(centroids[owner, col], self._idf[col])
        self._centroids_by_word = np.ascontiguousarray(_unit_rows(centroids).T)
        # Naive Bayes: how often each intent's examples (and, doubled, its keywords) use a word.
        presence = np.zeros((n_intents, len(vocab)), dtype=np.float32)
        for words, owner in zip(docs, owners, strict=True):
            presence[owner, [self._vocab_index[w] for w in set(words)]] += 1
        for keyword, owner in zip(keywords, kw_owner, strict=True):
            cols = [self._vocab_index[w] for w in set(keyword.split()) if w in self._vocab_index]
            presence[owner, cols] += 2
        alpha = self.config.bayes_smoothing
        n_docs = np.bincount(np.asarray(owners, dtype=np.intp), minlength=n_intents)
        self._bayes_by_word = np.ascontiguousarray(
            np.log((presence + alpha) / (n_docs[:, None] + 2 * alpha)).T.astype(np.float32)
        )
        # Each intent's example ids in one padded row (padding points at a constant 0), so the
        # best k per intent is one np.partition over a small matrix.
        counts = np.bincount(self._example_owner, minlength=n_intents)
        width = max(int(counts.max(initial=0)), self.config.example_top_k, 1)
        self._by_intent = np.full((n_intents, width), len(docs), dtype=np.intp)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
        for index, (start, count) in enumerate(zip(starts, counts, strict=True)):
            self._by_intent[index, :count] = np.arange(start, start + count)

    def _cutoff_for(self, keyword: str) -> float:
        letters = len(keyword.replace(" ", ""))
        if letters < 5:
            return 100.0
        if letters < 7:
            return self.config.keyword_cutoff_short
        return self.config.keyword_cutoff

    # ------------------------------------------------------------ words

    def _map_words(self, words: list[str]) -> dict[str, list[tuple[int, float]]]:
        """Map each distinct message word to catalog words (column, similarity 0-1).

        A misspelling equally close to several words ("concent": consent, concert) counts
        for each of them rather than for whichever happens to sort first.
        """
        mapping: dict[str, list[tuple[int, float]]] = {}
        unknown: list[str] = []
        for word in dict.fromkeys(words):
            col = self._vocab_index.get(word)
            if col is not None:
                mapping[word] = [(col, 1.0)]
            elif len(word) >= self.config.exact_below and not word.isdigit():
                unknown.append(word)
            else:
                mapping[word] = []
        if unknown and self._vocab:
            found = process.cdist(
                unknown,
                self._vocab,
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

    def _query(self, words: list[str], mapping: dict) -> tuple[np.ndarray, np.ndarray, float]:
        """Columns, weights and norm of one window of the message."""
        weights: dict[int, float] = {}
        norm_sq = 0.0
        for word in set(words):
            hits = mapping.get(word)
            if not hits:
                norm_sq += self.config.unknown_weight**2
                continue
            for col, similarity in hits:
                weight = float(self._idf[col]) * similarity
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
        return [words[s : s + size] for s in range(0, len(words) - size + step, step)]

    # ------------------------------------------------------------ scoring

    def _similarity(
        self, words: list[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per-intent centroid cosine (0-1) of the best window; per-intent mean of the best
        k examples and best example (2 x intents); each example's cosine; naive Bayes."""
        n = len(self.intent_ids)
        if not words or not self._vocab:
            zeros = np.zeros(n, np.float32)
            return zeros, np.zeros((2, n), np.float32), np.zeros(0, np.float32), zeros
        mapping = self._map_words(words)
        bayes = self._bayes(words, mapping)
        centroid = np.zeros(n, np.float32)
        per_example = np.zeros(self._n_examples, np.float32)
        offsets = self._post_offsets
        for window in self._windows(words):
            cols, vals, norm = self._query(window, mapping)
            if norm == 0 or cols.size == 0:
                continue
            centroid = np.maximum(centroid, vals @ self._centroids_by_word[cols] / norm)
            spans = [slice(offsets[c], offsets[c + 1]) for c in cols]
            hits = np.concatenate([self._post_examples[s] for s in spans])
            weights = np.concatenate(
                [self._post_weights[s] * v for s, v in zip(spans, vals, strict=True)]
            )
            dots = np.bincount(hits, weights=weights, minlength=self._n_examples)
            per_example = np.maximum(per_example, dots.astype(np.float32) / norm)
        k = self.config.example_top_k
        padded = np.partition(np.append(per_example, np.float32(0))[self._by_intent], -k, axis=1)
        example = np.stack([padded[:, -k:].mean(axis=1), padded[:, -1]])
        return centroid, example.astype(np.float32), per_example, bayes

    def _bayes(self, words: list[str], mapping: dict[str, list[tuple[int, float]]]) -> np.ndarray:
        """Naive Bayes posterior (0-1) per intent from every word of the message."""
        best: dict[int, float] = {}
        for word in set(words):
            for col, similarity in mapping.get(word, []):
                best[col] = max(best.get(col, 0.0), similarity)
        n = len(self.intent_ids)
        if not best:
            return np.zeros(n, np.float32)
        cols = np.fromiter(best, dtype=np.intp, count=len(best))
        sims = np.fromiter(best.values(), dtype=np.float32, count=len(best))
        logits = sims @ self._bayes_by_word[cols] / self.config.bayes_temperature
        logits -= logits.max()
        odds = np.exp(logits)
        return (odds / odds.sum()).astype(np.float32)

    def _keyword_scores(self, words: list[str]) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Best fuzzy keyword hit per intent (0 or 86-100) over every n-gram of the message."""
        scores = np.zeros(len(self.intent_ids), dtype=np.float32)
        if not words or not self._keywords:
            return scores, []
        spans = [
            (i, i + n) for n in range(1, self._max_ngram + 1) for i in range(len(words) - n + 1)
        ]
        best = np.zeros(len(self._keywords), dtype=np.float32)
        # Correctly spelt n-grams are looked up; only those with a word the catalog has never
        # seen (a likely typo) are compared fuzzily, which keeps cdist's matrix small.
        fuzzy: list[str] = []
        for start, end in spans:
            gram = " ".join(words[start:end])
            exact = self._keyword_index.get(gram)
            if exact:
                best[exact] = 100.0
            elif any(w not in self._vocab_index for w in words[start:end]):
                fuzzy.append(gram)
        if fuzzy:
            matrix = process.cdist(
                self._keywords,
                list(dict.fromkeys(fuzzy)),
                scorer=fuzz.ratio,
                score_cutoff=min(self.config.keyword_cutoff, self.config.keyword_cutoff_short),
                dtype=np.uint8,
                workers=1,
            )
            best = np.maximum(best, matrix.max(axis=1).astype(np.float32))
        hit_index = np.flatnonzero(best >= self._keyword_cutoffs)
        if hit_index.size == 0:
            return scores, []
        owners = self._keyword_owner[hit_index]
        np.maximum.at(scores, owners, best[hit_index])
        extra = np.bincount(owners, minlength=len(scores)).astype(np.float32) - 1
        scores = np.where(
            scores > 0, np.minimum(100, scores + self.config.keyword_bonus * extra), 0
        )
        hits = [(self.intent_ids[self._keyword_owner[i]], self._keywords[i]) for i in hit_index]
        return scores, hits

    def _combine(self, text: str) -> tuple[np.ndarray, list[tuple[str, str]], np.ndarray]:
        words = content_words(text)
        centroid, example, per_example, bayes = self._similarity(words)
        keyword, hits = self._keyword_scores(words)
        cfg = self.config
        weights = (
            cfg.bayes_weight,
            cfg.centroid_weight,
            cfg.example_weight,
            cfg.best_example_weight,
            cfg.keyword_weight,
        )
        combined = (
            100 * (weights[0] * bayes + weights[1] * centroid)
            + 100 * (weights[2] * example[0] + weights[3] * example[1])
            + weights[4] * keyword
        ) / (sum(weights) or 1)
        return combined, hits, per_example

    def scores(self, text: str) -> dict[str, float]:
        """Return every intent's combined score (0-100) for a message."""
        combined, _, _ = self._combine(text)
        return {intent: float(combined[i]) for i, intent in enumerate(self.intent_ids)}

    def classify(self, text: str, *, explain: bool = False) -> Match:
        """Rank the intents for a message and decide: matched, ambiguous or no match.

        >>> matcher.classify("sum1 hacked my insta acount").intent  # doctest: +SKIP
        'account_hacking'
        """
        combined, hits, per_example = self._combine(text)
        cfg = self.config
        order = np.argsort(-combined, kind="stable")
        # Out-of-scope examples win by being closest; they are never offered as a topic.
        out_of_scope = bool(order.size) and bool(self._negative[order[0]])
        order = [i for i in order if not self._negative[i]][: cfg.max_alternatives]
        top = [Candidate(self.intent_ids[i], round(float(combined[i]), 1)) for i in order]
        best = top[0].score if top else 0.0
        close = [c for c in top if c.score >= cfg.ambiguity_floor and best - c.score < cfg.margin]
        if out_of_scope:
            decision, intent = "no_match", None
        elif len(close) >= 2:
            decision, intent = "ambiguous", None
        elif best >= cfg.match_threshold:
            decision, intent = "matched", top[0].intent
        else:
            decision, intent = "no_match", None
        evidence = self._evidence(hits, per_example) if explain else None
        return Match(intent, best, decision, tuple(top), evidence)  # type: ignore[arg-type]

    def _evidence(self, hits: list[tuple[str, str]], per_example: np.ndarray) -> dict[str, object]:
        examples = [
            {
                "intent": self.intent_ids[self._example_owner[i]],
                "example": self._example_text[i],
                "score": round(100 * float(per_example[i]), 1),
            }
            for i in np.argsort(-per_example)[:3]
            if per_example.size and per_example[i] > 0
        ]
        keywords = [{"intent": intent, "keyword": kw} for intent, kw in hits]
        return {"keywords": keywords, "examples": examples}
