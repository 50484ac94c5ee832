"""The conversation engine, turn by turn, as a person on a phone would experience it."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.core.engine import Engine
from bot.core.matcher import MatcherConfig
from bot.core.model import Candidate, ChatState, Content, Event, Match, Reply

CRIME_TEXT = "someone I met on a dating app says he loves me and keeps asking me to send him money"
CRIME = "romance_fraud"


def say(
    engine: Engine, text: str, state: ChatState | None = None
) -> tuple[list[Reply], ChatState]:
    turn = engine.respond(Event("text", text), state or ChatState())
    return list(turn.replies), turn.state


def press(engine: Engine, data: str, state: ChatState) -> tuple[list[Reply], ChatState]:
    turn = engine.respond(Event("button", data), state)
    return list(turn.replies), turn.state


def command(engine: Engine, text: str, payload: str = "", state: ChatState | None = None):
    turn = engine.respond(Event("command", text, payload=payload), state or ChatState())
    return list(turn.replies), turn.state


def all_data(replies: list[Reply]) -> list[str]:
    return [b.data for r in replies for row in r.buttons for b in row]


class FixedMatcher:
    """Stands in for the matcher when a test needs one exact decision."""

    config = MatcherConfig()

    def __init__(self, match: Match) -> None:
        self.match = match

    def scores(self, text: str) -> dict[str, float]:
        return {}

    def classify(self, text: str, *, explain: bool = False) -> Match:
        return self.match


class TestCrimeReply:
    def test_matched_crime_gives_first_reply_with_routes(self, engine: Engine) -> None:
        """A described crime gets its first reply naming the key routes and victim services."""
        replies, state = say(engine, CRIME_TEXT)
        first = replies[0]
        assert first.intent == CRIME
        assert {"bank_159", "report_fraud", "victim_services"} <= set(first.routes)
        assert state.topic == CRIME

    def test_first_reply_offers_sections_and_main_menu(
        self, engine: Engine, content: Content
    ) -> None:
        """Buttons under the first reply open each section, and one returns to the menu."""
        replies, _ = say(engine, CRIME_TEXT)
        data = all_data(replies[:1])
        for section in content.responses[CRIME].sections:
            assert f"section:{CRIME}:{section.id}" in data
        assert "menu:main" in data

    def test_follow_up_question_is_asked_as_second_message(
        self, engine: Engine, content: Content
    ) -> None:
        """When the topic has a follow-up question, it comes next with answer buttons."""
        replies, state = say(engine, CRIME_TEXT)
        question = content.responses[CRIME].question
        assert question is not None
        assert len(replies) == 2
        assert f"answer:{CRIME}:yes" in all_data(replies[1:])
        assert state.pending == CRIME

    def test_every_reply_button_fits_telegram(self, engine: Engine, content: Content) -> None:
        """No button of any intent's reply carries more than 64 bytes of callback data."""
        for intent_id in content.intents:
            replies, _ = press(engine, f"intent:{intent_id}", ChatState())
            for data in all_data(replies):
                assert len(data.encode()) <= 64, (intent_id, data)


class TestFollowUps:
    @pytest.mark.parametrize("words", ["yeah", "yes i have", "i did unfortunately", "Yep."])
    def test_yes_in_words_goes_to_yes_branch(
        self, engine: Engine, content: Content, words: str
    ) -> None:
        """'yeah' after the question gives the yes branch, not the fallback."""
        _, state = say(engine, CRIME_TEXT)
        replies, state = say(engine, words, state)
        yes = next(a for a in content.responses[CRIME].question.answers if a.id == "yes")
        assert replies[0].intent == CRIME
        assert replies[0].text.startswith(yes.text.strip()[:20].split("{")[0])
        assert state.pending is None

    @pytest.mark.parametrize("words", ["nope", "no", "not yet", "nah not yet"])
    def test_no_in_words_goes_to_no_branch(
        self, engine: Engine, content: Content, words: str
    ) -> None:
        """'nope' and 'not yet' give the no branch."""
        _, state = say(engine, CRIME_TEXT)
        replies, _ = say(engine, words, state)
        no = next(a for a in content.responses[CRIME].question.answers if a.id == "no")
        assert replies[0].text.startswith(no.text.strip()[:20].split("{")[0])

    def test_answer_button_gives_branch(self, engine: Engine) -> None:
        """Pressing the yes button gives the same branch as typing yes."""
        _, state = say(engine, CRIME_TEXT)
        by_button, _ = press(engine, f"answer:{CRIME}:yes", state)
        by_words, _ = say(engine, "yes", state)
        assert by_button[0].text == by_words[0].text

    def test_already_paid_applies_to_current_topic(self, engine: Engine) -> None:
        """'I already paid them' after a fraud topic brings the money-gone advice with 159."""
        _, state = say(engine, CRIME_TEXT)
        _, state = say(engine, "thanks", state)
        replies, _ = say(engine, "I already paid them", state)
        assert replies[0].intent == CRIME
        assert "bank_159" in replies[0].routes

    @pytest.mark.parametrize(
        ("words", "section"),
        [
            ("how do I report it?", "report"),
            ("is it a crime?", "law"),
            ("what now?", "now"),
        ],
    )
    def test_context_follow_up_opens_topic_section(
        self, engine: Engine, content: Content, words: str, section: str
    ) -> None:
        """Short follow-ups about 'it' apply to the topic in hand."""
        _, state = say(engine, "someone keeps sending me flashing gifs to set off my epilepsy")
        topic = state.topic
        assert topic == "flashing_images"
        sections = {s.id for s in content.responses[topic].sections}
        if section not in sections:
            pytest.skip(f"{topic} has no {section} section")
        replies, _ = say(engine, words, state)
        assert replies[0].intent == topic
        assert f"section:{topic}:{section}" not in all_data(replies)

    def test_describing_another_crime_switches_topic(self, engine: Engine) -> None:
        """A new crime described mid-topic becomes the topic."""
        _, state = say(engine, CRIME_TEXT)
        replies, state = say(
            engine, "also my instagram got hacked and they changed my password and email", state
        )
        assert replies[0].intent == "account_hacking"
        assert state.topic == "account_hacking"


class TestSafety:
    def test_crisis_mid_topic_leads_with_999(self, engine: Engine) -> None:
        """Danger now beats whatever the conversation was doing."""
        _, state = say(engine, CRIME_TEXT)
        replies, state = say(engine, "he's outside my house right now banging on the door", state)
        assert replies[0].safety is True
        assert replies[0].intent == "emergency"
        assert "999" in replies[0].text.split("\n")[0]
        assert state.pending is None

    def test_self_harm_leads_with_help(self, engine: Engine) -> None:
        """Someone at risk of suicide gets Samaritans and 999, flagged as safety."""
        replies, _ = say(engine, "lost everything to these scammers, i just want to end it all")
        assert replies[0].safety is True
        assert replies[0].intent == "self_harm_crisis"
        assert {"samaritans", "emergency_999"} <= set(replies[0].routes)

    def test_safety_overrides_pending_question(self, engine: Engine) -> None:
        """Even a yes/no question in progress gives way to a crisis message."""
        _, state = say(engine, CRIME_TEXT)
        replies, _ = say(engine, "yes and i want to kill myself", state)
        assert replies[0].safety is True


class TestUnclear:
    def test_no_match_gives_menu_and_101(self, content: Content, clock) -> None:
        """A message the bot can't place gets a kind reply, the grouped menu and 101."""
        engine = Engine(content, FixedMatcher(Match(None, 10.0, "no_match")), clock=clock)
        replies, _ = say(engine, "my bike was nicked from outside the shop")
        assert "police_101" in replies[0].routes
        data = all_data(replies)
        for group in ("money", "accounts", "abuse", "children", "support"):
            assert f"menu:{group}" in data

    def test_clarify_asks_is_it_one_of_these(self, content: Content, clock) -> None:
        """An unsure match offers the matcher's topics as buttons, then 'Something else'."""
        alts = (Candidate("phishing", 30.0), Candidate("impersonation_fraud", 28.0))
        offered = ("phishing", "impersonation_fraud")
        match = Match(None, 30.0, "clarify", alts, None, offered)
        engine = Engine(content, FixedMatcher(match), clock=clock)
        replies, _ = say(engine, "a message about my bank")
        assert all_data(replies) == ["offer:phishing", "offer:impersonation_fraud", "other"]

    def test_pressing_an_offer_gives_that_topic(self, engine: Engine) -> None:
        """Pressing one of the offered topics answers that topic as if it had been matched."""
        replies, state = press(engine, "offer:phishing", ChatState())
        assert replies[0].intent == "phishing"
        assert state.topic == "phishing"

    def test_something_else_shows_the_whole_menu(self, engine: Engine) -> None:
        """'Something else' shows every topic group and still invites their own words."""
        replies, _ = press(engine, "other", ChatState())
        data = all_data(replies)
        for group in ("money", "accounts", "abuse", "children", "support"):
            assert f"menu:{group}" in data
        assert "own words" in replies[0].text

    def test_other_script_gets_a_kind_english_only_reply(self, engine: Engine) -> None:
        """A message in another script is told, kindly, that the bot reads English, with 101."""
        replies, _ = say(engine, "Мене обдурили в інтернеті, вкрали гроші")
        assert "English" in replies[0].text
        assert "police_101" in replies[0].routes
        assert "menu:money" in all_data(replies)

    def test_menu_group_lists_its_crimes(self, engine: Engine, content: Content) -> None:
        """Pressing a group shows every crime type in it, then the main menu."""
        replies, _ = press(engine, "menu:money", ChatState())
        expected = {f"intent:{i.id}" for i in content.intents.values() if i.group == "money"}
        assert expected <= set(all_data(replies))

    def test_stale_button_is_answered_kindly(self, engine: Engine) -> None:
        """Old or unknown button data gets the menu, not an error."""
        replies, _ = press(engine, "section:nope:none", ChatState())
        assert "menu:money" in all_data(replies)
        assert replies[0].text


class TestCommandsAndSmallTalk:
    def test_start_with_topic_opens_that_topic(self, engine: Engine) -> None:
        """A deep link /start phishing goes straight to the phishing advice."""
        replies, state = command(engine, "/start", "phishing")
        assert replies[0].intent == "phishing"
        assert state.topic == "phishing"

    def test_start_with_unknown_topic_welcomes(self, engine: Engine) -> None:
        """An unknown deep-link payload still gets a welcome and the menu."""
        replies, _ = command(engine, "/start", "<script>")
        assert "menu:money" in all_data(replies)

    @pytest.mark.parametrize(
        ("cmd", "intent"),
        [
            ("/help", "help"),
            ("/report", "how_to_report"),
            ("/support", "victim_support"),
            ("/protect", "protect_yourself"),
            ("/privacy", "privacy"),
        ],
    )
    def test_commands_open_their_topics(self, engine: Engine, cmd: str, intent: str) -> None:
        """Each command opens the matching reply."""
        replies, _ = command(engine, cmd)
        assert replies[0].intent == intent

    def test_forget_clears_state_and_offers_clear_chat(self, engine: Engine) -> None:
        """/forget wipes the state and offers to clear the chat from the phone."""
        _, state = say(engine, CRIME_TEXT)
        replies, state = command(engine, "/forget", state=state)
        assert state.topic is None
        assert state.pending is None
        assert "clear" in all_data(replies)

    def test_cancel_drops_topic(self, engine: Engine) -> None:
        """/cancel starts again with the menu."""
        _, state = say(engine, CRIME_TEXT)
        replies, state = command(engine, "/cancel", state=state)
        assert state.topic is None
        assert "menu:money" in all_data(replies)

    def test_unknown_command(self, engine: Engine) -> None:
        """An unknown command is answered, not ignored."""
        replies, _ = command(engine, "/bogus")
        assert "/help" in replies[0].text or "/menu" in replies[0].text

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            ("hiya", "greeting"),
            ("thank you so much", "thanks"),
            ("bye for now", "goodbye"),
            ("what do you do with my data", "privacy"),
        ],
    )
    def test_small_talk(self, engine: Engine, text: str, intent: str) -> None:
        """Greeting, thanks, goodbye and privacy behave as people expect."""
        replies, _ = say(engine, text)
        assert replies[0].intent == intent

    def test_thanks_keeps_topic(self, engine: Engine) -> None:
        """Saying thanks does not forget what we were talking about."""
        _, state = say(engine, CRIME_TEXT)
        _, state = say(engine, "thanks", state)
        assert state.topic == CRIME

    @pytest.mark.parametrize(
        "kind", ["photo", "sticker", "voice", "video", "document", "location", "contact"]
    )
    def test_non_text_asks_for_words(self, engine: Engine, kind: str) -> None:
        """A photo or sticker gets a kind request to describe it in words."""
        replies = engine.respond(Event(kind), ChatState()).replies  # type: ignore[arg-type]
        assert replies[0].text
        assert replies[0].intent is None


class TestGroupsAndState:
    def test_group_crime_suggests_private_chat(self, engine: Engine) -> None:
        """In a group, a personal matter is not discussed in front of others."""
        turn = engine.respond(Event("text", CRIME_TEXT, is_group=True), ChatState())
        assert len(turn.replies) == 1
        assert not turn.replies[0].routes

    def test_state_holds_no_text(self, engine: Engine) -> None:
        """The state kept after a turn has only ids and a time, never what was typed."""
        _, state = say(engine, "my name is Zebedee Quixote and I was scammed out of 900 pounds")
        for f in fields(state):
            value = getattr(state, f.name)
            assert "Zebedee" not in str(value)
        assert {f.name for f in fields(ChatState)} == {"topic", "pending", "last_active"}

    def test_last_active_uses_injected_clock(self, engine: Engine, clock) -> None:
        """The engine takes time only from the clock it is given."""
        clock.now = 42.0
        _, state = say(engine, "hello")
        assert state.last_active == 42.0
