"""Reading an age band from a message: under-18s must never be sent to an adults-only service."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.age import age_band

UNDER_18 = [
    "I'm 15 and my ex shared my nudes",
    "im 14 and a boy is threatening to post my pics",
    "i am fifteen",  # voice-to-text writes numbers as words
    "I'm in year 10 and someone put my photo on a group chat",
    "im in yr 9",
    "she's in year 8",
    "my 14 year old has been sent a threat",
    "my 14-year-old daughter",
    "my daughter is 16 and her ex posted her pictures",
    "my daughter's 14",
    "my son (15) sent a picture to someone he met online",
    "my daughter, 14, is being blackmailed",
    "my fifteen year old",
    "my lad who is 13",
    "I have 15 years and a boy share my photo",  # a common non-native phrasing
    "she is only 13",
    "he's 25 and im 16",
    "I'm 34 and my daughter is 15",  # a parent: the child's age counts
    "my girlfriend is 16 and her ex posted them",
    "i turn 18 next month",
    "im nearly 18",
    "I'm 17",
    "I am 15yo",
    "a 15-year-old girl in my class",
    "im still under 18",
    "im doing my gcses",
    "i was 15 when he took them and im 16 now",
]
ADULT = [
    "I am 34 and my ex put my pictures online",
    "im over 18",
    "I'm an adult",
    "i'm 18",
    "I'm twenty three",
    "i was 15 when it happened and i am 22 now",
    "my 20 year old son is being blackmailed",
    "my daughter is 19",
]
UNKNOWN = [
    "my ex shared my nudes",
    "when I was 15 he took pictures of me",  # past age: now is unknown, so ask
    "pictures of me aged 15 are online",
    "photos from when i was in year 9 are on a website",
    "I'm in sixth form",  # 16 to 18: ask
    "a 40 year old man has my pictures",  # another adult's age says nothing about me
    "my boyfriend is 19 and he shared my nudes",
    "im 15 minutes away from the police station",
    "he wants 15 pounds or he shares them",
    "i sent him 16 pictures",
    "",
]


@pytest.mark.parametrize("text", UNDER_18)
def test_under_18(text: str) -> None:
    assert age_band(text) == "under_18"


@pytest.mark.parametrize("text", ADULT)
def test_adult(text: str) -> None:
    assert age_band(text) == "adult"


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_means_ask(text: str) -> None:
    assert age_band(text) is None


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("15", "under_18"),
        ("im 16", "under_18"),
        ("I'm 15 years old", "under_18"),
        ("sixteen", "under_18"),
        ("under 18", "under_18"),
        ("u18", "under_18"),
        ("Under 18", "under_18"),
        ("over 18", "adult"),
        ("18+", "adult"),
        ("18 or over", "adult"),
        ("18", "adult"),
        ("45", "adult"),
        ("adult", "adult"),
        ("what", None),
    ],
)
def test_typed_answer_to_the_age_question(text: str, band: str | None) -> None:
    assert age_band(text, answering=True) == band


def test_a_bare_number_is_not_an_age_outside_an_answer() -> None:
    assert age_band("15") is None


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=5, max_value=99))
def test_every_stated_age_falls_on_the_right_side_of_18(age: int) -> None:
    expected = "under_18" if age < 18 else "adult"
    assert age_band(f"I'm {age} and he shared my pictures") == expected
    assert age_band(str(age), answering=True) == expected
