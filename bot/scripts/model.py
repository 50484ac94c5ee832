"""The plain values a scripted conversation is read into: Script, Step and Expect.

Pure data: no I/O. script_format.py builds them from YAML; the runner plays and checks them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

KNOWN_BUG = "known-bug"


@dataclass(frozen=True)
class Expect:
    """What the bot must do in one turn; None (or empty) means "not checked"."""

    intent: str | None = None
    check_intent: bool = False  # `intent: null` is a real check, so keep it apart from unset
    routes: tuple[str, ...] = ()
    routes_exclude: tuple[str, ...] = ()
    text_contains: tuple[str, ...] = ()
    text_matches: str | None = None
    buttons: tuple[str, ...] = ()
    safety: bool | None = None
    asks_question: bool | None = None
    replies: int | None = None
    lines: dict[str, int] = field(default_factory=dict)  # check name -> line in the file


@dataclass(frozen=True)
class Step:
    """One thing the user does, and what the bot must do in reply."""

    action: str  # "say", "press", "command", "send", "edit" or "burst"
    value: str
    chat: str
    group: bool
    expect: Expect
    line: int
    caption: str = ""  # words sent with a `send:` photo, video, voice note...
    times: int = 1  # how many messages a `burst:` sends
    only: str | None = None  # "telegram": played only by `python -m bot test --telegram`

    @property
    def telegram_only(self) -> bool:
        """A burst tests the Telegram flood guard, which the console does not have."""
        return self.only == "telegram" or self.action == "burst"

    def describe(self) -> str:
        """The turn as the tester wrote it, for reports."""
        extra = f" with caption {self.caption!r}" if self.caption else ""
        extra += f" x{self.times}" if self.action == "burst" else ""
        return f"{self.action}: {self.value!r}{extra}"


@dataclass(frozen=True)
class Script:
    name: str
    path: str
    tags: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def known_bug(self) -> bool:
        return KNOWN_BUG in self.tags
