"""The matcher's thresholds, margins and weights, tuned on tests/data.

Read once from config/matcher.yaml at start-up (and on reload); the matcher itself does no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

CONFIG_PATH = Path(__file__).resolve().parents[2] / "config" / "matcher.yaml"


class SemanticConfig(BaseModel):
    """The optional semantic re-ranker's fusion weight and its own decision thresholds.

    Used only when a sentence-embedding model is loaded; fused scores are on the same 0-100
    scale as the matcher's, so the thresholds below mean what the matcher's own ones mean.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(0.5, ge=0, le=1)  # the matcher's share; the rest is semantic
    top_k: int = Field(3, ge=1, le=20)  # an intent's similarity: mean of its k closest examples
    match_threshold: float = Field(40.0, ge=0, le=100)
    service_threshold: float = Field(30.0, ge=0, le=100)
    clarify_floor: float = Field(30.0, ge=0, le=100)
    ambiguity_floor: float = Field(38.0, ge=0, le=100)
    margin: float = Field(2.0, ge=0, le=100)
    out_of_scope_margin: float = Field(4.0, ge=0, le=100)
    # No match when the out-of-scope examples are this much closer (cosine) than any topic.
    negative_margin: float = Field(0.0, ge=-1, le=1)


@dataclass(frozen=True)
class MatcherConfig:
    """Thresholds and weights, tuned on tests/data and kept in config/matcher.yaml."""

    word_cutoff: float = 82.0  # fuzz.ratio for a misspelt word to count as a catalog word
    exact_below: int = 4  # words shorter than this must be spelt exactly
    unknown_weight: float = 1.5  # weight of a word the catalog has never seen (dilutes cosine)
    keyword_cutoff: float = 86.0  # fuzz.ratio for a keyword phrase of 7+ letters
    keyword_cutoff_short: float = 92.0  # for keywords of 5-6 letters (shorter: exact only)
    keyword_bonus: float = 4.0  # per extra distinct keyword of the same intent
    bayes_weight: float = 1.0
    bayes_smoothing: float = 0.05
    bayes_temperature: float = 8.0  # softens naive Bayes' overconfidence
    near_miss_prior: float = 4.0  # how far a near-miss group leans on its whole class
    example_weight: float = 0.5  # cosine similarity to the intent's closest example
    keyword_weight: float = 0.1
    chunk_words: int = 24  # long messages are compared with examples in windows this size
    chunk_step: int = 12
    safety_threshold: float = 101.0  # a crisis intent scoring this counts as a crisis
    safety_bayes_threshold: float = math.inf  # log-odds of the crisis word scorer (crisis_bayes)
    match_threshold: float = 40.0  # a crime type needs this score to be matched
    service_threshold: float = 31.0  # "hi", "thanks", "what do you keep?" need less evidence
    out_of_scope_margin: float = 6.0  # a topic must beat the out-of-scope examples by this
    ambiguity_floor: float = 35.0
    margin: float = 1.5
    clarify_floor: float = 22.0  # below the threshold but above this: "is it one of these?"
    clarify_share: float = 0.7  # offer only candidates scoring this share of the best
    # A short message this similar (0-1) to an everyday example, this much closer to it than
    # to the topic's own examples, and with the topic scoring below `everyday_below`, is
    # offered the topic as a button rather than answered as that crime.
    everyday_close: float = math.inf
    everyday_lead: float = 0.15
    everyday_below: float = 60.0
    question_words: int = 24  # a question this long at most is read whole by the checks below
    # A short question naming none of these (stemmed, typos forgiven) is a plain question:
    # its topic is offered, not answered (bot/core/plain_question.py). Empty: no such check.
    wrongdoing_words: tuple[str, ...] = ()
    never_offer: tuple[str, ...] = ()  # small talk ("goodbye") is never a topic to offer
    max_alternatives: int = 3
    floors: dict[str, float] | None = None  # eval floors, read by `bot eval`
    semantic: SemanticConfig = field(default_factory=SemanticConfig)  # used only when enabled

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> MatcherConfig:
        """Read the tuned values; a missing file means the defaults above."""
        if not path.exists():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        data["never_offer"] = tuple(data.get("never_offer") or ())
        words = data.get("wrongdoing_words") or ()
        if isinstance(words, str):  # "scam, fraud" written as one line rather than a list
            words = words.split(",")
        data["wrongdoing_words"] = tuple(str(w).strip() for w in words if str(w).strip())
        data["semantic"] = SemanticConfig.model_validate(data.get("semantic") or {})
        return cls(**data)
