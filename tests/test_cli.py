"""The command line as testers and tools use it: real processes, one JSON line per line."""

from __future__ import annotations

import json
import os
import shutil
import stat
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


def run_chat(env: dict[str, str], stdin: str = '{"text": "hello"}\n', *prefix: str):
    """`python -m bot chat --jsonl` with only the given BOT_ settings; returns the result."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "BOT_"))}
    environment.update(env)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bot", "chat", "--jsonl"],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def without_file_override() -> list[str]:
    """Run a child that file permissions bind, even when the tests run as root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root without setpriv: permissions cannot be made to bite")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", "--"]


class TestSettings:
    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("BOT_STATE_TTL", "abc"),
            ("BOT_STATE_TTL", "nan"),
            ("BOT_STATE_TTL", "inf"),
            ("BOT_STATE_TTL", "-5"),
            ("BOT_STATE_TTL", "0"),
            ("BOT_DB", ""),
            ("BOT_DB", "{folder}"),
            ("BOT_STATE_SECRET", "short"),
            ("BOT_SECRET_FILE", "{folder}"),
            ("BOT_SECRET_FILE", ""),
        ],
    )
    def test_a_wrong_setting_is_one_line_and_exit_2(
        self, name: str, value: str, tmp_path: Path
    ) -> None:
        """A wrong value stops start-up with one line naming the variable and what it may be."""
        done = run_chat({name: value.format(folder=tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, done.stderr
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(f"error: {name}")
        assert "use " in lines[0]
        assert done.stdout == ""

    def test_the_secret_value_is_never_echoed(self) -> None:
        done = run_chat({"BOT_STATE_SECRET": "hunter2"})
        assert done.returncode == 2
        assert "hunter2" not in done.stderr

    def test_run_checks_settings_before_telegram(self, tmp_path: Path) -> None:
        """`run` refuses a bad TTL before it ever contacts Telegram."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        environment.update(
            TELEGRAM_BOT_TOKEN="123456789:" + "A" * 35,
            TELEGRAM_BOT_API_URL="http://127.0.0.1:9",
            BOT_STATE_TTL="nan",
            XDG_CONFIG_HOME=str(tmp_path),
        )
        done = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [done.stderr.strip()]
        assert "BOT_STATE_TTL" in done.stderr


class TestSecretPlace:
    def test_generated_secret_lives_outside_the_data_folder(self, tmp_path: Path) -> None:
        """The database and the key that would unlock its chat keys are kept apart."""
        db = tmp_path / "data" / "state.db"
        done = run_chat({"BOT_DB": str(db), "XDG_CONFIG_HOME": str(tmp_path / "config")})
        assert done.returncode == 0, done.stderr
        secret = tmp_path / "config" / "cyber-signpost" / "state.secret"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert db.exists()
        assert not (db.parent / "state.secret").exists()

    def test_an_old_secret_next_to_the_database_is_still_used(self, tmp_path: Path) -> None:
        """Upgrading does not orphan saved state: the old file is used, with a warning."""
        db = tmp_path / "data" / "state.db"
        db.parent.mkdir()
        (db.parent / "state.secret").write_bytes(b"o" * 32)
        done = run_chat({"BOT_DB": str(db), "XDG_CONFIG_HOME": str(tmp_path / "config")})
        assert done.returncode == 0, done.stderr
        assert "move it out of the data folder" in done.stderr
        assert not (tmp_path / "config").exists()

    @pytest.mark.parametrize("where", ["config", "secret_file"])
    def test_secret_that_cannot_be_written_is_one_line_and_exit_2(
        self, where: str, tmp_path: Path
    ) -> None:
        """A read-only folder for the secret stops start-up with one line saying what to do."""
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        env = {"BOT_DB": str(locked / "state.db"), "XDG_CONFIG_HOME": str(locked / "config")}
        if where == "secret_file":
            env["BOT_SECRET_FILE"] = str(locked / "state.secret")
        try:
            done = run_chat(env, '{"text": "hello"}\n', *without_file_override())
        finally:
            locked.chmod(0o700)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, done.stderr
        assert len(lines) == 1, done.stderr
        assert "BOT_STATE_SECRET" in lines[0]
        assert "Permission denied" in lines[0]
        assert done.stdout == ""
