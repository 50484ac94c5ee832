"""The conversation: decide what to say next from one event and the little we remember.

Pure and synchronous: `Engine.respond(event, state) -> Turn`. The clock is injected, nothing
here does I/O, and the state it returns holds no message text. The safety screen always runs
first, whatever the conversation was doing.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.core.age import age_band
from bot.core.compose import FALLBACK, SAFETY_INTENT_IDS, Composer
from bot.core.matcher import Matcher, MatcherConfig
from bot.core.model import NON_TEXT_KINDS, Button, ChatState, Content, Event, Outcome, Reply, Turn
from bot.core.normalize import normalize
from bot.core.rerank import Embedder, FusedMatcher
from bot.core.safety import SafetyScreen

DIALOGUE_PATH = Path(__file__).resolve().parents[2] / "config" / "dialogue.yaml"

COMMAND_INTENTS = {
    "/help": "help",
    "/report": "how_to_report",
    "/support": "victim_support",
    "/protect": "protect_yourself",
    "/privacy": "privacy",
}
LABEL_SIMILARITY = 85  # typed text this close to an answer button's label presses it
BUTTON_CLEAR = "clear"
BUTTON_OTHER = "other"
# An age question is worded "Is ... under 18?", so a typed yes or no answers it.
AGE_YES_NO = {"yes": "under_18", "no": "adult"}
PRIVACY = "privacy"
REVIEW_NOTE = "privacy_review_on"  # system text added to the privacy reply while review is on

Step = tuple[tuple[Reply, ...], ChatState, Outcome]


@dataclass(frozen=True)
class DialogueConfig:
    """Words that answer a question or follow up on the current topic (config/dialogue.yaml)."""

    max_followup_words: int
    answers: dict[str, tuple[str, ...]]
    followups: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path = DIALOGUE_PATH) -> DialogueConfig:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            max_followup_words=int(data["max_followup_words"]),
            answers={k: tuple(normalize(p) for p in v) for k, v in data["answers"].items()},
            followups={k: tuple(normalize(p) for p in v) for k, v in data["followups"].items()},
        )


def _contains(text: str, phrase: str) -> bool:
    """Whole-word containment on normalised text (words are single-space separated)."""
    return f" {phrase} " in f" {text} "


def _mostly_other_script(text: str) -> bool:
    """True when most letters are not Latin: the matcher only knows English."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return len(letters) >= 3 and latin < len(letters) / 2


class Engine:
    """Holds one catalog's matcher, safety screen and composer; swapped whole on reload."""

    def __init__(
        self,
        content: Content,
        matcher: Matcher | FusedMatcher | None = None,
        screen: SafetyScreen | None = None,
        *,
        dialogue: DialogueConfig | None = None,
        clock: Callable[[], float] = time.time,
        review_days: int | None = None,
        semantic: Embedder | None = None,
    ) -> None:
        """`review_days` is set while unmatched messages are kept for review (the privacy
        reply must then say so); None when they are not. `semantic` turns on the optional
        re-ranker (kept so a reload builds it again)."""
        self.content = content
        self.review_days = review_days
        self.semantic = semantic
        base = matcher or Matcher(content, MatcherConfig.load())
        self.screen = screen or SafetyScreen(content, base)
        if semantic is not None and not isinstance(base, FusedMatcher):
            base = FusedMatcher(base, semantic)
        self.matcher = base
        self.dialogue = dialogue or DialogueConfig.load()
        self.compose = Composer(content)
        self.clock = clock

    def respond(self, event: Event, state: ChatState) -> Turn:
        """Return the replies to one event and the state to remember afterwards."""
        state = replace(state, last_active=self.clock())
        outcome: Outcome
        if event.kind == "command":
            replies, state, outcome = self._on_command(event, state)
        elif event.kind == "button":
            replies, state, outcome = self._on_button(event.text, state)
        elif event.kind in NON_TEXT_KINDS and not event.text.strip():
            replies, outcome = (self.compose.simple("non_text"),), "non_text"
        else:
            # Typed words, or the caption of a photo, video, voice note...: read them all.
            replies, state, outcome = self._on_text(event.text, state)
        opened = outcome in ("matched", "topic")
        if self.review_days is not None and opened and replies[0].intent == PRIVACY:
            replies = (self._with_review_note(replies[0]), *replies[1:])
        if event.is_group:
            replies = self._for_group(replies)
        return Turn(tuple(replies), state, outcome)

    def _with_review_note(self, reply: Reply) -> Reply:
        note = self.compose.text(REVIEW_NOTE).replace("[days]", str(self.review_days))
        return replace(reply, text=f"{reply.text}\n{note}")

    # ------------------------------------------------------------ text

    def _on_text(self, text: str, state: ChatState) -> Step:
        hit = self.screen.check(text)
        if hit is not None:
            return (*self._intent(hit.kind, state, ask=False), "safety")
        words = normalize(text)
        short = 0 < len(words.split()) <= self.dialogue.max_followup_words
        if short and state.pending:
            answer = self._answer_in_words(words, state.pending)
            if answer is not None:
                reply = self.compose.answer_reply(state.pending, answer)
                if reply is not None:
                    return (reply,), replace(state, pending=None), "answer"
        if short and state.topic and state.topic not in SAFETY_INTENT_IDS:
            replies = self._followup(words, state.topic)
            if replies:
                return replies, replace(state, pending=None), "section"
        match = self.matcher.classify(text)
        if match.decision == "matched" and match.intent:
            return (*self._intent(match.intent, state, text=text), "matched")
        if match.decision == "clarify" and match.offered:
            offer = self.compose.did_you_mean(list(match.offered))
            return (offer,), replace(state, pending=None), "clarify"
        if _mostly_other_script(text):
            reply = replace(self.compose.fallback(), text=self.compose.text("other_language"))
            return (reply,), replace(state, pending=None), "other_language"
        return (self.compose.fallback(),), replace(state, pending=None), "no_match"

    def _answer_in_words(self, words: str, pending: str) -> str | None:
        """Read a typed answer: the button's own words, a known phrase, or a leading yes/no."""
        response = self.content.responses.get(pending)
        question = response.question if response else None
        if question is not None:
            for answer in question.answers:
                if fuzz.ratio(words, normalize(answer.label)) >= LABEL_SIMILARITY:
                    return answer.id
            if question.kind == "age":
                # "15", "im 16", "over 18"; or yes/no to "Is ... under 18?"
                yes_no = self._answer_in_words(words, "")
                return age_band(words, answering=True) or AGE_YES_NO.get(yes_no or "")
        for answer, phrases in self.dialogue.answers.items():
            if words in phrases or any(_contains(words, p) for p in phrases if " " in p):
                return answer
        # "yes she sent them 2000 pounds": the first word answers, the rest is detail.
        first = words.split(" ", 1)[0]
        for answer, phrases in self.dialogue.answers.items():
            if first in phrases:
                return answer
        return None

    def _followup(self, words: str, topic: str) -> tuple[Reply, ...]:
        for target, phrases in self.dialogue.followups.items():
            if not any(_contains(words, p) for p in phrases):
                continue
            if target.startswith("question:"):
                reply = self.compose.answer_reply(topic, target.split(":", 1)[1])
                reply = reply or self.compose.section_reply(topic, "now")
            else:
                reply = self.compose.section_reply(topic, target)
            if reply is not None:
                return (reply,)
            # The topic has no such section: show its key advice again rather than guess.
            return self.compose.intent_replies(topic, ask=False)
        return ()

    def _intent(
        self, intent_id: str, state: ChatState, *, ask: bool = True, text: str = ""
    ) -> tuple[tuple[Reply, ...], ChatState]:
        if intent_id not in self.content.responses:
            return (self.compose.fallback(),), state
        age = age_band(text) if text else None  # used once, never stored
        replies = self.compose.intent_replies(intent_id, ask=ask, age=age)
        has_question = len(replies) > 1
        intent = self.content.intents.get(intent_id)
        if intent is not None and intent.kind == "service" and intent_id not in SAFETY_INTENT_IDS:
            # Greetings and thanks keep the topic, so "how do I report it?" still works after.
            return replies, replace(state, pending=intent_id if has_question else None)
        return replies, replace(
            state, topic=intent_id, pending=intent_id if has_question else None
        )

    # ------------------------------------------------------------ commands and buttons

    def _on_command(self, event: Event, state: ChatState) -> Step:
        command = event.text.split("@", 1)[0].lower()
        if command == "/start":
            topic = event.payload.strip().lower()
            if topic in self.content.responses and topic != FALLBACK:
                return (*self._intent(topic, ChatState(last_active=state.last_active)), "topic")
            welcome = replace(self.compose.main_menu(), text=self.compose.text("welcome"))
            return (welcome,), ChatState(last_active=state.last_active), "menu"
        if command == "/menu":
            return (self.compose.main_menu(),), replace(state, pending=None), "menu"
        if command == "/forget":
            return (self._forget_reply(),), ChatState(), "forget"
        if command == "/cancel":
            reply = replace(self.compose.main_menu(), text=self.compose.text("cancel_done"))
            return (reply,), ChatState(last_active=state.last_active), "menu"
        if command in COMMAND_INTENTS:
            return (*self._intent(COMMAND_INTENTS[command], state), "topic")
        return (self.compose.simple("unknown_command"),), state, "unknown_command"

    def _forget_reply(self) -> Reply:
        clear = ((Button(self.compose.text("clear_chat"), BUTTON_CLEAR),),)
        return self.compose.simple("forget_done", buttons=clear)

    def _on_button(self, data: str, state: ChatState) -> Step:
        kind, _, rest = data.partition(":")
        reply: Reply | None = None
        outcome: Outcome = "menu"
        if data == BUTTON_CLEAR:
            return (self._forget_reply(),), ChatState(), "forget"
        if data == BUTTON_OTHER:
            # None of the offered topics: show every topic, and still invite their own words.
            invite = self.compose.text("something_else_reply")
            menu = replace(self.compose.main_menu(), text=invite)
            return (menu,), replace(state, pending=None), "menu"
        if kind in ("intent", "offer") and rest in self.content.responses:
            return (*self._intent(rest, state), "topic")
        if kind == "menu":
            reply = self.compose.main_menu() if rest == "main" else self.compose.group_menu(rest)
        elif kind == "section":
            intent_id, _, section_id = rest.partition(":")
            reply = self.compose.section_reply(intent_id, section_id)
            outcome = "section"
            if reply is not None:
                state = replace(state, topic=intent_id)
        elif kind == "answer":
            intent_id, _, answer_id = rest.partition(":")
            reply = self.compose.answer_reply(intent_id, answer_id)
            outcome = "answer"
            if reply is not None:
                state = replace(state, topic=intent_id, pending=None)
        if reply is None:
            stale = replace(self.compose.main_menu(), text=self.compose.text("stale_button"))
            return (stale,), state, "stale"
        return (reply,), state, outcome

    # ------------------------------------------------------------ groups

    def _for_group(self, replies: tuple[Reply, ...]) -> tuple[Reply, ...]:
        """In a group, keep safety replies whole but send personal matters to a private chat."""
        out: list[Reply] = []
        for reply in replies:
            intent = self.content.intents.get(reply.intent or "")
            if reply.safety or intent is None or intent.kind == "service":
                out.append(reply)
            else:
                out.append(Reply(self.compose.text("group_private"), (), reply.intent))
                break
        return tuple(out)
