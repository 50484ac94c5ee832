"""`python -m bot test --record FILE`: a console chat becomes a script that passes as written.

Driven as a tester would: lines fed to the real command's stdin in a subprocess, then the
written file run with `python -m bot test FILE`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.scripts.format import load_script

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def bot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_recorded_chat_plays_back_as_a_passing_script(tmp_path: Path) -> None:
    """Typed text, commands and numbered button presses become say/command/press turns."""
    file = tmp_path / "recorded.yaml"
    typed = "1\n2\n\n/start phishing\n1\ni want to kill myself tonight\n/quit\n"
    run = bot("test", "--record", str(file), stdin=typed)
    assert run.returncode == 0, run.stderr
    assert "you> " in run.stdout  # the ordinary console chat
    assert f"wrote 6 turn(s) to {file}" in run.stderr
    assert "played back: PASS Recorded: i want to kill myself tonight" in run.stderr

    script, problems = load_script(file)
    assert problems == []
    assert script is not None
    assert script.tags == ("recorded",)
    assert [(s.action, s.value) for s in script.steps] == [
        ("command", "/start"),
        ("press", "Money and fraud"),
        ("press", script.steps[2].value),
        ("command", "/start phishing"),
        ("press", "What to do now"),
        ("say", "i want to kill myself tonight"),
    ]
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    menu, deep_link, crisis = data["turns"][0], data["turns"][3], data["turns"][5]
    assert menu["expect"]["intent"] is None
    assert "Money and fraud" in menu["expect"]["buttons"]
    assert deep_link["expect"]["intent"] == "phishing"
    assert "safety" not in deep_link["expect"]  # written only when true
    assert "phishing_email" in deep_link["expect"]["routes"]
    assert crisis["expect"]["safety"] is True
    assert crisis["expect"]["routes"]

    again = bot("test", str(file))
    assert again.returncode == 0, again.stdout
    assert again.stdout.splitlines() == [
        f"PASS Recorded: i want to kill myself tonight ({file})",
        "1 passed, 0 failed",
    ]


def test_an_existing_file_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-edited script is worth more than a recording: refuse before chatting."""
    file = tmp_path / "mine.yaml"
    file.write_text("name: mine\n", encoding="utf-8")
    assert main(["test", "--record", str(file)]) == 2
    assert capsys.readouterr().err == (
        f"{file} already exists: choose a new name (a recording never overwrites)\n"
    )
    assert file.read_text(encoding="utf-8") == "name: mine\n"


def test_a_missing_folder_is_refused_before_chatting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "no" / "such.yaml"
    assert main(["test", "--record", str(file)]) == 2
    assert capsys.readouterr().err == (
        f"cannot write {file}: the folder {file.parent} does not exist\n"
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--tags", "crisis"], "--tags"),
        (["--telegram"], "--telegram"),
        (["tests/conversations"], "script paths"),
    ],
)
def test_record_runs_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], named: str
) -> None:
    """--record writes one script; it does not also run others."""
    assert main(["test", "--record", str(tmp_path / "r.yaml"), *extra]) == 2
    assert capsys.readouterr().err == f"error: --record cannot be combined with {named}\n"
    assert not (tmp_path / "r.yaml").exists()


def test_in_process_recording_keeps_quoting_and_left_out_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "yes" stays text, a label with a comma is quoted, and an unsendable command is named."""
    import io

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "stdin", io.StringIO("/start phishing\nyes\n/\n"))
    file = tmp_path / "r.yaml"
    assert main(["test", "--record", str(file)]) == 0
    err = capsys.readouterr().err
    assert "left out of the script: the command '/': a script cannot send it" in err
    text = file.read_text(encoding="utf-8")
    assert text.startswith("# Recorded with `python -m bot test --record`.")
    assert "  - say: 'yes'\n" in text
    assert "'Abuse, threats and harassment'" in text
    script, problems = load_script(file)
    assert problems == []
    assert script is not None
    assert [s.value for s in script.steps] == ["/start", "/start phishing", "yes"]
