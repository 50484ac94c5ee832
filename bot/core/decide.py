"""From one score per intent to a decision: matched, clarify (offer the closest) or no match.

Shared by the matcher and the optional semantic re-ranker, so both decide by the same rules
and differ only in their scores and thresholds.
"""

from __future__ import annotations

import numpy as np

from bot.core.match_index import MatchIndex
from bot.core.matcher_config import MatcherConfig
from bot.core.model import Candidate, Match


def decide(
    scores: np.ndarray,
    matcher_scores: np.ndarray,
    index: MatchIndex,
    cfg: MatcherConfig,
    closest: np.ndarray | None = None,
    plain_question: bool = False,
) -> Match:
    """Rank the intents by `scores` (0-100) and apply `cfg`'s thresholds and margins.

    `matcher_scores` are the matcher's own: a crisis intent is offered only when the safety
    screen (which reads those) would act on it too. `closest` is each intent's best example
    similarity (0-1): a message far closer to an everyday example than to any example of the
    topic is offered the topic rather than answered as that crime; so is a `plain_question`,
    one that names no wrongdoing at all (bot.core.plain_question).
    """
    intent_ids = index.intent_ids
    negative = index.negative
    weak_crisis = index.crisis & (matcher_scores < cfg.safety_threshold)
    order = np.argsort(-scores, kind="stable")
    ranked = [i for i in order if not negative[i] and not weak_crisis[i]]
    ranked = ranked[: cfg.max_alternatives]
    top = [Candidate(intent_ids[i], round(float(scores[i]), 1)) for i in ranked]
    best = top[0].score if top else 0.0
    # Out-of-scope examples are never offered as a topic; a topic must clearly beat them.
    everyday = float(scores[negative].max(initial=0.0))
    threshold = (
        cfg.service_threshold if ranked and index.service[ranked[0]] else cfg.match_threshold
    )
    close = [c for c in top if c.score >= cfg.ambiguity_floor and best - c.score < cfg.margin]
    close_offer = tuple(c.intent for c in close if c.intent not in cfg.never_offer)
    offered: tuple[str, ...] = ()
    held_back: str | None = None
    if not top or best <= everyday:
        decision, intent = "no_match", None
    elif len(close) >= 2 and close_offer and best > everyday + cfg.out_of_scope_margin:
        # Two topics this close: one wrong guess costs more than one tap to choose.
        decision, intent, offered = "clarify", None, close_offer
    elif best >= threshold and best > everyday + cfg.out_of_scope_margin:
        decision, intent = "matched", top[0].intent
        held_back = _held_back(closest, plain_question, index, ranked[0], best, cfg)
        if held_back:
            # "how do I get a PAC code": the topic's object, but nothing wrong with it.
            decision, intent = "clarify", None
            offered = tuple(c.intent for c in top[:1] if c.intent not in cfg.never_offer)
    elif best >= cfg.clarify_floor:
        # The grey zone: too weak to act on, too strong to shrug off.
        decision, intent = "clarify", None
        offered = tuple(
            c.intent
            for c in top
            if c.score >= cfg.clarify_share * best and c.intent not in cfg.never_offer
        )
    else:
        decision, intent = "no_match", None
    if decision == "clarify" and not offered:
        decision = "no_match"
    return Match(intent, best, decision, tuple(top), None, offered, held_back)  # type: ignore[arg-type]


def _held_back(
    closest: np.ndarray | None,
    plain_question: bool,
    index: MatchIndex,
    best: int,
    score: float,
    cfg: MatcherConfig,
) -> str | None:
    """Why a topic that reached its threshold is offered rather than answered, if so."""
    if score >= cfg.everyday_below:
        return None  # a clear crime is answered whatever else the message says
    if closest is not None and _looks_everyday(closest, index.negative, best, cfg):
        return "everyday_example"
    if plain_question and not index.service[best] and not index.crisis[best]:
        return "plain_question"
    return None


def _looks_everyday(
    closest: np.ndarray, negative: np.ndarray, best: int, cfg: MatcherConfig
) -> bool:
    everyday = float(closest[negative].max(initial=0.0))
    return everyday >= cfg.everyday_close and everyday - float(closest[best]) >= cfg.everyday_lead
