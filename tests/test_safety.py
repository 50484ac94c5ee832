"""The safety screen: it must catch danger and despair however they are written, and stay
quiet for figures of speech and things that are over."""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from bot.core.model import ChatState, Content, Event, Intent, SafetyRules
from bot.core.safety import SafetyScreen


class TestEmergency:
    @pytest.mark.parametrize(
        "text",
        [
            "he's outside my house right now",
            "someone is trying to break in",
            "hes outside rn shouting he'll get me",
            "the man from the dating app is at my door",
            "I'm hiding in the bathroom, he is kicking the door in",
            "My 12 year old has gone out to meet a man she met on Roblox",
            "I'm in danger",
            "my husband has just punched me and hes in the kitchen",
            "the fake bank man is still on the phone with my nan",
            "someone is kicking our front door in",
            "a courier is coming at 3 to collect my nans bank cards",
            "my 14 year old daughter is getting the train now to meet a man off discord",
        ],
    )
    def test_danger_now_is_caught(self, screen: SafetyScreen, text: str) -> None:
        """Danger now, however it is put, gets the emergency answer."""
        hit = screen.check(text)
        assert hit is not None
        assert hit.kind == "emergency"

    def test_danger_buried_in_a_long_message(self, screen: SafetyScreen) -> None:
        """A sentence of danger inside a long story about a scam still counts."""
        story = (
            "I bought a car on Gumtree and paid a deposit, the seller stopped answering. "
            "I found his address and went round to ask for it back. "
            * 20
            + "Now three men are outside the house and one is holding a knife."
        )
        hit = screen.check(story)
        assert hit is not None
        assert hit.kind == "emergency"

    @pytest.mark.parametrize(
        "text",
        [
            "they threatened me last month",
            "he was outside my house last week but it has stopped",
            "I'm dying to know if this is a scam",
            "is my account in danger from this email?",
            "what counts as an emergency",
            "my emergency contact number changed",
            "hackers are breaking into my email account",
            "I was attacked back in 2018 and now I get scam texts",
        ],
    )
    def test_past_events_and_figures_of_speech_are_not_emergencies(
        self, screen: SafetyScreen, text: str
    ) -> None:
        """Things that are over, or not meant literally, are not treated as danger now."""
        assert screen.check(text) is None

    def test_a_new_danger_after_an_old_one_is_caught(self, screen: SafetyScreen) -> None:
        """'Last month' in one clause does not hide 'outside now' in the next."""
        hit = screen.check("they threatened me last month but now he is outside my house")
        assert hit is not None


class TestSelfHarm:
    @pytest.mark.parametrize(
        "text",
        [
            "i want to kill myself",
            "i want to kil myself",
            "feeling suicidel",
            "whats the point in living after losing all my savings",
            "I can't do this anymore",
            "thinking about taking all my tablets tonight",
            "everyone would be better off without me",
            "honestly id rather be dead than go to school tomorrow",
            "ive got all my pills ready",
            "i just want to kms",
        ],
    )
    def test_risk_to_self_is_caught(self, screen: SafetyScreen, text: str) -> None:
        """Direct, indirect and misspelt words about suicide or self-harm are caught."""
        hit = screen.check(text)
        assert hit is not None
        assert hit.kind == "self_harm_crisis"

    @pytest.mark.parametrize(
        "text",
        [
            "someone on tiktok told my daughter to kill herself",
            "a troll keeps telling me to kill myself",
            "I nearly died of embarrassment",
            "I'm not suicidal, I just want to report this",
            "this phishing email is killing me",
            "buying that crypto was financial suicide",
        ],
    )
    def test_reports_and_figures_of_speech_are_not_a_crisis(
        self, screen: SafetyScreen, text: str
    ) -> None:
        """A report of someone else's words, or a figure of speech, is not the writer's crisis."""
        assert screen.check(text) is None


class TestScreenRules:
    def test_operators_can_add_a_trigger(self, content: Content) -> None:
        """A phrase added to the YAML block is caught without code changes."""
        emergency = content.intents["emergency"]
        rules = SafetyRules((*emergency.safety.triggers, "kettle|kettles * screaming"), ())
        intents = {
            **content.intents,
            "emergency": Intent(**{**emergency.__dict__, "safety": rules}),
        }
        screen = SafetyScreen(Content(intents, content.responses, content.routes, content.system))
        assert screen.check("The kettle's screaming") is not None

    def test_slash_separates_whole_phrases(self, content: Content) -> None:
        """`a b / c d` on one line is two phrases, so operators can group alternatives."""
        emergency = content.intents["emergency"]
        rules = SafetyRules(("kettle is boiling over / pan is on fire",), ())
        intents = {
            **content.intents,
            "emergency": Intent(**{**emergency.__dict__, "safety": rules}),
        }
        screen = SafetyScreen(Content(intents, content.responses, content.routes, content.system))
        assert screen.check("the pan is on fire") is not None
        assert screen.check("the kettle is boiling over") is not None
        assert screen.check("the kettle is on fire") is None

    def test_together_needs_every_group_in_one_clause(self, content: Content) -> None:
        """A 'together' rule fires only when a word of each group shares a clause."""
        emergency = content.intents["emergency"]
        rules = SafetyRules((), (), ("kettle|pan + fire|smoke + now|tonight",))
        intents = {
            **content.intents,
            "emergency": Intent(**{**emergency.__dict__, "safety": rules}),
        }
        screen = SafetyScreen(Content(intents, content.responses, content.routes, content.system))
        assert screen.check("the pan is full of smoke now") is not None
        assert screen.check("the pan is full of smoke. it is fine now") is None
        assert screen.check("the pan had a fire last year") is None

    def test_anywhere_joins_sentences_and_heeds_blockers_where_the_situation_is(
        self, content: Content
    ) -> None:
        """An 'anywhere' rule reads the whole message; a blocker counts in its own sentences."""
        emergency = content.intents["emergency"]
        rules = SafetyRules((), ("last year",), (), ("kettle|pan + fire|smoke + now|tonight",))
        intents = {
            **content.intents,
            "emergency": Intent(**{**emergency.__dict__, "safety": rules}),
        }
        screen = SafetyScreen(Content(intents, content.responses, content.routes, content.system))
        assert screen.check("the pan is full of smoke. it is spreading now") is not None
        assert screen.check("the pan caught fire last year. it is fine now") is None
        assert screen.check("we moved in last year. the pan is full of smoke now") is not None
        assert screen.check("the pan is fine. no smoke") is None

    @pytest.mark.parametrize(
        ("text", "caught"),
        [
            ("two years ago i tried to end my life. i am doing well now", False),
            ("i felt suicidal last year, but i have had counselling and i am okay now", False),
            ("i had counselling last year but tonight i want to end my life", True),
            ("i am doing well now. i want to end my life", True),
            ("i tried to end my life. i am okay now, but i am going to end my life again", True),
        ],
    )
    def test_a_crisis_told_as_over_is_not_a_crisis_now(
        self, screen: SafetyScreen, text: str, caught: bool
    ) -> None:
        """'Resolved' phrases quiet a past crisis, never one that is still going on."""
        assert (screen.check(text) is not None) is caught

    def test_no_rules_means_no_hits(self, content: Content) -> None:
        """Content without safety blocks never fires, rather than failing."""
        intents = {k: v for k, v in content.intents.items() if v.safety is None}
        screen = SafetyScreen(Content(intents, content.responses, content.routes, content.system))
        assert screen.check("i want to kill myself") is None

    def test_override_beats_every_other_intent(self, engine: Engine) -> None:
        """A crisis mixed with a clear crime description still gets the safety reply."""
        text = "my instagram was hacked and they posted my nudes, i want to end it all"
        turn = engine.respond(Event("text", text), ChatState(topic="phishing"))
        assert turn.replies[0].intent == "self_harm_crisis"
        assert turn.replies[0].safety


def _edit_first_rule(tmp_path, intent: str, block: str, new_line: str) -> tuple[int, list[str]]:
    """Copy the content, replace the first line of a safety block, return its line and problems."""
    import shutil
    from pathlib import Path

    from bot.content.validate import check

    root = Path(__file__).resolve().parent.parent
    for folder in ("intents", "responses"):
        shutil.copytree(root / folder, tmp_path / folder)
    path = tmp_path / "intents" / f"{intent}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith(f"  {block}:")) + 1
    lines[number - 1] = new_line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number, [p.format() for p in check(tmp_path)]


def test_malformed_together_rule_is_reported_with_its_line(tmp_path) -> None:
    """An operator's 'together' rule without ' + ' groups is named with file and line."""
    number, found = _edit_first_rule(tmp_path, "emergency", "together", "    - courier now")
    expected = (
        f"intents/emergency.yaml:{number}: a 'together' rule needs two or more groups of single "
        "words separated by ' + ', for example: courier|taxi + now|tonight"
    )
    assert expected in found


def test_malformed_anywhere_rule_is_reported_with_its_line(tmp_path) -> None:
    """The same plain-words error, file and line, for an 'anywhere' rule."""
    number, found = _edit_first_rule(
        tmp_path, "self_harm_crisis", "anywhere", "    - pills tonight"
    )
    expected = (
        f"intents/self_harm_crisis.yaml:{number}: an 'anywhere' rule needs two or more groups "
        "of single words separated by ' + ', for example: courier|taxi + now|tonight"
    )
    assert expected in found


def test_a_resolved_phrase_of_common_words_is_refused(tmp_path) -> None:
    """'i am the' would quiet real danger: the gate names it with file and line."""
    number, found = _edit_first_rule(tmp_path, "self_harm_crisis", "resolved", "    - i am the")
    expected = f"intents/self_harm_crisis.yaml:{number}: safety 'resolved' phrase 'i am the' is"
    assert any(f.startswith(expected) for f in found), found


class TestAgreeingAndOver:
    """Round four: agreeing with people who urged them to die, and dangers told as over."""

    @pytest.mark.parametrize(
        "text",
        [
            "everyone in the group chat keeps saying kys and tbh theyre right. doing it tonight",
            "Someone in the comments told me to go hang myself and I've decided I'm going to "
            "do what they said",
            "Everyone keeps telling me to end it so I guess I will",
        ],
    )
    def test_agreeing_with_an_urging_is_a_crisis(self, screen: SafetyScreen, text: str) -> None:
        """The urging alone reads as a report; agreeing with it is a person at risk."""
        hit = screen.check(text)
        assert hit is not None, text
        assert hit.kind == "self_harm_crisis"

    @pytest.mark.parametrize(
        "text",
        [
            "someone told me to kys under my video, how do I report their account?",
            "they all told him to go and die in the group chat, he's safe at home now",
        ],
    )
    def test_an_urging_reported_without_agreeing_stays_calm(
        self, screen: SafetyScreen, text: str
    ) -> None:
        assert screen.check(text) is None

    def test_a_blocker_inside_a_trigger_does_not_silence_it(self, screen: SafetyScreen) -> None:
        """'enjoy your last night' says more than the 'last night' inside it."""
        hit = screen.check("Ex just messaged 'enjoy ur last night' and his car's outside")
        assert hit is not None
        assert hit.kind == "emergency"

    @pytest.mark.parametrize(
        "text",
        [
            "Two years ago, after a romance scam, I tried to take my own life. I'm in a much "
            "better place now with counselling. How do I protect myself so it never happens "
            "again?",
            "The scammer said he'd be outside my house, but that was months ago and nothing "
            "happened",
        ],
    )
    def test_a_danger_told_as_over_stays_calm(self, screen: SafetyScreen, text: str) -> None:
        assert screen.check(text) is None


def test_an_agreeing_phrase_of_common_words_is_refused(tmp_path) -> None:
    """'i am' beside any urging would flag ordinary reports: the gate names file and line."""
    number, found = _edit_first_rule(tmp_path, "self_harm_crisis", "agreeing", "    - i am")
    expected = f"intents/self_harm_crisis.yaml:{number}: safety 'agreeing' phrase 'i am' is"
    assert any(f.startswith(expected) for f in found), found


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("thinkin of jumpin off the car park roof tonite", "self_harm_crisis"),
        ("holding a razor rn. cant stop thinking about it", "self_harm_crisis"),
        ("how many of my dads sleeping tablets would it take", "self_harm_crisis"),
        ("the man from 'BT' is moving the mouse on my laptop and he's in my banking", "emergency"),
        ("a gentleman is in my sitting room fixing my computer, wants my bank login", "emergency"),
    ],
)
def test_round_four_families_are_caught(screen: SafetyScreen, text: str, kind: str) -> None:
    """Dropped g's, a means in the hand, a dose asked about, a remote-access scam in progress."""
    hit = screen.check(text)
    assert hit is not None, text
    assert hit.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to kill my daughter when she gets home, she's spent £150 on Robux on my card!",
        "Got a text saying I'll be arrested today unless I pay HMRC. Obviously fake, I didn't "
        "click anything",
        "thanks so much, honestly you've saved my life today, I know who to ring now",
    ],
)
def test_round_four_figures_of_speech_stay_calm(screen: SafetyScreen, text: str) -> None:
    assert screen.check(text) is None
