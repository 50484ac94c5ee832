"""What the bot did in one scripted turn, and the checks of it against what the script expects.

Pure: no I/O. `check` returns one line per unmet expectation, ready for a failure report.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.model import Reply, Route
from bot.core.template import PLACEHOLDER, render_value
from bot.scripts.model import Expect

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
SHOW_TEXT = 160


def plain(text: str) -> str:
    """Reply HTML as the user reads it, on one line: tags gone, entities decoded."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def readable(text: str) -> str:
    """One reply as the user reads it, whole: tags gone, entities decoded, line breaks kept."""
    shown = html.unescape(_TAG.sub("", text))
    lines = [_SPACE.sub(" ", line).strip() for line in shown.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fill(wanted: str, routes: Mapping[str, Route]) -> str:
    """Fill `{route_id.key}` in an expected text as the user reads it (a link reads as its label).

    Scripts name numbers this way, so changing a number is one edit in routes.yaml.
    Raises KeyError for an unknown route or key; load_all reports those before any run.
    """

    def value(match: re.Match[str]) -> str:
        return plain(render_value(routes[match.group(1)], match.group(2)))

    return PLACEHOLDER.sub(value, wanted)


@dataclass(frozen=True)
class Outcome:
    """Everything the bot did in one turn, in the shape the checks need."""

    replies: list[Reply]
    text: str  # all replies' text, joined, as the user reads it
    buttons: list[tuple[str, str]]  # (label, data) of every button offered, in order
    messages: tuple[str, ...] = ()  # each message whole, as the user reads it (for -v)

    @property
    def intent(self) -> str | None:
        return self.replies[0].intent if self.replies else None

    @property
    def safety(self) -> bool:
        return bool(self.replies) and self.replies[0].safety

    @property
    def routes(self) -> list[str]:
        return list(dict.fromkeys(r for reply in self.replies for r in reply.routes))

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]

    @property
    def asks_question(self) -> bool:
        return any(data.startswith("answer:") for _, data in self.buttons)

    @classmethod
    def from_replies(cls, replies: Sequence[Reply]) -> Outcome:
        text = " ".join(plain(r.text) for r in replies)
        buttons = [(b.label, b.data) for r in replies for row in r.buttons for b in row]
        messages = tuple(readable(r.text) for r in replies)
        return cls(list(replies), text, buttons, messages)

    def describe(self, *, whole: bool = False) -> list[str]:
        """What the bot did, for a failure report: cut short, or `whole` message by message.

        Cut to SHOW_TEXT characters by default so a run over many scripts stays scannable;
        `python -m bot test -v` asks for every word, which a tester needs to fix a script.
        """
        count = f"the bot replied ({len(self.replies)} message(s))"
        if whole:
            lines = [f"{count}:"]
            for number, message in enumerate(self.messages or (self.text,), 1):
                lines.append(f"  message {number}:")
                lines += [f"    | {line}".rstrip() for line in message.splitlines() or [""]]
        else:
            text = self.text
            text = text if len(text) <= SHOW_TEXT else text[: SHOW_TEXT - 3] + "..."
            lines = [f"{count}: {text!r}"]
        buttons = ", ".join(f"[{label}]" for label in self.labels) or "none"
        return [
            *lines,
            f"  intent: {self.intent}; safety: {str(self.safety).lower()}",
            f"  routes: {', '.join(self.routes) or 'none'}",
            f"  buttons: {buttons}",
        ]


def check(
    expect: Expect, outcome: Outcome, routes: Mapping[str, Route] | None = None
) -> list[str]:
    """Return one line per unmet expectation (empty when the turn passed).

    `routes` fills `{route_id.key}` placeholders in `text_contains`; without it a
    placeholder cannot match and is reported.
    """
    errors: list[str] = []
    if expect.check_intent and outcome.intent != expect.intent:
        errors.append(f"expected intent {expect.intent}, got {outcome.intent}")
    missing = [r for r in expect.routes if r not in outcome.routes]
    if missing:
        errors.append(f"expected routes to include {', '.join(missing)}")
    unwanted = [r for r in expect.routes_exclude if r in outcome.routes]
    if unwanted:
        errors.append(f"expected routes not to include {', '.join(unwanted)}")
    lowered = outcome.text.lower()
    for wanted in expect.text_contains:
        errors += _contains(wanted, lowered, routes)
    if expect.text_matches and not re.search(expect.text_matches, outcome.text, re.I):
        errors.append(f"expected the text to match /{expect.text_matches}/")
    absent = [b for b in expect.buttons if b not in outcome.labels]
    if absent:
        errors.append(
            f"expected buttons {', '.join(repr(b) for b in absent)}{_comma_hint(expect, outcome)}"
        )
    if expect.safety is not None and outcome.safety != expect.safety:
        errors.append(f"expected safety {str(expect.safety).lower()}")
    if expect.asks_question is not None and outcome.asks_question != expect.asks_question:
        wanted = "a follow-up question" if expect.asks_question else "no follow-up question"
        errors.append(f"expected {wanted}")
    if expect.replies is not None and len(outcome.replies) != expect.replies:
        errors.append(f"expected {expect.replies} message(s), got {len(outcome.replies)}")
    return errors


def _contains(wanted: str, lowered: str, routes: Mapping[str, Route] | None) -> list[str]:
    if not PLACEHOLDER.search(wanted):
        found = plain(wanted).lower() in lowered
        return [] if found else [f"expected the text to contain {wanted!r}"]
    if routes is None:
        return [f"cannot check {wanted!r}: placeholders need the content's routes"]
    try:
        filled = fill(wanted, routes)
    except KeyError as error:
        return [f"cannot fill {wanted!r}: no such route or contact ({error})"]
    if plain(filled).lower() in lowered:
        return []
    return [f"expected the text to contain {wanted!r} ({filled!r})"]


def _comma_hint(expect: Expect, outcome: Outcome) -> str:
    """A label with a comma, written in [a, b] form, splits in two: say how to write it."""
    pairs = zip(expect.buttons, expect.buttons[1:], strict=False)
    joined = [f"{a}, {b}" for a, b in pairs if f"{a}, {b}" in outcome.labels]
    return f' (a label with a comma needs quotes: ["{joined[0]}"])' if joined else ""
