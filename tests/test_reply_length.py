"""First replies are read on a phone by someone upset: one action, where to report, support.

The limits come from /work/shared/voice.md: about 60 words, never over 80. They are counted
the way `python -m bot catalog --json` reports `first_reply_words`: placeholders filled in,
tags removed, words split on spaces.
"""

from __future__ import annotations

import statistics

import pytest

from bot.content.validate import catalog_dict, reply_words
from bot.core.model import Content

MAX_WORDS = 80
MAX_MEDIAN = 60


@pytest.fixture(scope="module")
def words(content: Content) -> dict[str, int]:
    return {r["id"]: r["first_reply_words"] for r in catalog_dict(content)["responses"]}


def test_reply_words_counts_what_the_user_reads() -> None:
    """Tags and link markup are not words; a link reads as its one label."""
    html = '<b>Call your bank.</b> Visit <a href="https://www.x.uk/">x.uk</a> &amp; rest'
    assert reply_words(html) == 7


def test_no_first_reply_over_80_words(words: dict[str, int]) -> None:
    """A first reply longer than 80 words runs off a phone screen."""
    too_long = {i: n for i, n in words.items() if n > MAX_WORDS}
    assert too_long == {}, f"first replies over {MAX_WORDS} words: {too_long}"


def test_median_first_reply_is_at_most_60_words(words: dict[str, int]) -> None:
    """Most first replies fit on one screen; the detail is behind the section buttons."""
    assert statistics.median(words.values()) <= MAX_MEDIAN, sorted(
        words.items(), key=lambda x: -x[1]
    )
