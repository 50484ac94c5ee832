"""`python -m bot eval`: the matcher's measured quality, held above its floors."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.matcher import MatcherConfig


@pytest.fixture(scope="module")
def dev_eval() -> tuple[int, str]:
    """`bot eval` on the dev set, run once for the tests that read its report."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["eval"])
    return code, out.getvalue()


class TestEval:
    def test_dev_set_meets_the_floors(self, dev_eval: tuple[int, str]) -> None:
        """In-domain accuracy >= 90%, out-of-scope false positives <= 5%, every crisis caught.

        The in-domain floor was 92% until 240 harder, persona-written lines joined the set.
        """
        floors = MatcherConfig.load().floors or {}
        assert floors["in_domain_accuracy"] >= 0.90
        assert floors["out_of_scope_false_positives"] <= 0.05
        assert floors["crisis_recall"] == 1.0
        assert floors["crisis_false_alarms"] <= 0.05
        code, report = dev_eval
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


class TestOneTap:
    def test_offered_topic_counts_for_one_tap_not_accuracy(self) -> None:
        """A right topic among the offered buttons counts as one tap, not as right at once."""
        from bot.core.model import Match
        from bot.insight.evaluate import evaluate

        class Offering:
            def classify(self, text: str, *, explain: bool = False):
                if text == "sure":
                    return Match("phishing", 50.0, "matched"), None
                return Match(None, 25.0, "clarify", (), None, ("card_fraud", "phishing")), None

        rows = [
            {"text": "sure", "intent": "phishing", "set": "in_domain"},
            {"text": "unsure", "intent": "phishing", "set": "in_domain"},
            {"text": "unsure", "intent": "romance_fraud", "set": "in_domain"},
            {"text": "unsure", "intent": None, "set": "out_of_scope"},
        ]
        figures = evaluate(Offering(), rows).figures()  # type: ignore[arg-type]
        assert figures["in_domain_accuracy"] == pytest.approx(1 / 3)
        assert figures["one_tap_accuracy"] == pytest.approx(2 / 3)
        assert figures["out_of_scope_offered"] == 1.0
        assert figures["out_of_scope_false_positives"] == 0.0

    def test_report_prints_one_tap_and_offer_share(self, dev_eval: tuple[int, str]) -> None:
        """The eval report shows one-tap accuracy and how often everyday messages get an offer."""
        code, out = dev_eval
        assert code == 0
        assert "one-tap accuracy" in out
        assert "out-of-scope offered" in out
