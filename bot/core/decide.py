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
) -> Match:
    """Rank the intents by `scores` (0-100) and apply `cfg`'s thresholds and margins.

    `matcher_scores` are the matcher's own: a crisis intent is offered only when the safety
    screen (which reads those) would act on it too. `closest` is each intent's best example
    similarity (0-1): a message far closer to an everyday example than to any example of the
    topic is offered the topic rather than answered as that crime.
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
    if not top or best <= everyday:
        decision, intent = "no_match", None
    elif len(close) >= 2 and close_offer and best > everyday + cfg.out_of_scope_margin:
        # Two topics this close: one wrong guess costs more than one tap to choose.
        decision, intent, offered = "clarify", None, close_offer
    elif best >= threshold and best > everyday + cfg.out_of_scope_margin:
        decision, intent = "matched", top[0].intent
        if (
            closest is not None
            and best < cfg.everyday_below
            and _looks_everyday(closest, negative, ranked[0], cfg)
        ):
            # "how do I get a PAC code": worded like a known everyday question, not the crime.
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
    return Match(intent, best, decision, tuple(top), None, offered)  # type: ignore[arg-type]


def _looks_everyday(
    closest: np.ndarray, negative: np.ndarray, best: int, cfg: MatcherConfig
) -> bool:
    everyday = float(closest[negative].max(initial=0.0))
    return everyday >= cfg.everyday_close and everyday - float(closest[best]) >= cfg.everyday_lead
