"""The command line as testers and tools use it: real processes, one JSON line per line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    environment.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def finish(proc: subprocess.Popen[str]) -> int:
    """Close our end, drain and close every pipe, and return the exit code."""
    assert proc.stdin is not None
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdin.close()
    proc.stdout.read()
    proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return proc.wait(timeout=30)


def exchange(proc: subprocess.Popen[str], line: str) -> dict:
    """Send one line and read exactly one line back: proves the stream is flushed per line."""
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


class TestClassify:
    def test_streams_one_json_line_per_message(self) -> None:
        """Each message gets its JSON line before the next is sent."""
        proc = spawn("classify")
        try:
            first = exchange(proc, "sum1 hacked my insta and changed the pasword")
            assert first["text"] == "sum1 hacked my insta and changed the pasword"
            assert first["intent"] == "account_hacking"
            assert first["decision"] == "matched"
            assert 0 <= first["score"] <= 100
            assert {"intent", "score"} <= set(first["alternatives"][0])
            second = exchange(proc, "what time does the tip open on sunday")
            assert second["intent"] is None
            assert second["decision"] in {"no_match", "clarify"}
            assert first["offered"] == []
            assert isinstance(second["offered"], list)
        finally:
            code = finish(proc)
        assert code == 0

    def test_explain_adds_evidence(self, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
        """--explain shows which keywords and examples led to the answer."""
        import io

        monkeypatch.setattr(
            sys, "stdin", io.StringIO("fake courier text asking me to pay a fee\n")
        )
        assert main(["classify", "--explain"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["evidence"]["examples"]
        assert "keywords" in data["evidence"]

    def test_crisis_is_flagged(self, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
        """A crisis message is classified by the safety screen and says so."""
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO("i want to end my life\n"))
        assert main(["classify"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["intent"] == "self_harm_crisis"
        assert data["safety"] is True


class TestChatJsonl:
    def test_protocol_round_trip_in_a_real_process(self) -> None:
        """Text, buttons, kinds and bad lines each get exactly one line back, in order."""
        proc = spawn("chat", "--jsonl")
        try:
            start = exchange(proc, json.dumps({"text": "/start"}))
            assert start["replies"][0]["buttons"]
            crime = exchange(
                proc,
                json.dumps({"text": "someone keeps sending me strobe gifs to give me a seizure"}),
            )
            reply = crime["replies"][0]
            assert reply["intent"] == "flashing_images"
            assert "police_101" in reply["routes"]
            section = reply["buttons"][0][0]["data"]
            pressed = exchange(proc, json.dumps({"button": section}))
            assert pressed["replies"][0]["intent"] == "flashing_images"
            photo = exchange(proc, json.dumps({"kind": "photo"}))
            assert photo["replies"][0]["intent"] is None
            assert "error" in exchange(proc, "this is not json")
            assert "error" in exchange(proc, json.dumps({"kind": "hologram"}))
            other_chat = exchange(proc, json.dumps({"text": "yes", "chat": "someone-else"}))
            assert other_chat["replies"]
        finally:
            code = finish(proc)
        assert code == 0

    def test_typing_a_number_presses_that_button(self) -> None:
        """In the interactive chat, buttons are numbered and typing the number presses it."""
        proc = spawn("chat")
        out, _ = proc.communicate("1\n/quit\n", timeout=60)
        assert proc.returncode == 0
        first_button = out.split("[1] ", 1)[1].splitlines()[0]
        assert first_button == "Money and fraud"
        assert "Choose the one closest to what happened" in out

    def test_no_token_opens_console_with_a_hint(self) -> None:
        """`python -m bot` without a token says how to connect Telegram, then chats."""
        proc = spawn()
        out, err = proc.communicate("hello\n/quit\n", timeout=60)
        assert "TELEGRAM_BOT_TOKEN" in err
        assert "you>" in out
        assert proc.returncode == 0


class TestWrongContentFolder:
    def test_names_the_missing_folders_only(self, tmp_path, capsys) -> None:
        """A mistyped --content gets the two lines that matter, not dozens of missing intents."""
        assert main(["validate", "--content", str(tmp_path / "nowhere")]) == 1
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith("intents/:1: folder is missing")
        assert err[1].startswith("responses/:1: folder is missing")
        assert len(err) == 3
