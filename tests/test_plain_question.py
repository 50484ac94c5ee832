"""Plain everyday questions about a topic's object are offered the topic, not answered as a crime.

"How do I scan a QR code on my iPhone?" is not a QR code scam; answering it with "call your
bank" would baffle the person. Offering the topic as a button keeps one tap for the rare
victim who asks that way.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.matcher import Matcher, MatcherConfig, content_words
from bot.core.model import ChatState, Content, Event
from bot.core.plain_question import WrongdoingWords, asks
from bot.insight.explain import explain


class TestAsks:
    @pytest.mark.parametrize(
        "text",
        [
            "how do I scan a qr code",
            "I'm in Spain, can I use my card at a cash machine here",
            "new sim came today. what do I do with the old one",
            "is this normal?",
            "phone's been dead all day. who do I ring",
        ],
    )
    def test_questions_are_seen(self, text: str) -> None:
        assert asks(text)

    @pytest.mark.parametrize(
        "text",
        [
            "My ex has just turned up and is smashing my windows",
            "my bf reads my messages and who i talk to every night",
            "someone hacked my instagram",
            "when i was 15 my bf took pics and now they're online",
        ],
    )
    def test_reports_are_not_questions(self, text: str) -> None:
        """A question word after 'and' is the middle of a sentence, not a question."""
        assert not asks(text)


class TestWrongdoingWords:
    def test_stems_phrases_and_mapped_typos_count(self) -> None:
        words = WrongdoingWords(["scammed", "didn't do"], {"scam": 7})
        assert words.found(content_words("they scammed me"), {})
        assert words.found(content_words("i didnt do it"), {})
        # A typo the matcher mapped onto the catalog's "scam" counts as the word itself.
        assert words.found(["skamd"], {"skamd": [(7, 0.85)]})
        assert not words.found(content_words("how do i scan a qr code"), {})
        assert not words.found(content_words("i did it, do not worry"), {})

    def test_empty_list_is_off(self) -> None:
        assert not WrongdoingWords([], {})


class TestOnTheCatalog:
    @pytest.mark.parametrize(
        ("text", "topic"),
        [
            ("how do I scan a qr code on my iphone", "qr_code_scam"),
            ("how do i pay for parking with the qr code at the station", "qr_code_scam"),
            ("can I share my location with my husband on google maps", "domestic_tech_abuse"),
        ],
    )
    def test_plain_question_is_offered_not_answered(
        self, matcher: Matcher, text: str, topic: str
    ) -> None:
        match = matcher.classify(text)
        assert match.decision == "clarify"
        assert match.offered == (topic,)
        assert match.held_back == "plain_question"

    @pytest.mark.parametrize(
        ("text", "topic"),
        [
            (
                "someone put a fake qr code on the parking meter, how do I get my money back?",
                "qr_code_scam",
            ),
            (
                "there's a payment of £250 on my debit card that I didn't make, can you stop it?",
                "card_fraud",
            ),
        ],
    )
    def test_a_question_naming_wrongdoing_is_answered(
        self, matcher: Matcher, text: str, topic: str
    ) -> None:
        assert matcher.classify(text).intent == topic

    @pytest.mark.parametrize(
        ("text", "service"),
        [
            ("how do i stay safe online?", "protect_yourself"),
            ("can I talk to a person?", "talk_to_human"),
        ],
    )
    def test_service_questions_are_still_answered(
        self, matcher: Matcher, text: str, service: str
    ) -> None:
        """Asking for tips or a person names nothing wrong, and needs no wrongdoing to answer."""
        assert matcher.classify(text).intent == service

    def test_without_the_word_list_the_check_is_off(self, content: Content) -> None:
        cfg = replace(MatcherConfig.load(), wrongdoing_words=())
        match = Matcher(content, cfg).classify("how do I scan a qr code on my iphone")
        assert match.decision == "matched"

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("how do I scan a qr code on my iphone", "naming no wrongdoing"),
            (
                "is there a charge for using a cash machine abroad with a nationwide card",
                "worded like an everyday example",
            ),
        ],
    )
    def test_explain_names_the_reason(self, matcher: Matcher, text: str, reason: str) -> None:
        """An operator asking why a question was offered, not answered, is told which check."""
        facts = explain(matcher, text, matcher.classify(text), None)
        assert str(facts["why"]).startswith("offered: ")
        assert reason in str(facts["why"])

    def test_the_person_sees_one_button_for_the_topic(self, engine: Engine) -> None:
        turn = engine.respond(Event("text", "how do I scan a qr code on my iphone"), ChatState())
        data = [b.data for r in turn.replies for row in r.buttons for b in row]
        assert data == ["offer:qr_code_scam", "other"]


def test_a_list_written_as_one_line_still_loads(tmp_path: Path) -> None:
    """An operator writing 'scam, fraud' on one line gets two words, not eleven letters."""
    path = tmp_path / "matcher.yaml"
    path.write_text("wrongdoing_words: scam, fraud\n", encoding="utf-8")
    assert MatcherConfig.load(path).wrongdoing_words == ("scam", "fraud")
