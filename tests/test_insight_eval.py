"""What operators read to see what the bot gets wrong: eval --misses, --self, classify."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.cli import main
from bot.insight.evaluate import (
    Pipeline,
    Report,
    evaluate,
    print_report,
    read_labelled,
    run_classify,
)
from bot.insight.selfcheck import run_self_check

DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _report(pipeline: Pipeline, path: Path, **kwargs: object) -> str:
    out = io.StringIO()
    print_report(evaluate(pipeline, read_labelled([path])), {}, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


class TestMisses:
    def test_every_wrong_message_has_file_line_expected_and_got(
        self, pipeline: Pipeline, tmp_path: Path
    ) -> None:
        labelled = _jsonl(
            tmp_path / "set.jsonl",
            [
                {
                    "text": "sum1 hacked my insta acount",
                    "intent": "account_hacking",
                    "set": "in_domain",
                },
                {"text": "hello there", "intent": "phishing", "set": "in_domain"},
                {"text": "xqzvw", "intent": "goodbye", "set": "in_domain"},
                {"text": "bank card", "intent": "card_fraud", "set": "in_domain"},
            ],
        )
        text = _report(pipeline, labelled, misses=True)
        lines = text.splitlines()
        start = lines.index("3 message(s) the bot got wrong (expected -> got):")
        where = str(labelled)
        assert re.fullmatch(
            rf"{re.escape(where)}:4: expected card_fraud, "
            r"got (offered card_fraud(, \w+)*|no match) "
            r"\(best card_fraud \d+\.\d; runner-up \w+ \d+\.\d\)",
            lines[start + 1],
        ), lines[start + 1]
        assert lines[start + 2] == "    bank card"
        assert lines[start + 3] == f"{where}:3: expected goodbye, got no match (no topic scored)"
        assert re.fullmatch(
            rf"{re.escape(where)}:2: expected phishing, got greeting "
            r"\(score \d+\.\d; runner-up \w+ \d+\.\d\)",
            lines[start + 5],
        )
        assert "sum1 hacked" not in text  # right answers are not listed

    def test_without_the_flag_no_misses_are_listed(
        self, pipeline: Pipeline, tmp_path: Path
    ) -> None:
        labelled = _jsonl(
            tmp_path / "set.jsonl",
            [{"text": "hello there", "intent": "phishing", "set": "in_domain"}],
        )
        assert "got wrong" not in _report(pipeline, labelled)

    def test_out_of_scope_and_missed_crisis_are_misses_too(
        self, pipeline: Pipeline, tmp_path: Path
    ) -> None:
        labelled = _jsonl(
            tmp_path / "set.jsonl",
            [
                {
                    "text": "someone hacked my facebook and changed the password",
                    "intent": None,
                    "set": "out_of_scope",
                },
                {"text": "hello there", "intent": "emergency", "set": "crisis"},
            ],
        )
        text = _report(pipeline, labelled, misses=True)
        assert f"{labelled}:2: expected emergency, got greeting (score" in text
        assert f"{labelled}:1: expected out of scope, got " in text

    def test_intent_without_a_labelled_message_is_a_warning(
        self, pipeline: Pipeline, tmp_path: Path
    ) -> None:
        labelled = _jsonl(
            tmp_path / "set.jsonl",
            [{"text": "hello there", "intent": "greeting", "set": "in_domain"}],
        )
        text = _report(pipeline, labelled, intents=["greeting", "phishing", "card_fraud"])
        assert text.splitlines()[-2:] == [
            "warning: intent 'card_fraud' has no labelled test message in the sets read: its "
            "accuracy is not measured (add a few lines for it)",
            "warning: intent 'phishing' has no labelled test message in the sets read: its "
            "accuracy is not measured (add a few lines for it)",
        ]

    def test_cli_warns_for_every_untested_topic_but_not_out_of_scope(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        labelled = _jsonl(
            tmp_path / "set.jsonl",
            [{"text": "hello there", "intent": "greeting", "set": "in_domain"}],
        )
        main(["eval", str(labelled)])
        warnings = [x for x in capsys.readouterr().out.splitlines() if x.startswith("warning:")]
        assert "warning: intent 'phishing' has no labelled" in "\n".join(warnings)
        assert not any("'greeting'" in w or "out_of_scope" in w for w in warnings)

    def test_every_confused_pair_is_shown_not_only_ten(self) -> None:
        report = Report()
        report.confused = Counter({(f"intent_{n:02}", "no_match"): 1 for n in range(14)})
        out = io.StringIO()
        print_report(report, {}, out)
        shown = [x for x in out.getvalue().splitlines() if x.endswith("-> no_match")]
        assert len(shown) == 14


class TestClassify:
    def test_jsonl_and_plain_lines_are_detected_per_line(self, pipeline: Pipeline) -> None:
        out = io.StringIO()
        lines = [
            '{"text": "sum1 hacked my insta acount", "id": 7}\n',
            "sum1 hacked my insta acount\n",
            '{"text": 5}\n',
            "{not json at all\n",
        ]
        run_classify(pipeline, lines, out, explain=False)
        rows = [json.loads(x) for x in out.getvalue().splitlines()]
        assert [r["text"] for r in rows] == [
            "sum1 hacked my insta acount",
            "sum1 hacked my insta acount",
            '{"text": 5}',
            "{not json at all",
        ]
        assert rows[0]["intent"] == rows[1]["intent"] == "account_hacking"

    def test_cli_reads_jsonl_from_stdin(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "classify"],
            input='{"text": "hello"}\nhello\n',
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            check=True,
            timeout=60,
        )
        rows = [json.loads(x) for x in done.stdout.splitlines()]
        assert [(r["text"], r["intent"]) for r in rows] == [("hello", "greeting")] * 2

    @pytest.mark.parametrize(
        ("text", "pattern"),
        [
            (
                "sum1 hacked my insta acount",
                r"matched: score \d+(\.\d)? >= topic threshold \d+ and beats everyday messages by "
                r"\d+(\.\d)? \(margin \d+\)",
            ),
            ("hello", r"matched: score \d+(\.\d)? >= small-talk/service threshold \d+ .*"),
            ("{not json", r"not matched: score \d+(\.\d)? below the offer floor \d+"),
            (
                "whats the weather in derby",
                r"not matched: the best score \d+(\.\d)? is no higher than everyday "
                r"\(out-of-scope\) messages \(\d+(\.\d)?\)",
            ),
            (
                "weird email from my bank",
                r"offered: score \d+(\.\d)? is below the topic threshold \d+, yet above the offer "
                r"floor \d+, so the closest topics are offered as buttons \(phishing.*\)",
            ),
            (
                "i want to kill myself",
                r'safety: the crisis screen fired \("kill myself"\), so the self_harm_crisis '
                r"reply is given first",
            ),
        ],
    )
    def test_explain_says_why_in_plain_words(
        self, pipeline: Pipeline, text: str, pattern: str
    ) -> None:
        out = io.StringIO()
        run_classify(pipeline, [text], out, explain=True)
        evidence = json.loads(out.getvalue())["evidence"]
        assert re.fullmatch(pattern, evidence["why"]), evidence["why"]
        assert evidence["margin"] == pipeline.matcher.config.out_of_scope_margin
        assert evidence["offer_floor"] == pipeline.matcher.config.clarify_floor

    def test_explanation_agrees_with_the_decision_on_the_dev_set(self, pipeline: Pipeline) -> None:
        rows = read_labelled(sorted(DATA.glob("*.jsonl")))
        out = io.StringIO()
        run_classify(pipeline, [str(r["text"]) for r in rows], out, explain=True)
        verdicts = {"matched": "matched:", "clarify": "offered:", "no_match": "not matched:"}
        for line in out.getvalue().splitlines():
            row = json.loads(line)
            why = row["evidence"]["why"]
            expected = "safety:" if row["safety"] else verdicts[row["decision"]]
            assert why.startswith(expected), (row["text"], row["decision"], why)


class TestSelf:
    def test_example_that_belongs_elsewhere_is_listed_with_file_and_line(
        self, tmp_path: Path
    ) -> None:
        root = tmp_path / "content"
        shutil.copytree(MINI, root)
        phishing = root / "intents" / "phishing.yaml"
        phishing.write_text(
            phishing.read_text(encoding="utf-8") + "  - hiya good morning bot\n",
            encoding="utf-8",
        )
        out, err = io.StringIO(), io.StringIO()
        assert run_self_check(root, out, err, contract=False) == 0
        lines = out.getvalue().splitlines()
        assert "10-fold" in lines[0]
        strays = [x for x in lines if " -> went to " in x]
        assert strays == sorted(strays)  # by file, then line
        assert re.fullmatch(
            r'intents/phishing\.yaml:42: "hiya good morning bot" -> went to greeting '
            r"\(\d+\.\d\)",
            strays[-1],
        ), strays
        assert re.fullmatch(
            r"  phishing +1 of +31 went elsewhere \( *3\.2%\)  \(to greeting 1\)",
            next(x for x in lines if x.startswith("  phishing")),
        )

    def test_project_catalog_runs_in_under_thirty_seconds(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["eval", "--self"]) == 0
        out = capsys.readouterr().out.splitlines()
        strays = [x for x in out if " -> went to " in x]
        assert strays == sorted(strays, key=lambda x: (x.split(":")[0], int(x.split(":")[1])))
        summary = re.fullmatch(
            r"\d+ of \d+ examples \(.*\) went to another intent \((\d+) s\)\..*", out[-1]
        )
        assert summary is not None
        assert int(summary.group(1)) < 30
