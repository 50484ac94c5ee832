"""The opt-in quick exit: a "Clear this chat" button on every message of a sensitive topic."""

from __future__ import annotations

import logging

from bot.core import compose, engine
from bot.core.engine import Engine
from bot.core.model import ChatState, Content, Event

log = logging.getLogger(__name__)


def _data(replies: tuple) -> list[list[str]]:
    return [[b.data for b in row] for r in replies for row in r.buttons]


def test_quick_exit_topics_offer_clear_first_everywhere(engine: Engine, content: Content) -> None:
    """First reply, every section and every answer of a quick-exit topic lead with Clear."""
    topics = [i for i, r in content.responses.items() if r.quick_exit]
    assert "domestic_tech_abuse" in topics
    for topic in topics:
        turn = engine.respond(Event("button", f"intent:{topic}"), ChatState())
        assert _data(turn.replies[:1])[0] == [compose.BUTTON_CLEAR], topic
        for section in content.responses[topic].sections:
            turn = engine.respond(Event("button", f"section:{topic}:{section.id}"), ChatState())
            assert _data(turn.replies)[0] == [compose.BUTTON_CLEAR], (topic, section.id)


def test_other_topics_do_not_offer_clear(engine: Engine) -> None:
    """The button stays special: an ordinary crime reply has no Clear button."""
    turn = engine.respond(Event("button", "intent:phishing"), ChatState())
    assert compose.BUTTON_CLEAR not in [d for row in _data(turn.replies) for d in row]


def test_pressing_clear_forgets_the_chat(engine: Engine) -> None:
    """The quick exit is the same button as /forget's: the state is wiped."""
    turn = engine.respond(Event("text", "my ex has put a tracking app on my phone"), ChatState())
    assert turn.state.topic == "domestic_tech_abuse"
    after = engine.respond(Event("button", compose.BUTTON_CLEAR), turn.state)
    assert after.state == ChatState()
    assert "deleted" in after.replies[0].text


def test_compose_and_engine_agree_on_the_button_data() -> None:
    assert compose.BUTTON_CLEAR == engine.BUTTON_CLEAR
