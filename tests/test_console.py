"""Hostile input on the console protocols: one bad line costs one error line, never the stream."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.console import (
    ProtocolError,
    event_from_json,
    run_interactive,
    run_jsonl,
)
from bot.core.model import NON_TEXT_ORDER, Event, Reply

ROOT = Path(__file__).resolve().parent.parent
DEEP = "[" * 100_000
HELLO = json.dumps({"text": "hello"})


def run_bot(args: list[str], stdin: bytes, **env: str) -> tuple[list[str], str, int]:
    """Run `python -m bot ARGS` with raw bytes on stdin; return stdout lines, stderr, code."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "BOT_"))}
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
    return (
        done.stdout.decode("utf-8").splitlines(),
        done.stderr.decode("utf-8", "replace"),
        (done.returncode),
    )


STRICT = {"PYTHONIOENCODING": "utf-8:strict"}


class TestChatJsonlSurvivesHostileLines:
    def test_each_bad_line_gets_one_error_and_the_next_is_answered(self) -> None:
        """Deep nesting, a lone surrogate and invalid UTF-8 each cost one error line only."""
        bad_lines = [
            DEEP.encode(),
            b'{"text": "\\ud800 my account was hacked"}',
            b'{"chat": "\\ud800", "text": "hi"}',
            b'{"text": "caf\xff\xfe"}',
            b'{"text": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes: not valid UTF-8
        ]
        stdin = b"".join(line + b"\n" + HELLO.encode() + b"\n" for line in bad_lines)
        out, err, code = run_bot(["chat", "--jsonl"], stdin, **STRICT)
        assert code == 0, err[-2000:]
        assert len(out) == 2 * len(bad_lines)
        for bad, good in zip(out[::2], out[1::2], strict=True):
            assert set(json.loads(bad)) == {"error"}
            assert json.loads(good)["replies"][0]["text"]
        assert "Traceback" not in err

    def test_photo_with_caption_is_answered(self) -> None:
        """A photo with a caption is accepted by the protocol and answered as a photo."""
        line = json.dumps({"kind": "photo", "caption": "they sent me this screenshot"})
        out, err, code = run_bot(["chat", "--jsonl"], (line + "\n").encode())
        assert code == 0, err
        assert json.loads(out[0])["replies"]


class TestClassifySurvivesHostileLines:
    def test_bad_bytes_get_an_error_line_and_the_stream_goes_on(self) -> None:
        """classify answers every line: invalid UTF-8 gets an error, nesting is just text."""
        stdin = b"caf\xff\n" + DEEP.encode() + b"\nmy instagram was hacked\n"
        out, err, code = run_bot(["classify"], stdin, **STRICT)
        assert code == 0, err[-2000:]
        assert len(out) == 3
        assert set(json.loads(out[0])) == {"error"}
        assert json.loads(out[1])["text"] == DEEP
        assert json.loads(out[2])["intent"] == "account_hacking"


class TestInteractiveSurvivesHostileLines:
    def test_invalid_bytes_get_a_kind_message_and_the_chat_goes_on(self) -> None:
        """A person whose terminal sends broken bytes is told so and can carry on."""
        stdin = b"caf\xff\xfe\nmy instagram was hacked\n/quit\n"
        out, err, code = run_bot(["chat"], stdin, **STRICT)
        text = "\n".join(out)
        assert code == 0, err[-2000:]
        assert "couldn't read that line" in text
        assert "Bye. Take care." in text
        assert "Traceback" not in err


async def echo(chat: int | str, event: Event) -> list[Reply]:
    return [Reply(f"{event.kind}:{event.text}")]


class TestParsing:
    @pytest.mark.parametrize("kind", NON_TEXT_ORDER)
    def test_caption_travels_in_event_text(self, kind: str) -> None:
        """Every non-text kind may carry a caption; it arrives as the event's text."""
        line = json.dumps({"kind": kind, "caption": "look at this"})
        assert event_from_json(line) == ("console", Event(kind, "look at this"))  # type: ignore[arg-type]

    def test_kind_without_caption_has_no_text(self) -> None:
        assert event_from_json('{"kind": "sticker"}') == ("console", Event("sticker"))

    @pytest.mark.parametrize(
        ("line", "says"),
        [
            ('{"kind": "photo", "caption": 5}', "caption"),
            ('{"text": "hi", "chat": [1]}', "chat"),
            ('{"text": "\\udfff"}', "surrogate"),
            (DEEP, "nested"),
            ("1" * 5000, "JSON"),
        ],
    )
    def test_bad_lines_say_what_is_wrong(self, line: str, says: str) -> None:
        with pytest.raises(ProtocolError, match=says):
            event_from_json(line)

    async def test_blank_lines_are_skipped(self) -> None:
        out = io.StringIO()
        await run_jsonl(echo, ["\n", "  \n", HELLO + "\n"], out)
        assert len(out.getvalue().splitlines()) == 1

    async def test_interactive_reads_bytes_too(self) -> None:
        out = io.StringIO()
        stdin = io.BytesIO(b"\xff\nhello\n/quit\n")
        assert await run_interactive(echo, stdin, out) == 0
        assert "couldn't read that line" in out.getvalue()
        assert "text:hello" in out.getvalue()


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "text": _JSONISH,
        "button": _JSONISH,
        "kind": st.sampled_from([*NON_TEXT_ORDER, "hologram"]) | _JSONISH,
        "caption": _JSONISH,
        "chat": _JSONISH,
    },
)
_LINES = st.one_of(
    st.binary(max_size=80),
    st.text(max_size=80).map(lambda s: s.encode("utf-8", "surrogatepass")),
    _FIELDS.map(lambda d: json.dumps(d).encode()),
    _JSONISH.map(lambda v: json.dumps(v).encode()),
).map(lambda raw: raw.replace(b"\n", b" "))


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(_LINES)
    def test_reader_raises_only_protocol_errors(self, raw: bytes) -> None:
        """Whatever a line holds, the reader returns an event or says why it cannot."""
        try:
            chat, event = event_from_json(raw)
        except ProtocolError:
            return
        assert isinstance(chat, str)
        chat.encode("utf-8")
        event.text.encode("utf-8")

    @settings(max_examples=100, deadline=None)
    @given(st.lists(_LINES, max_size=6))
    def test_every_non_blank_line_gets_exactly_one_line(self, lines: list[bytes]) -> None:
        """The machine protocol never loses or doubles a line, and its output is valid UTF-8."""
        out = io.StringIO()
        asyncio.run(run_jsonl(echo, [line + b"\n" for line in lines], out))
        written = out.getvalue().splitlines()
        assert len(written) == sum(1 for line in lines if line.strip())
        for row in written:
            row.encode("utf-8")
            assert set(json.loads(row)) <= {"replies", "error"}
