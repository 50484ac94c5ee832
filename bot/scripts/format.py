"""Read scripted conversations (tests/conversations/*.yaml) into plain values, with lines.

Boundary: reads files only and never raises for a bad script; it returns Problems, so a
tester sees every mistake as `path:line: message`. The format is described in docs/testing.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from bot.content.problem import Problem
from bot.content.yamlload import Doc, Loc, load_yaml
from bot.core.model import NON_TEXT_KINDS
from bot.scripts.model import KNOWN_BUG as KNOWN_BUG  # re-exported: it was defined here
from bot.scripts.model import Expect, Script, Step

log = logging.getLogger(__name__)

KEY_NAME = "name"
KEY_TAGS = "tags"
KEY_TURNS = "turns"
KEY_CHAT = "chat"
KEY_GROUP = "group"
KEY_EXPECT = "expect"
SCRIPT_KEYS = (KEY_NAME, "description", KEY_TAGS, KEY_CHAT, KEY_GROUP, KEY_TURNS)
ACTIONS = ("say", "press", "command", "send", "edit", "burst")
TURN_KEYS = (*ACTIONS, KEY_CHAT, KEY_GROUP, KEY_EXPECT, "note", "caption", "times", "only")
ONLY = ("telegram",)
MAX_BURST = 100
EXPECT_KEYS = (
    "intent",
    "routes",
    "routes_exclude",
    "text_contains",
    "text_matches",
    "buttons",
    "safety",
    "asks_question",
    "replies",
)
DEFAULT_CHAT = "me"


class _Reader:
    """Check one parsed file key by key, keeping every problem with its line."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.doc.path, self.doc.line(loc), message))

    def keys(self, value: dict, loc: Loc, allowed: tuple[str, ...], what: str) -> None:
        for key in value:
            if key not in allowed:
                self.problem(
                    (*loc, key), f"unknown key {key!r} in {what} (known: {', '.join(allowed)})"
                )

    def text(self, value: object, loc: Loc, what: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, dict) and len(value) == 1 and None in value.values():
            # `text_contains: {report_fraud.phone}` unquoted is a YAML mapping.
            placeholder = "{" + str(next(iter(value))) + "}"
            self.problem(loc, f'{what}: put a placeholder in quotes, like "{placeholder}"')
            return None
        self.problem(loc, f"{what} must be some text, got {_kind(value)}")
        return None

    def flag(self, value: object, loc: Loc, what: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(loc, f"{what} must be true or false, got {_kind(value)}")
        return None

    def texts(self, value: object, loc: Loc, what: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        out = [
            self.text(item, (*loc, i) if isinstance(value, list) else loc, what)
            for i, item in enumerate(items)
        ]
        return tuple(t.strip() for t in out if t is not None)

    def script(self, data: object) -> Script | None:
        if not isinstance(data, dict):
            self.problem((), f"a script must be a mapping with name and turns, got {_kind(data)}")
            return None
        self.keys(data, (), SCRIPT_KEYS, "the script")
        for key in (KEY_NAME, KEY_TURNS):
            if key not in data:
                self.problem((), f"missing key {key!r}")
        name = self.text(data.get(KEY_NAME), (KEY_NAME,), "name") if KEY_NAME in data else None
        tags = self.texts(data[KEY_TAGS], (KEY_TAGS,), "a tag") if KEY_TAGS in data else ()
        chat = DEFAULT_CHAT
        if KEY_CHAT in data:
            chat = self.text(data[KEY_CHAT], (KEY_CHAT,), "chat") or DEFAULT_CHAT
        group = False
        if KEY_GROUP in data:
            group = bool(self.flag(data[KEY_GROUP], (KEY_GROUP,), "group"))
        turns = data.get(KEY_TURNS)
        steps: list[Step] = []
        if KEY_TURNS in data and not isinstance(turns, list):
            self.problem((KEY_TURNS,), f"turns must be a list of turns, got {_kind(turns)}")
        elif KEY_TURNS in data and not turns:
            self.problem((KEY_TURNS,), "turns is empty: add at least one turn")
        elif isinstance(turns, list):
            for index, turn in enumerate(turns):
                step = self.step(turn, (KEY_TURNS, index), chat, group)
                if step is not None:
                    steps.append(step)
        if name is None or len(steps) != len(turns or ()):
            return None
        return Script(name.strip(), self.doc.path, tags, tuple(steps))

    def step(self, turn: object, loc: Loc, chat: str, group: bool) -> Step | None:
        line = self.doc.value_line(loc)
        if not isinstance(turn, dict):
            self.problem(loc, f"a turn must be a mapping like 'say: hello', got {_kind(turn)}")
            return None
        before = len(self.problems)
        actions = [a for a in ACTIONS if a in turn]
        unknown = [k for k in turn if k not in TURN_KEYS]
        if not actions and unknown:
            for key in unknown:
                known = ", ".join(ACTIONS)
                self.problem((*loc, key), f"unknown action {key!r} (known: {known})")
            return None
        self.keys(turn, loc, TURN_KEYS, "a turn")
        if len(actions) != 1:
            found = ", ".join(actions) or "none"
            self.problem(loc, f"a turn needs exactly one of {', '.join(ACTIONS)} (found: {found})")
            return None
        action = actions[0]
        value = self.text(turn[action], (*loc, action), action)
        if value is not None:
            value = value.strip()
            if action == "command" and not re.fullmatch(r"/\w+(?: .*)?", value):
                self.problem(
                    (*loc, action), f"a command starts with '/', like '/start', got {value!r}"
                )
            if action == "send" and value not in NON_TEXT_KINDS:
                known = ", ".join(sorted(NON_TEXT_KINDS))
                self.problem((*loc, action), f"unknown kind {value!r} to send (known: {known})")
        extras = self.extras(turn, loc, action)
        if KEY_CHAT in turn:
            chat = self.text(turn[KEY_CHAT], (*loc, KEY_CHAT), "chat") or chat
        if KEY_GROUP in turn:
            group = bool(self.flag(turn[KEY_GROUP], (*loc, KEY_GROUP), "group"))
        expect = self.expect(turn.get(KEY_EXPECT, {}), (*loc, KEY_EXPECT))
        if value is None or expect is None or len(self.problems) > before:
            return None
        return Step(action, value, chat.strip(), group, expect, line, **extras)  # type: ignore[arg-type]

    def extras(self, turn: dict, loc: Loc, action: str) -> dict[str, object]:
        """`caption` (with send), `times` (with burst, required) and `only: telegram`."""
        out: dict[str, object] = {}
        if "caption" in turn:
            if action != "send":
                self.problem((*loc, "caption"), "caption goes with send, like 'send: photo'")
            else:
                out["caption"] = (
                    self.text(turn["caption"], (*loc, "caption"), "caption") or ""
                ).strip()
        times = turn.get("times")
        count = int(times) if isinstance(times, str) and times.strip().isdigit() else 0
        if action == "burst":
            if 2 <= count <= MAX_BURST:
                out["times"] = count
            else:
                self.problem(
                    (*loc, "times" if "times" in turn else action),
                    f"a burst needs times: a number from 2 to {MAX_BURST}, got {_kind(times)}",
                )
        elif "times" in turn:
            self.problem((*loc, "times"), "times goes with burst, like 'burst: hello'")
        if "only" in turn:
            if turn["only"] in ONLY:
                out["only"] = turn["only"]
            else:
                self.problem(
                    (*loc, "only"), f"only must be {', '.join(ONLY)}, got {_kind(turn['only'])}"
                )
        return out

    def expect(self, data: object, loc: Loc) -> Expect | None:
        if data is None:
            return Expect()
        if not isinstance(data, dict):
            self.problem(loc, f"expect must be a mapping of checks, got {_kind(data)}")
            return None
        self.keys(data, loc, EXPECT_KEYS, "expect")
        values: dict[str, object] = {}
        lines = {key: self.doc.line((*loc, key)) for key in data}
        if "intent" in data:
            intent = data["intent"]
            if intent is not None:
                intent = self.text(intent, (*loc, "intent"), "intent")
            values.update(intent=intent, check_intent=True)
        for key in ("routes", "routes_exclude", "text_contains", "buttons"):
            if key in data:
                values[key] = self.texts(data[key], (*loc, key), key)
        if "text_matches" in data:
            pattern = self.text(data["text_matches"], (*loc, "text_matches"), "text_matches")
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as error:
                    self.problem(
                        (*loc, "text_matches"), f"text_matches is not a valid regex: {error}"
                    )
                values["text_matches"] = pattern
        for key in ("safety", "asks_question"):
            if key in data:
                values[key] = self.flag(data[key], (*loc, key), key)
        if "replies" in data:
            count = data["replies"]
            if isinstance(count, str) and count.strip().isdigit():
                values["replies"] = int(count)
            else:
                self.problem(
                    (*loc, "replies"), f"replies must be a whole number, got {_kind(count)}"
                )
        return Expect(**values, lines=lines)  # type: ignore[arg-type]


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def load_script(file: Path, shown: str | None = None) -> tuple[Script | None, list[Problem]]:
    """Read one script; `shown` is the path printed in messages (default: as given)."""
    path = shown or str(file)
    doc, problems = load_yaml(file, path)
    if doc is None:
        return None, problems
    reader = _Reader(doc)
    script = reader.script(doc.data)
    problems = sorted([*problems, *reader.problems])
    return (None if problems else script), problems


def find_scripts(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders into their *.yaml / *.yml files, sorted; missing paths are problems."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"}))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, "no such script file or folder"))
    return files, problems
