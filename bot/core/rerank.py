"""The optional semantic re-ranker: the matcher's scores fused with sentence-embedding cosines.

Pure: the embedder is handed in (bot/semantic builds one from a local model folder). Off unless
an operator names a model; without one nothing here runs and the matcher decides alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from bot.core.decide import decide
from bot.core.matcher import Matcher
from bot.core.matcher_config import SemanticConfig
from bot.core.model import Match


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, one row each."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_catalog(self, texts: Sequence[str]) -> np.ndarray:
        """The same for the catalog's examples; may be served from a cache."""
        ...


def intent_similarity(cosines: np.ndarray, by_intent: np.ndarray, top_k: int) -> np.ndarray:
    """Per intent, the mean cosine of its `top_k` closest examples (fewer if it has fewer).

    `by_intent` is the index's padded example-id table; its padding id is len(cosines).
    """
    padded = np.append(cosines, -np.inf)[by_intent]
    k = min(top_k, padded.shape[1])
    top = -np.partition(-padded, k - 1, axis=1)[:, :k] if k < padded.shape[1] else padded
    real = np.isfinite(top)
    return np.where(real, top, 0).sum(axis=1) / np.maximum(real.sum(axis=1), 1)


class FusedMatcher:
    """A Matcher whose `classify` ranks by w * matcher + (1 - w) * 100 * semantic similarity.

    `scores` (read by the safety screen) stays the matcher's own, so the screen behaves the
    same with the re-ranker on or off.
    """

    def __init__(
        self, matcher: Matcher, embedder: Embedder, semantic: SemanticConfig | None = None
    ) -> None:
        self.base = matcher
        self.embedder = embedder
        self.index = matcher.index
        self.intent_ids = matcher.intent_ids
        self.config = matcher.config
        self.semantic = semantic or matcher.config.semantic
        self.examples = np.asarray(embedder.embed_catalog(self.index.example_text), np.float32)
        self._last: tuple[str, np.ndarray] | None = None

    def scores(self, text: str) -> dict[str, float]:
        return self.base.scores(text)

    def similarity(self, text: str) -> np.ndarray:
        """Each intent's semantic similarity (cosine, -1 to 1) to the message."""
        if self._last is None or self._last[0] != text:
            vector = np.asarray(self.embedder.embed([text]), np.float32)[0]
            cosines = self.examples @ vector if self.examples.size else np.zeros(0, np.float32)
            similar = intent_similarity(cosines, self.index.by_intent, self.semantic.top_k)
            self._last = (text, similar)
        return self._last[1]

    def classify(self, text: str, *, explain: bool = False) -> Match:
        scores = self.base.scores(text)
        matcher_scores = np.asarray([scores[i] for i in self.intent_ids], np.float32)
        similar = self.similarity(text)
        s = self.semantic
        fused = s.weight * matcher_scores + (1 - s.weight) * 100 * np.maximum(similar, 0)
        cfg = replace(
            self.base.config,
            match_threshold=s.match_threshold,
            service_threshold=s.service_threshold,
            clarify_floor=s.clarify_floor,
            ambiguity_floor=s.ambiguity_floor,
            margin=s.margin,
            out_of_scope_margin=s.out_of_scope_margin,
        )
        plain = self.base.plain_question(text)
        match = decide(fused, matcher_scores, self.index, cfg, plain_question=plain)
        negative = self.index.negative
        closest_everyday = float(similar[negative].max(initial=-1.0))
        closest_topic = float(similar[~negative].max(initial=-1.0))
        if match.decision != "no_match" and closest_everyday > closest_topic + s.negative_margin:
            # Semantically nearest to the out-of-scope examples: an everyday message.
            match = replace(match, intent=None, decision="no_match", offered=())
        if explain:
            order = np.argsort(-similar)[:3]
            semantic = [
                {"intent": self.intent_ids[i], "similarity": round(float(similar[i]), 3)}
                for i in order
            ]
            evidence = self.base.classify(text, explain=True).evidence or {}
            match = replace(match, evidence={**evidence, "semantic": semantic})
        return match
