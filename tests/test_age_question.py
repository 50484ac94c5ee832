"""The age question: under-18s are never sent to an adults-only service, and no age is kept."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.content.gate import load_content
from bot.content.validate import check
from bot.core.engine import Engine
from bot.core.model import ChatState, Content, Event, Turn

MINI = Path(__file__).parent / "data" / "mini"
AGE_INTENTS = ("intimate_image_abuse", "sextortion")
ADULT_ONLY = {"revenge_porn_helpline", "stopncii"}
MAX_FIRST_REPLY_WORDS = 80  # voice.md: a first reply is never over 80 words


def _routes(turn: Turn) -> set[str]:
    return {r for reply in turn.replies for r in reply.routes}


def _labels(turn: Turn) -> list[str]:
    return [b.label for reply in turn.replies for row in reply.buttons for b in row]


def _words(text: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", text).split())


def _say(engine: Engine, text: str, state: ChatState | None = None) -> Turn:
    return engine.respond(Event("text", text), state or ChatState())


class TestAskFirst:
    @pytest.mark.parametrize(
        "text",
        [
            "my ex has put nudes of me on a website",
            "someone is threatening to send my nudes to my family unless i pay",
        ],
    )
    def test_unknown_age_asks_before_any_age_specific_route(
        self, engine: Engine, text: str
    ) -> None:
        turn = _say(engine, text)
        assert turn.replies[0].intent in AGE_INTENTS
        assert {"Under 18", "18 or over"} <= set(_labels(turn))
        assert not _routes(turn) & (ADULT_ONLY | {"childline", "ceop"})
        assert turn.state.pending == turn.replies[0].intent
        assert "never ask for them" in turn.replies[0].text

    @pytest.mark.parametrize("intent", AGE_INTENTS)
    def test_the_buttons_give_the_right_routes(self, engine: Engine, intent: str) -> None:
        under = engine.respond(Event("button", f"answer:{intent}:under_18"), ChatState())
        adult = engine.respond(Event("button", f"answer:{intent}:adult"), ChatState())
        assert {"childline", "ceop"} <= _routes(under)
        assert not _routes(under) & ADULT_ONLY
        assert "Report Remove" in under.replies[0].text
        assert "revenge_porn_helpline" in _routes(adult)
        assert "childline" not in _routes(adult)

    @pytest.mark.parametrize(
        ("typed", "band"),
        [
            ("15", "under"),
            ("im 16", "under"),
            ("Under 18", "under"),
            ("yes", "under"),
            ("over 18", "adult"),
            ("18 or over", "adult"),
            ("I'm 40", "adult"),
            ("no", "adult"),
        ],
    )
    def test_typed_answers(self, engine: Engine, typed: str, band: str) -> None:
        asked = _say(engine, "my ex put our private video on a porn site")
        assert asked.state.pending == "intimate_image_abuse"
        answered = _say(engine, typed, asked.state)
        routes = _routes(answered)
        assert answered.replies[0].intent == "intimate_image_abuse"
        if band == "under":
            assert "childline" in routes
            assert not routes & ADULT_ONLY
        else:
            assert "revenge_porn_helpline" in routes
            assert "childline" not in routes
        assert answered.state.pending is None

    def test_no_age_is_remembered(self, engine: Engine) -> None:
        """Only the open question is kept; the state has no field that could hold an age."""
        asked = _say(engine, "my ex put our private video on a porn site")
        answered = _say(engine, "im 15", asked.state)
        fields = {f.name for f in dataclasses.fields(ChatState)}
        assert fields == {"topic", "pending", "last_active"}
        assert answered.state == ChatState(
            "intimate_image_abuse", None, answered.state.last_active
        )


class TestAgeWordsSkipTheQuestion:
    @pytest.mark.parametrize(
        "text",
        [
            "I'm 15 and my ex shared my nudes",  # a child about themself
            "im in year 10 and someone is threatening to post my nudes unless i pay",
            "my 14 year old son is being blackmailed with a video he sent",  # a parent
            "im 16 and my ex shared my nudes",
        ],
    )
    def test_under_18(self, engine: Engine, text: str) -> None:
        turn = _say(engine, text)
        assert len(turn.replies) == 1
        assert turn.replies[0].intent in AGE_INTENTS
        assert "childline" in _routes(turn)
        assert not _routes(turn) & ADULT_ONLY
        assert turn.state.pending is None

    @pytest.mark.parametrize(
        "text",
        [
            "im 34 and my ex posted our video online",
            "I'm 29, the nude photos of me online were taken when I was 16",
            "I'm 18 and a guy is threatening to share my nudes unless i pay him",
        ],
    )
    def test_adult(self, engine: Engine, text: str) -> None:
        turn = _say(engine, text)
        assert len(turn.replies) == 1
        assert "revenge_porn_helpline" in _routes(turn)
        assert "childline" not in _routes(turn)

    def test_an_age_only_in_the_past_still_asks(self, engine: Engine) -> None:
        turn = _say(engine, "when i was 15 my bf took pics and now they're online")
        assert turn.state.pending == "intimate_image_abuse"
        assert not _routes(turn) & ADULT_ONLY


class TestContent:
    @pytest.mark.parametrize("intent", AGE_INTENTS)
    def test_every_first_reply_is_short(self, content: Content, intent: str) -> None:
        response = content.responses[intent]
        assert response.question is not None
        assert response.question.kind == "age"
        opening = _words(response.first_reply) + _words(response.question.text)
        assert opening <= MAX_FIRST_REPLY_WORDS
        for answer in response.question.answers:
            assert _words(answer.text) <= MAX_FIRST_REPLY_WORDS, answer.id

    def test_deepfakes_and_the_new_offence(self, content: Content) -> None:
        law = next(s for s in content.responses["intimate_image_abuse"].sections if s.id == "law")
        assert "66E" in law.text
        assert "deepfake" in law.text
        assert not re.search(r"66E[^•]*\b20\d\d\b[^•]*force", law.text)  # no commencement date

    def test_age_limits_on_the_routes(self, content: Content) -> None:
        assert "18" in content.routes["revenge_porn_helpline"].who
        assert "18" in content.routes["stopncii"].who
        assert "under 18" in content.routes["childline"].who.lower()


def _mini(tmp_path: Path, question: str) -> list[str]:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    path = root / "responses" / "phishing.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("question:")] + question, encoding="utf-8")
    return [p.format() for p in check(root, contract=False, today=date(2026, 12, 6))]


class TestSchema:
    def test_an_age_question_loads(self, tmp_path: Path) -> None:
        question = (
            "question:\n  kind: age\n  text: Is this about someone under 18?\n  answers:\n"
            "    - id: under_18\n      label: Under 18\n      text: Childline.\n"
            "    - id: adult\n      label: 18 or over\n      text: Police.\n"
        )
        assert _mini(tmp_path, question) == []
        content = load_content(tmp_path / "content", contract=False)
        assert content.responses["phishing"].question.kind == "age"  # type: ignore[union-attr]

    def test_an_age_question_needs_both_bands(self, tmp_path: Path) -> None:
        question = (
            "question:\n  kind: age\n  text: Is this about someone under 18?\n  answers:\n"
            "    - id: under_18\n      label: Under 18\n      text: Childline.\n"
        )
        messages = _mini(tmp_path, question)
        assert any("must include 'adult'" in m for m in messages), messages

    def test_a_yes_no_question_cannot_use_age_answers(self, tmp_path: Path) -> None:
        question = (
            "question:\n  text: Did you pay?\n  answers:\n"
            "    - id: under_18\n      label: Under 18\n      text: Childline.\n"
            '    - id: "yes"\n      label: Yes\n      text: Bank.\n'
            '    - id: "no"\n      label: No\n      text: Good.\n'
        )
        messages = _mini(tmp_path, question)
        assert any("answer ids are yes, no, unsure" in m for m in messages), messages
