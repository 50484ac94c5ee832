"""Hostile or mangled content files: each gets one plain `file:line: message`, never a hang,
a traceback or a misleading "intent has no response"."""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.problem import Problem
from bot.content.validate import check
from bot.content.yamlload import load_yaml

DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"
TODAY = date(2026, 12, 1)

BILLION_LAUGHS = (
    "id: greeting\na: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
)


def _mini(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def _messages(root: Path) -> list[str]:
    return [p.format() for p in check(root, contract=False, today=TODAY)]


def _within(seconds: float, work):
    """Run `work` in a thread; fail (instead of hanging the suite) if it takes too long."""
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"took over {seconds} s"
    return box[0]


class TestRefusedConstructs:
    def test_alias_bomb_is_refused_at_once(self, tmp_path: Path) -> None:
        """A nine-level "billion laughs" file is refused in well under a second."""
        root = _mini(tmp_path)
        (root / "intents" / "greeting.yaml").write_text(BILLION_LAUGHS)
        started = time.monotonic()
        messages = _within(10, lambda: _messages(root))
        assert time.monotonic() - started < 2
        assert messages == [
            "intents/greeting.yaml:2: anchors (&name) and aliases (*name) are not allowed: "
            "write the text out in full (a '*' or '&' at the start of a text needs quotes)"
        ]

    def test_plain_alias_is_refused(self, tmp_path: Path) -> None:
        """Even one harmless-looking anchor is refused: content is written out in full."""
        root = _mini(tmp_path)
        greeting = root / "intents" / "greeting.yaml"
        text = greeting.read_text().replace("title:", "title: &t", 1)
        greeting.write_text(text)
        assert _messages(root)[0].startswith("intents/greeting.yaml:3: anchors (&name)")

    def test_nesting_over_the_limit_is_refused(self, tmp_path: Path) -> None:
        """21 levels of brackets is more than any content file needs."""
        root = _mini(tmp_path)
        (root / "intents" / "greeting.yaml").write_text("x: " + "[" * 21 + "]" * 21 + "\n")
        assert _messages(root) == [
            "intents/greeting.yaml:1: nesting is deeper than 20 levels: content files need "
            "only a few (check the indentation and the [ ] and { } brackets)"
        ]

    @pytest.mark.parametrize("opener", ["[", "{a: "])
    def test_five_thousand_deep_is_a_message_not_a_crash(
        self, tmp_path: Path, opener: str
    ) -> None:
        """5,000 unclosed brackets give a problem, not a RecursionError."""
        root = _mini(tmp_path)
        (root / "intents" / "greeting.yaml").write_text("x: " + opener * 5000 + "\n")
        messages = _within(10, lambda: _messages(root))
        assert messages[0].startswith("intents/greeting.yaml:1: nesting is deeper than 20")


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("char", "name"),
        [
            ("\x0b", "a vertical tab (U+000B, the soft line break Word makes with Shift+Enter)"),
            ("\x0c", "a form feed (U+000C, a Word page break)"),
            ("\x00", "a NUL character (U+0000)"),
            ("\x07", "an invisible control character (U+0007)"),
        ],
    )
    def test_pasted_control_character_is_named(self, tmp_path: Path, char: str, name: str) -> None:
        """Word's soft line break and friends are named, with their line and where from."""
        root = _mini(tmp_path)
        reply = root / "responses" / "greeting.yaml"
        lines = reply.read_text().splitlines(keepends=True)
        lines[2] = lines[2].replace(" ", char, 1)
        reply.write_text("".join(lines))
        assert _messages(root) == [
            f"responses/greeting.yaml:3: the line contains {name}: it probably came from "
            "pasting from Word; delete it and type the line break or space again"
        ]


class TestNotAFile:
    def test_folder_named_like_a_file(self, tmp_path: Path) -> None:
        """A folder called greeting.yaml is named as a folder, not as a missing response."""
        root = _mini(tmp_path)
        (root / "responses" / "greeting.yaml").unlink()
        (root / "responses" / "greeting.yaml").mkdir()
        assert _messages(root) == [
            "responses/greeting.yaml:1: is a folder, not a file: rename or remove the folder"
        ]

    def test_symlink_loop(self, tmp_path: Path) -> None:
        """A link that points at itself is named as a loop."""
        root = _mini(tmp_path)
        target = root / "responses" / "greeting.yaml"
        target.unlink()
        target.symlink_to("greeting.yaml")
        assert _messages(root) == [
            "responses/greeting.yaml:1: is a symbolic link that points back to itself (a "
            "loop): replace it"
        ]

    def test_fifo_is_named_and_never_opened(self, tmp_path: Path) -> None:
        """A named pipe would block a reader for ever: it is refused from its file type."""
        root = _mini(tmp_path)
        target = root / "intents" / "greeting.yaml"
        target.unlink()
        os.mkfifo(target)
        messages = _within(10, lambda: _messages(root))
        assert messages == [
            "intents/greeting.yaml:1: is a named pipe (FIFO), not a file: remove it and save "
            "the content as a file"
        ]

    def test_unreadable_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Permission denied is a plain message (simulated: the tests may run as root)."""
        root = _mini(tmp_path)
        target = root / "intents" / "greeting.yaml"
        real_open = Path.open

        def deny(self: Path, *args: object, **kwargs: object):
            if self == target:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", deny)
        assert _messages(root) == [
            "intents/greeting.yaml:1: cannot read the file (permission denied): check that "
            "the bot's user may read it (for example chmod a+r)"
        ]

    @pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
    def test_unreadable_file_for_real(self, tmp_path: Path) -> None:
        root = _mini(tmp_path)
        target = root / "intents" / "greeting.yaml"
        target.chmod(0)
        assert _messages(root)[0].startswith("intents/greeting.yaml:1: cannot read the file")


YAMLISH = st.text(
    alphabet=st.sampled_from(list("ab: -\n\t'\"[]{}&*!|>#%@`,?\\\x00\x0b\x85é😀"))
    | st.characters(),
    max_size=200,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=YAMLISH, name=st.sampled_from(["intents/greeting.yaml", "responses/greeting.yaml"]))
def test_any_text_gives_problems_never_an_exception(tmp_path: Path, text: str, name: str) -> None:
    """Whatever an operator (or an attacker) writes, the checks answer with Problems."""
    root = tmp_path / "content"
    if not root.exists():
        shutil.copytree(MINI, root)
    (root / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    problems = check(root, contract=False, today=TODAY)
    assert all(isinstance(p, Problem) for p in problems)
    doc, direct = load_yaml(root / name, name)
    assert doc is not None or direct
