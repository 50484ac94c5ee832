"""The learned second look: a crisis told in words no rule names is still answered as one."""

from __future__ import annotations

import dataclasses
import math

import pytest

from bot.core.crisis_bayes import CrisisBayes, features
from bot.core.matcher import Matcher, MatcherConfig
from bot.core.model import Content
from bot.core.safety import SafetyScreen

NO_RULE = (
    "He's posted the videos everywhere. My life is over. Literally, I'm making sure of it tonight."
)


@pytest.fixture(scope="module")
def screens(content: Content) -> tuple[SafetyScreen, SafetyScreen]:
    """The shipped screen, and the same screen with the word scorer switched off."""
    config = MatcherConfig.load()
    off = dataclasses.replace(config, safety_bayes_threshold=math.inf)
    return SafetyScreen(content, Matcher(content, config)), SafetyScreen(
        content, Matcher(content, off)
    )


def test_a_crisis_no_phrase_names_is_caught_by_its_words(screens) -> None:
    """Without the scorer this message gets an ordinary answer; with it, crisis help first."""
    shipped, rules_only = screens
    assert rules_only.check(NO_RULE) is None
    hit = shipped.check(NO_RULE)
    assert hit is not None
    assert hit.kind == "self_harm_crisis"


@pytest.mark.parametrize(
    "text",
    [
        "I paid a deposit for a caravan in Skegness on a Facebook page. The page has gone, the "
        "phone number is dead and the bank says it can't help because I sent it myself. I feel "
        "such an idiot and I'm so angry. What do I do now?",
        "my ex keeps posting about me on facebook and tagging my friends, he lives in scotland "
        "now and I'm safe, I just want it taken down",
    ],
)
def test_a_long_upset_report_is_not_read_as_a_crisis(screens, text: str) -> None:
    """Odds are scaled by length, so a long angry story does not add up to a crisis."""
    shipped, _ = screens
    assert shipped.check(text) is None


def test_features_are_words_and_word_pairs() -> None:
    """Pairs let "in the garage" weigh differently from "garage" alone."""
    found = features("car garage")
    assert len(found) == 3
    assert sum(" " in f for f in found) == 1


def test_a_catalog_without_crisis_examples_scores_nothing(content: Content) -> None:
    """Content with no crisis examples (a fresh, half-written catalog) never leans anywhere."""
    empty = dataclasses.replace(content, intents={})
    assert CrisisBayes(empty, ("emergency", "self_harm_crisis")).best("anything")[0] is None
