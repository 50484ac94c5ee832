"""Normalisation: a hurried spelling and a tidy one must end up the same."""

from __future__ import annotations

import pytest

from bot.core.normalize import normalize, strip_accents


class TestNormalize:
    def test_lower_cases_everything(self) -> None:
        """Capitals shouted in panic compare equal to lower case."""
        assert normalize("HELP My BANK") == "help my bank"

    def test_nfkc_folds_compatibility_forms(self) -> None:
        """Full-width letters and ligatures typed on odd keyboards become plain letters."""
        assert normalize("ＳＣＡＭ ﬁle") == "scam file"

    def test_accents_removed_from_latin_letters(self) -> None:
        """'café' and 'cafe' are the same word."""
        assert normalize("Café résumé") == "cafe resume"

    def test_other_scripts_kept(self) -> None:
        """Messages in other scripts keep their letters rather than vanishing."""
        assert normalize("Допоможіть мені") == "допоможіть мені"

    def test_emoji_and_punctuation_become_spaces(self) -> None:
        """Emoji and punctuation carry no evidence and never glue words together."""
        assert normalize("scam!!!😭😭help...me") == "scam help me"

    def test_apostrophes_dropped_before_text_speak(self) -> None:
        """ "don't" and "dont" both become "do not"."""
        assert normalize("I don't know") == normalize("i dont know") == "i do not know"

    def test_curly_apostrophes_treated_like_straight_ones(self) -> None:
        """Phones type ’ instead of '; the result must not differ."""
        assert normalize("I’ve been hacked") == normalize("I've been hacked")

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("pleeeeease", "pleease"),
            ("helllllp", "hellp"),
            ("sooooo scared", "soo scared"),
            ("good", "good"),
        ],
    )
    def test_repeated_letters_collapsed(self, typed: str, expected: str) -> None:
        """Three or more of one letter is emphasis; two stay, as in 'good'."""
        assert normalize(typed) == expected

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("u", "you"),
            ("sum1 hacked my acc", "someone hacked my account"),
            ("pls help", "please help"),
            ("fb msg", "facebook message"),
            ("i recieved a txt", "i received a text"),
            ("idk wot 2 do", "i do not know what 2 do"),
            ("i wana kms", "i want to kill myself"),
        ],
    )
    def test_text_speak_expanded(self, typed: str, expected: str) -> None:
        """Common UK text-speak and misspellings map to the plain words."""
        assert normalize(typed) == expected

    def test_whitespace_collapsed_and_trimmed(self) -> None:
        """Tabs, newlines and runs of spaces become single spaces."""
        assert normalize("  my \n\n bank\t  ") == "my bank"

    def test_money_keeps_digits(self) -> None:
        """Amounts keep their digits; the pound sign goes."""
        assert normalize("lost £1,500") == "lost 1 500"

    def test_empty_and_symbol_only_messages(self) -> None:
        """A message of only emoji normalises to nothing rather than failing."""
        assert normalize("🤷‍♀️🤷") == ""
        assert normalize("") == ""

    def test_idempotent(self) -> None:
        """Normalising twice changes nothing more."""
        once = normalize("I’ve been SCAMMED!!! sum1 took £500")
        assert normalize(once) == once


class TestStripAccents:
    def test_keeps_non_latin_combining_marks(self) -> None:
        """Devanagari vowel signs are part of the word and must survive."""
        assert strip_accents("मदद") == "मदद"
