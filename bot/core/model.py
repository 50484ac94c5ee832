"""Plain immutable data shared by every layer: content, events, replies, matches and state.

Pure: no I/O, no telegram, no clock. Everything here is a frozen dataclass so that the
core can hand values between layers without anyone mutating them behind its back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

IntentKind = Literal["crime", "service", "negative"]
Decision = Literal["matched", "clarify", "no_match"]
SafetyKind = Literal["emergency", "self_harm_crisis"]

# Non-text message kinds, in the order a transport should test for them (an animation also
# carries a document, so it must come first).
NonTextKind = Literal[
    "photo",
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "location",
    "contact",
    "poll",
]
# "text", "command" and "button" carry text; the rest are non-text messages.
EventKind = Literal["text", "command", "button", "other", NonTextKind]
NON_TEXT_ORDER: tuple[str, ...] = get_args(NonTextKind)
NON_TEXT_KINDS: frozenset[str] = frozenset((*NON_TEXT_ORDER, "other"))


# ---------------------------------------------------------------- content


@dataclass(frozen=True)
class Route:
    """One signposting destination, defined once in responses/routes.yaml."""

    id: str
    name: str
    purpose: str
    who: str
    contacts: dict[str, str]  # key -> display value, e.g. {"phone": "0300 123 2040"}
    hours: str | None
    notes: str | None
    source: tuple[str, ...]
    reviewed: str  # ISO date


@dataclass(frozen=True)
class SafetyRules:
    """Operator-editable phrases for the safety screen, kept in the two safety intents."""

    triggers: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    together: tuple[str, ...] = ()  # "a|b + c|d": one word of each group in one clause
    anywhere: tuple[str, ...] = ()  # the same, with the groups anywhere in the message
    resolved: tuple[str, ...] = ()  # "doing well now": a past crisis, told as over
    urging: tuple[str, ...] = ()  # "told me to kys": others urging them to die
    agreeing: tuple[str, ...] = ()  # "they're right": agreeing, a crisis beside an urging


@dataclass(frozen=True)
class Intent:
    """A kind of message the bot recognises: a crime type or a service request."""

    id: str
    kind: IntentKind
    title: str
    description: str
    group: str | None
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    safety: SafetyRules | None = None


@dataclass(frozen=True)
class Section:
    """A part of a response that the user opens with a button."""

    id: str
    title: str
    text: str  # template: may contain {route_id.key} placeholders


@dataclass(frozen=True)
class Answer:
    """One branch of a follow-up question."""

    id: str  # "yes", "no" or "unsure"; for an age question "under_18" or "adult"
    label: str
    text: str


@dataclass(frozen=True)
class Question:
    """An optional follow-up question asked after the first reply."""

    text: str
    answers: tuple[Answer, ...]
    kind: str = "yes_no"  # "age": asked before the routes, skipped when the message gives one


@dataclass(frozen=True)
class Response:
    """Everything the bot says about one intent."""

    id: str
    first_reply: str
    sections: tuple[Section, ...] = ()
    question: Question | None = None
    quick_exit: bool = False  # offer "Clear this chat" on every message of this topic


@dataclass(frozen=True)
class Content:
    """The whole validated catalog, swapped in as one value on reload."""

    intents: dict[str, Intent]
    responses: dict[str, Response]
    routes: dict[str, Route]
    system: dict[str, str]  # engine texts (fallback, non_text, forget, ...) by key


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Candidate:
    intent: str
    score: float


@dataclass(frozen=True)
class Match:
    """What the matcher concluded; scores share one 0-100 scale."""

    intent: str | None
    score: float
    decision: Decision
    alternatives: tuple[Candidate, ...] = ()
    evidence: dict[str, object] | None = None
    offered: tuple[str, ...] = ()  # intents shown as "is it one of these?" buttons, in order
    # Why a topic that reached its threshold was offered, not answered: "everyday_example"
    # (worded like a known everyday question) or "plain_question" (names no wrongdoing).
    held_back: str | None = None


# ---------------------------------------------------------------- dialogue


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # at most 64 bytes (Telegram callback_data limit)


@dataclass(frozen=True)
class Reply:
    """One message the bot sends; the fields are exactly the JSONL protocol's."""

    text: str  # Telegram HTML subset
    buttons: tuple[tuple[Button, ...], ...] = ()
    intent: str | None = None
    routes: tuple[str, ...] = ()
    safety: bool = False


@dataclass(frozen=True)
class Event:
    """Something the user did. `text` holds the message, command or button data."""

    kind: EventKind
    text: str = ""
    payload: str = ""  # command argument, e.g. the deep-link topic of /start
    is_group: bool = False


@dataclass(frozen=True)
class ChatState:
    """All the bot remembers about a chat: no message text, no names, no numbers."""

    topic: str | None = None
    pending: str | None = None  # id of the intent whose follow-up question is open
    last_active: float = 0.0  # unix seconds


# What the engine made of one event, for aggregate counts (bot.insight); never shown.
Outcome = Literal[
    "matched",  # typed text matched a topic
    "clarify",  # "is it one of these?" offered
    "no_match",  # not understood: the fallback
    "other_language",  # not understood: mostly a non-Latin script
    "safety",  # the safety screen acted
    "topic",  # a topic opened by button, command or deep link
    "answer",  # a follow-up question answered
    "section",  # a section shown
    "menu",  # a menu, welcome, cancel or "something else"
    "forget",
    "non_text",
    "stale",  # an old or unknown button
    "unknown_command",
]


@dataclass(frozen=True)
class Turn:
    replies: tuple[Reply, ...]
    state: ChatState = field(default_factory=ChatState)
    outcome: Outcome = "menu"
