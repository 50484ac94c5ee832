"""The fuzzy matcher: typos, long messages, and knowing when it is not sure."""

from __future__ import annotations

import pytest

from bot.core.matcher import Matcher, MatcherConfig, content_words, stem
from bot.core.model import Content, Intent
from bot.insight.evaluate import Pipeline


def tiny_content(**extra: Intent) -> Content:
    intents = {
        "parcel": Intent(
            "parcel",
            "crime",
            "Parcel texts",
            "",
            "money",
            (
                "text about a parcel delivery fee",
                "royal mail says my parcel is held",
                "delivery company wants a redelivery charge",
            ),
            ("parcel", "redelivery"),
        ),
        "hacked": Intent(
            "hacked",
            "crime",
            "Hacked",
            "",
            "accounts",
            ("someone got into my email", "my facebook was hacked", "locked out of instagram"),
            ("hacked", "hacker"),
        ),
        "everyday": Intent(
            "everyday",
            "negative",
            "Not covered",
            "",
            None,
            ("what time is bin day", "weather tomorrow in buxton", "bus times to derby"),
            (),
        ),
        **extra,
    }
    return Content(intents, {}, {}, {})


class TestTypos:
    @pytest.mark.parametrize(
        ("clean", "typed"),
        [
            (
                "someone hacked my instagram account and changed the password",
                "sumone hackd my insta acount and chnaged the pasword",
            ),
            (
                "I got a text saying my parcel was held and I had to pay a fee",
                "i got a txt sayin my parcle was held n i had to pay a fee",
            ),
            (
                "my ex is sharing my nudes online without my consent",
                "my ex is shareing my nudez onlin without my concent",
            ),
            (
                "a man I met on a dating site keeps asking me for money",
                "a man i met on a datin site keeps askin me for mony",
            ),
        ],
    )
    def test_same_intent_with_and_without_typos(
        self, matcher: Matcher, clean: str, typed: str
    ) -> None:
        """A hurried, misspelt message is understood as the tidy one is."""
        tidy = matcher.classify(clean)
        hurried = matcher.classify(typed)
        assert tidy.decision == "matched"
        assert hurried.intent == tidy.intent

    def test_stemming_joins_word_forms(self) -> None:
        """'bullied', 'bullying' and 'bully' count as one word."""
        assert stem("bullied") == stem("bullying") == stem("bully")
        assert content_words("Scammers scammed me") == ["scam", "scam", "me"]


class TestDecisions:
    def test_clear_message_is_matched(self) -> None:
        """A message close to one intent's examples is matched to it."""
        match = Matcher(tiny_content()).classify("royal mail text wants a parcel fee")
        assert match.decision == "matched"
        assert match.intent == "parcel"

    def test_everyday_message_is_no_match(self) -> None:
        """A message closest to the out-of-scope examples is not given a topic."""
        match = Matcher(tiny_content()).classify("what time is the bus to derby")
        assert match.decision == "no_match"
        assert match.intent is None
        assert all(c.intent != "everyday" for c in match.alternatives)

    def test_unrelated_message_is_no_match(self) -> None:
        """Words the catalog has never seen give no match rather than a guess."""
        match = Matcher(tiny_content()).classify("zxqv plorb wibble")
        assert match.decision == "no_match"

    def test_two_close_candidates_ask_which_one(self) -> None:
        """Two intents within the margin: the matcher offers both instead of guessing."""
        config = MatcherConfig(ambiguity_floor=1.0, margin=30.0, match_threshold=1.0)
        match = Matcher(tiny_content(), config).classify("hacked parcel")
        assert match.decision == "clarify"
        assert match.intent is None
        assert set(match.offered) == {"parcel", "hacked"}

    def test_grey_zone_offers_the_closest_topics(self) -> None:
        """Below the threshold but above the clarify floor, the nearest topics are offered."""
        strict = MatcherConfig(match_threshold=99.0, clarify_floor=1.0, out_of_scope_margin=0.0)
        match = Matcher(tiny_content(), strict).classify("someone hacked my account")
        assert match.decision == "clarify"
        assert match.offered[0] == "hacked"
        assert len(match.offered) <= 3

    def test_small_talk_is_never_offered(self) -> None:
        """An intent listed in never_offer (e.g. goodbye) is never shown as a topic button."""
        strict = MatcherConfig(
            match_threshold=99.0,
            clarify_floor=1.0,
            out_of_scope_margin=0.0,
            clarify_share=0.0,
            never_offer=("hacked",),
        )
        match = Matcher(tiny_content(), strict).classify("someone hacked my account")
        assert "hacked" not in match.offered
        assert match.decision == ("clarify" if match.offered else "no_match")

    def test_below_the_clarify_floor_offers_nothing(self) -> None:
        """A weak guess under the floor is no match, with nothing offered."""
        strict = MatcherConfig(match_threshold=99.0, clarify_floor=99.0)
        match = Matcher(tiny_content(), strict).classify("someone hacked my account")
        assert match.decision == "no_match"
        assert match.offered == ()

    def test_matched_offers_nothing(self, matcher: Matcher) -> None:
        """A confident match is acted on at once: no buttons to choose from."""
        match = matcher.classify("someone hacked my facebook and changed the password")
        assert match.decision == "matched"
        assert match.offered == ()

    def test_scores_share_one_scale(self, matcher: Matcher) -> None:
        """Every score is between 0 and 100, and alternatives are ranked."""
        match = matcher.classify("my bank card has payments i never made")
        scores = [c.score for c in match.alternatives]
        assert all(0 <= s <= 100 for s in scores)
        assert scores == sorted(scores, reverse=True)

    def test_empty_and_emoji_messages(self, matcher: Matcher) -> None:
        """Nothing to go on means no match, never an exception."""
        for text in ("", "   ", "😭😭😭", "?!?!"):
            assert matcher.classify(text).decision == "no_match"


class TestLongMessages:
    def test_evidence_anywhere_in_a_4096_character_message_counts(self, matcher: Matcher) -> None:
        """The crime mentioned at the end of a long ramble is still found."""
        filler = "I have been so stressed and my mum has been poorly and work is busy. "
        text = (filler * 60)[:3900] + " Then someone hacked my facebook and changed my password."
        assert len(text) <= 4096
        assert matcher.classify(text).intent == "account_hacking"

    def test_other_scripts_do_not_break_it(self, matcher: Matcher) -> None:
        """A message in another script gets a decision, not an error."""
        assert matcher.classify("Мене обдурили в інтернеті").decision in {
            "no_match",
            "clarify",
            "matched",
        }


class TestExplain:
    def test_explain_names_keywords_and_examples(self, matcher: Matcher) -> None:
        """--explain evidence lists the keywords hit and the nearest examples."""
        match = matcher.classify("got a phishing email from paypal", explain=True)
        assert match.evidence is not None
        assert match.evidence["examples"]
        assert any(k["intent"] == "phishing" for k in match.evidence["keywords"])


class TestNearMisses:
    """Everyday banking questions share the card-fraud words but are not card fraud."""

    @pytest.mark.parametrize(
        "text",
        [
            "my new debit card hasn't arrived yet, how long does it take",
            "how do i set up a direct debit for my gym",
            "my bank transfer to my landlord is still pending",
            "i forgot my facebook password and the reset email isn't coming",
        ],
    )
    def test_an_ordinary_question_is_not_taken_for_a_crime(
        self, pipeline: Pipeline, text: str
    ) -> None:
        match, safety = pipeline.classify(text)
        assert safety is None
        assert match.decision == "no_match", match

    def test_the_crime_in_the_same_words_is_still_matched(self, pipeline: Pipeline) -> None:
        match, _ = pipeline.classify("a direct debit i never set up took 90 quid from my account")
        assert match.intent == "card_fraud"


class TestEverydayCheck:
    """A message worded like a known everyday question is offered the topic, not answered."""

    def test_a_cash_machine_question_is_offered_not_answered(self, matcher) -> None:
        match = matcher.classify(
            "is there a charge for using a cash machine abroad with a nationwide card"
        )
        assert match.decision == "clarify"
        assert match.offered == ("card_fraud",)
        assert match.held_back == "everyday_example"

    def test_a_real_sim_swap_is_still_answered(self, matcher) -> None:
        match = matcher.classify(
            "my phone lost signal and then a text said my number had moved to a new sim, "
            "now money has gone from my bank"
        )
        assert match.intent == "sim_swap"
