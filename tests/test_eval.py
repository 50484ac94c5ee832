"""`python -m bot eval`: the matcher's measured quality, held above its floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.matcher import MatcherConfig


class TestEval:
    def test_dev_set_meets_the_floors(self, capsys: pytest.CaptureFixture[str]) -> None:
        """In-domain accuracy >= 92%, out-of-scope false positives <= 5%, every crisis caught."""
        floors = MatcherConfig.load().floors or {}
        assert floors["in_domain_accuracy"] >= 0.92
        assert floors["out_of_scope_false_positives"] <= 0.05
        assert floors["crisis_recall"] == 1.0
        assert floors["crisis_false_alarms"] <= 0.05
        code = main(["eval"])
        report = capsys.readouterr().out
        assert code == 0, report
        for heading in (
            "in-domain accuracy",
            "per-intent recall",
            "most confused",
            "out-of-scope false pos.",
            "crisis recall",
            "crisis false alarms",
        ):
            assert heading in report

    def test_exits_1_below_a_floor(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A labelled set the matcher gets wrong makes eval fail loudly."""
        wrong = tmp_path / "wrong.jsonl"
        rows = [
            {"text": "my instagram was hacked", "intent": "money_mule", "set": "in_domain"},
            {"text": "what time does the tip open", "intent": None, "set": "out_of_scope"},
        ]
        wrong.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        assert main(["eval", str(wrong)]) == 1
        assert "BELOW FLOOR: in_domain_accuracy" in capsys.readouterr().out

    def test_bad_file_is_a_clear_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A broken labelled file names the file and line instead of a traceback."""
        broken = tmp_path / "broken.jsonl"
        broken.write_text('{"text": "ok", "set": "in_domain", "intent": "thanks"}\n{oops\n')
        assert main(["eval", str(broken)]) == 2
        assert "broken.jsonl:2" in capsys.readouterr().err
