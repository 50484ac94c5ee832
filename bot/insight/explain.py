"""Say in plain words why the matcher decided what it did, for `classify --explain`.

Pure. It re-reads the scores the matcher already computed for this message (cached, so no
second scoring) and walks the same rules as `Matcher.classify`, naming the number that
decided: the threshold, the margin over everyday messages, the offer floor.
A test checks the verdict agrees with the matcher's decision on the whole dev set.
"""

from __future__ import annotations

import json
import logging

from bot.core.matcher import Matcher
from bot.core.model import Match

log = logging.getLogger(__name__)


# Why a topic that reached its threshold was offered instead (Match.held_back), and the
# settings in config/matcher.yaml that decide it.
_HELD_BACK = {
    "everyday_example": "worded like an everyday example (everyday_close, everyday_lead)",
    "plain_question": "naming no wrongdoing (wrongdoing_words)",
}


def _n(value: float) -> str:
    """1 decimal, without a trailing '.0' on whole numbers from the config (36, not 36.0)."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def explain(matcher: Matcher, text: str, match: Match, safety: str | None) -> dict[str, object]:
    """The threshold and margin that applied and one sentence saying why."""
    cfg = matcher.config
    index = matcher.index
    scores = matcher.scores(text)
    everyday = max(
        (scores[i] for i, neg in zip(matcher.intent_ids, index.negative, strict=True) if neg),
        default=0.0,
    )
    top = list(match.alternatives)
    best = top[0].score if top else 0.0
    service = bool(top) and bool(index.service[matcher.intent_ids.index(top[0].intent)])
    threshold = cfg.service_threshold if service else cfg.match_threshold
    margin = cfg.out_of_scope_margin
    lead = best - everyday
    facts: dict[str, object] = {
        "threshold": threshold,
        "margin": margin,
        "offer_floor": cfg.clarify_floor,
        "everyday_score": round(everyday, 1),
    }
    kind = "small-talk/service" if service else "topic"
    close = [c for c in top if c.score >= cfg.ambiguity_floor and best - c.score < cfg.margin]
    if safety is not None:
        phrase = (match.evidence or {}).get("safety_phrase")
        said = f" ({json.dumps(phrase, ensure_ascii=False)})" if phrase else ""
        why = f"safety: the crisis screen fired{said}, so the {safety} reply is given first"
    elif not top or best <= everyday:
        why = (
            f"not matched: the best score {_n(best)} is no higher than everyday "
            f"(out-of-scope) messages ({_n(everyday)})"
        )
    elif match.held_back in _HELD_BACK:
        why = (
            f"offered: score {_n(best)} reaches the {kind} threshold {_n(threshold)}, but the "
            f"message is a short question {_HELD_BACK[match.held_back]}, and the topic scores "
            f"under {_n(cfg.everyday_below)}"
        )
    elif match.decision == "clarify" and len(close) >= 2 and lead > margin:
        named = ", ".join(f"{c.intent} {_n(c.score)}" for c in close)
        why = f"offered: {len(close)} topics within {_n(cfg.margin)} of each other ({named})"
    elif match.decision == "matched":
        why = (
            f"matched: score {_n(best)} >= {kind} threshold {_n(threshold)} and beats "
            f"everyday messages by {_n(lead)} (margin {_n(margin)})"
        )
    elif best >= cfg.clarify_floor:
        if best >= threshold:
            reason = (
                f"score {_n(best)} reaches the threshold {_n(threshold)} but beats everyday "
                f"messages by only {_n(lead)} (margin {_n(margin)})"
            )
        else:
            reason = f"score {_n(best)} is below the {kind} threshold {_n(threshold)}"
        if match.decision == "clarify":
            why = (
                f"offered: {reason}, yet above the offer floor {_n(cfg.clarify_floor)}, so "
                f"the closest topics are offered as buttons ({', '.join(match.offered)})"
            )
        else:
            why = f"not matched: {reason}, and none of the closest topics may be offered"
    else:
        why = f"not matched: score {_n(best)} below the offer floor {_n(cfg.clarify_floor)}"
    facts["why"] = why
    return facts
