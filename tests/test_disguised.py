"""Disguised text: invisible characters, look-alike letters and full-width forms.

A person in danger (or a phone keyboard) may produce text that looks plain on screen but is
not: a zero-width space inside "kill", a Cyrillic "і" in "myself", full-width letters. The
safety screen and the matcher must read it as the plain words it looks like.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.engine import Engine
from bot.core.matcher import Matcher
from bot.core.model import ChatState, Event
from bot.core.normalize import clean, normalize
from bot.core.safety import SafetyScreen

_ROWS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "crisis.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
# The dev set's crisis messages (the rest of the file are near misses that must not trigger).
CRISIS = [row["text"] for row in _ROWS if row["intent"] in {"emergency", "self_harm_crisis"}]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u00ad", "\u2060", "\ufeff"]
INVISIBLE += ["\ufe0f", "\ufe0e", "\U000e0101"]  # variation selectors
# Latin letter -> Cyrillic and Greek letters drawn to look the same.
LOOKALIKES = {
    "a": "аα",
    "e": "еε",
    "o": "оο",
    "p": "рρ",
    "c": "сϲ",
    "x": "хχ",
    "i": "іι",
    "j": "ј",
    "s": "ѕ",
    "y": "у",
    "k": "кκ",
    "m": "м",
    "h": "һн",
    "t": "тτ",
    "b": "в",
    "v": "ν",
    "u": "υ",
    "A": "АΑ",
    "E": "ЕΕ",
    "O": "ОΟ",
    "T": "ТΤ",
    "I": "ІΙ",
    "M": "МΜ",
    "H": "НΗ",
}


def full_width(char: str) -> str:
    if char == " ":
        return "\u3000"  # ideographic space
    if "!" <= char <= "~":
        return chr(ord(char) + 0xFEE0)
    return char


def disguise(text: str, rng: random.Random, swap: float, insert: float, wide: float) -> str:
    out: list[str] = []
    for char in text:
        if char in LOOKALIKES and rng.random() < swap:
            char = rng.choice(LOOKALIKES[char])
        elif rng.random() < wide:
            char = full_width(char)
        out.append(char)
        if rng.random() < insert:
            out.append(rng.choice(INVISIBLE))
    return "".join(out)


class TestClean:
    def test_invisible_characters_are_removed(self) -> None:
        """Zero-width spaces, joiners, soft hyphens and BOMs inside a word vanish."""
        assert normalize("ki\u200bll my\u00adse\u2060lf\ufeff") == "kill myself"
        assert normalize("e\u200dnd it a\u200cll") == "end it all"

    def test_variation_selectors_are_removed(self) -> None:
        assert normalize("di\ufe0fe") == "die"

    def test_lookalike_letters_in_a_latin_word_become_latin(self) -> None:
        """A Cyrillic "і" or Greek "ο" inside an English word reads as the English letter."""
        assert normalize("kіll mysеlf") == "kill myself"  # Cyrillic і, е
        assert normalize("οverdοse") == "overdose"  # Greek omicron
        assert normalize("SUІCІDE") == "suicide"  # Cyrillic capital І

    def test_lookalike_only_words_in_an_english_message_become_latin(self) -> None:
        """ "һе" (all Cyrillic look-alikes) among English words is the English "he"."""
        assert normalize("һе is outside") == "he is outside"

    @pytest.mark.parametrize(
        "text",
        ["Допоможіть мені", "сок", "Мене обдурили в інтернеті", "θέλω να πεθάνω", "кто там"],
    )
    def test_whole_words_of_other_scripts_stay(self, text: str) -> None:
        """A message written in Cyrillic or Greek keeps its letters (the bot says it reads
        English); only look-alikes hiding in Latin words are changed."""
        assert normalize(text) == text.casefold()

    def test_full_width_letters_fold(self) -> None:
        assert normalize("ｋｉｌｌ\u3000ｍｙｓｅｌｆ") == "kill myself"

    def test_clean_leaves_plain_text_alone(self) -> None:
        assert clean("I'm scared. He's here!") == "I'm scared. He's here!"

    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=300))
    def test_normalize_never_raises(self, text: str) -> None:
        result = normalize(text)
        assert normalize(result) == result  # normalising twice changes nothing


class TestDisguisedCrisis:
    @pytest.mark.parametrize(
        "text",
        [
            "i want to k\u200bill my\u00adself tonight",
            "і wаnt tо kіll mуsеlf tоnіght",  # Cyrillic look-alikes
            "ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ ｔｏｎｉｇｈｔ",
            "hе's outsidе my hοusе right nοw saying he'll kіll me",
        ],
    )
    def test_disguised_crisis_is_caught(self, screen: SafetyScreen, text: str) -> None:
        assert screen.check(text) is not None

    def test_full_width_punctuation_still_ends_a_clause(self, screen: SafetyScreen) -> None:
        """A blocker ("last month") must not silence danger now in the next sentence, whether
        the full stop is typed as "!" or full-width "！"."""
        assert screen.check("he threatened me last month! now he is outside my house")
        assert screen.check("he threatened me last month！ now he is outside my house")

    def test_engine_answers_disguised_crisis_with_the_safety_reply(self, engine: Engine) -> None:
        turn = engine.respond(Event("text", "i w\u200bаnt to ｅｎｄ it all tonight"), ChatState())
        assert turn.replies[0].safety

    def test_the_matcher_reads_through_the_disguise(self, matcher: Matcher) -> None:
        plain = matcher.classify("someone hacked my facebook and changed the password")
        masked = matcher.classify("sоmеоnе hа\u200bcked my fаcеbооk and chаngеd the pаsswоrd")
        assert masked.intent == plain.intent == "account_hacking"

    @settings(max_examples=120, deadline=None)
    @given(
        index=st.integers(0, len(CRISIS) - 1),
        seed=st.integers(0, 2**32 - 1),
        swap=st.floats(0, 1),
        insert=st.floats(0, 0.5),
        wide=st.floats(0, 1),
    )
    def test_every_caught_crisis_is_still_caught_disguised(
        self, screen: SafetyScreen, index: int, seed: int, swap: float, insert: float, wide: float
    ) -> None:
        """Invisible characters, look-alike letters and full-width forms never hide a crisis
        the screen catches in plain text."""
        plain = CRISIS[index]
        assert screen.check(plain) is not None  # the dev set's crisis recall is 100%
        masked = disguise(plain, random.Random(seed), swap, insert, wide)
        assert screen.check(masked) is not None, masked

    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=300))
    def test_screen_never_raises(self, screen: SafetyScreen, text: str) -> None:
        screen.check(text)
