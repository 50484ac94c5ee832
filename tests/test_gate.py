"""The one content gate: validate, start-up and reload refuse the same defects the same way.

Each fixture in data/gate/ breaks one thing in a copy of the project's own content.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.content.problem import Problem, refusal_lines
from bot.content.safetycheck import GateSettings
from bot.content.validate import check, run_validate
from bot.core.engine import Engine
from bot.session import LiveEngine

ROOT = Path(__file__).resolve().parent.parent
GATE = Path(__file__).resolve().parent / "data" / "gate"
CASES = sorted(p.stem for p in GATE.glob("*.yaml"))


def project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for folder in ("intents", "responses"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def apply_case(root: Path, case: str) -> list[str]:
    """Lay one defect over `root`; return the exact messages the gate must give."""
    spec = yaml.safe_load((GATE / f"{case}.yaml").read_text(encoding="utf-8"))
    for name in spec.get("remove", []):
        (root / name).unlink()
    line = 1
    edit = spec.get("edit")
    if edit:
        file = root / edit["file"]
        text = file.read_text(encoding="utf-8")
        if edit.get("regex"):
            changed = re.sub(edit["replace"], edit["with"], text, count=1)
        else:
            assert edit["replace"] in text, f"{case}: the text to replace is not in the file"
            changed = text.replace(edit["replace"], edit["with"], 1)
        assert changed != text, f"{case}: the edit changed nothing"
        file.write_text(changed, encoding="utf-8")
        if "line_of" in spec:
            lines = changed.splitlines()
            line = next(n for n, t in enumerate(lines, 1) if t.startswith(spec["line_of"]))
    return [m.replace("{line}", str(line)) for m in spec["expect"]]


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    return project_copy(tmp_path)


class TestRefusals:
    def test_the_shipped_content_passes_the_gate(self) -> None:
        """Every refusal below is a change from content that passes, recall included."""
        assert [p.format() for p in check(ROOT) if p.is_error] == []

    @pytest.mark.parametrize("case", CASES)
    def test_each_defect_is_refused_with_its_line(self, content_root: Path, case: str) -> None:
        """One defect, one exact `file:line: message` saying what to do."""
        expected = apply_case(content_root, case)
        assert [p.format() for p in check(content_root)] == expected

    def test_required_recall_comes_from_config(self, content_root: Path, tmp_path: Path) -> None:
        """A lead who lowers min_crisis_recall lets a 51/52 catalog through, and only then."""
        apply_case(content_root, "crisis_recall_drop")
        config = tmp_path / "safety_gate.yaml"
        config.write_text("min_crisis_recall: 0.98\n")
        assert check(content_root, settings=GateSettings.load(config)) == []

    def test_missing_crisis_set_is_one_warning(self, content_root: Path, tmp_path: Path) -> None:
        """An install without tests/ still loads, saying once that recall was not checked."""
        apply_case(content_root, "crisis_recall_drop")
        settings = GateSettings(crisis_set=tmp_path / "absent.jsonl")
        assert check(content_root, settings=settings) == [
            Problem(
                str(tmp_path / "absent.jsonl"),
                1,
                "crisis regression set not found, so crisis recall was not checked (normal "
                "for an install without tests/)",
                "warning",
            )
        ]


class TestOneOutput:
    def test_validate_start_up_and_reload_say_the_same(
        self, content_root: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The same defect gives the same lines and exit 1 from validate, chat, run and reload."""
        expected = apply_case(content_root, "bare_star")
        lines = refusal_lines(check(content_root))
        assert lines[:-1] == expected
        assert main(["validate", "--content", str(content_root)]) == 1
        assert capsys.readouterr().err.splitlines() == lines
        # A bare '*' used to crash start-up with a StopIteration traceback.
        assert main(["chat", "--content", str(content_root)]) == 1
        assert capsys.readouterr().err.splitlines() == lines
        live = LiveEngine(engine, content_root)
        assert live.reload() == lines
        assert live.engine is engine

    def test_run_refuses_before_connecting(
        self,
        content_root: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
    ) -> None:
        """`python -m bot run` with bad content prints the problems and exits 1."""
        apply_case(content_root, "welcome_without_999")
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
        monkeypatch.setenv("BOT_DB", str(tmp_path / "state.db"))
        assert main(["run", "--content", str(content_root)]) == 1
        assert capsys.readouterr().err.splitlines() == refusal_lines(check(content_root))


class TestReloadKeepsOldContent:
    @pytest.mark.parametrize("case", CASES)
    def test_reload_refuses_each_defect(
        self, content_root: Path, engine: Engine, case: str
    ) -> None:
        """A reload with any gate defect keeps the old engine and returns the problems."""
        live = LiveEngine(engine, content_root)
        expected = apply_case(content_root, case)
        problems = live.reload()
        assert problems[:-1] == expected
        assert problems[-1].startswith(f"{len(expected)} error(s): the bot will not load")
        assert live.engine is engine

    def test_reload_accepts_good_content(self, content_root: Path, engine: Engine) -> None:
        live = LiveEngine(engine, content_root)
        assert live.reload() == []
        assert live.engine is not engine

    def test_reload_that_runs_out_of_time_keeps_old_content(
        self, content_root: Path, engine: Engine
    ) -> None:
        """A reload slower than its time limit is abandoned, even if it would have passed."""
        live = LiveEngine(engine, content_root, reload_timeout=0.0)
        problems = live.reload()
        assert problems == [
            "reload took longer than 0 seconds and was abandoned: still serving the previous "
            "content (try again, and check the files are not huge)"
        ]
        assert live.engine is engine


def test_validate_stream_output_for_refusal(content_root: Path) -> None:
    """run_validate writes the refusal to stderr only, and returns 1."""
    apply_case(content_root, "missing_system")
    out, err = io.StringIO(), io.StringIO()
    assert run_validate(content_root, out, err) == 1
    assert out.getvalue() == ""
    assert err.getvalue().splitlines()[0].startswith("responses/system.yaml:1: file is missing")


class TestCrisisReplayMemo:
    """Restarts with unchanged content read the replay's answer; a bad memo is never trusted."""

    def test_a_garbled_memo_is_replayed_not_believed(self, tmp_path, monkeypatch) -> None:
        from bot.content import safetycheck

        monkeypatch.setenv("BOT_GATE_CACHE", str(tmp_path))
        root = Path(__file__).resolve().parent.parent
        safetycheck._MISSED.clear()
        first = [p.format() for p in check(root)]
        memo = list(tmp_path.glob("crisis-replay-*.json"))
        assert len(memo) == 1
        memo[0].write_text("[not json", encoding="utf-8")
        safetycheck._MISSED.clear()
        assert [p.format() for p in check(root)] == first
        assert memo[0].read_text(encoding="utf-8").startswith("[")

    def test_a_memo_that_says_a_line_is_missed_is_only_as_good_as_its_name(
        self, tmp_path, monkeypatch
    ) -> None:
        """The file is named by everything the answer depends on: other content, other file."""
        from bot.content import safetycheck

        monkeypatch.setenv("BOT_GATE_CACHE", str(tmp_path))
        root = Path(__file__).resolve().parent.parent
        safetycheck._MISSED.clear()
        check(root)
        names = {p.name for p in tmp_path.iterdir()}
        copy = tmp_path / "copy"
        for folder in ("intents", "responses"):
            shutil.copytree(root / folder, copy / folder)
        path = copy / "intents" / "emergency.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        extra = copy / "intents" / "phishing.yaml"
        text = extra.read_text(encoding="utf-8").replace(
            "examples:\n", "examples:\n  - a new one\n", 1
        )
        extra.write_text(text, encoding="utf-8")
        safetycheck._MISSED.clear()
        check(copy)
        assert len({p.name for p in tmp_path.iterdir()} - names - {"copy"}) == 1
