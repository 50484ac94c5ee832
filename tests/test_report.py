"""`python -m bot report --html FILE`: one self-contained page a manager can read, offline."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import struct
import subprocess
import sys
import types
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.matcher import MatcherConfig
from bot.core.model import Content
from bot.insight import measure
from bot.insight.evaluate import DEFAULT_FLOORS, Pipeline, evaluate, read_labelled
from bot.insight.report import write_report
from bot.insight.usage import NO_USAGE

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = sorted((ROOT / "tests" / "data").glob("*.jsonl"))
TINY = [
    # The matcher reads this as a hacked account: a known confusion to find in the matrix.
    {"text": "my instagram was hacked", "intent": "money_mule", "set": "in_domain"},
    {
        "text": "someone hacked my facebook account",
        "intent": "account_hacking",
        "set": "in_domain",
    },
    {"text": "what time does the tip open", "intent": None, "set": "out_of_scope"},
    {"text": "he is outside my house right now saying he will kill me", "set": "crisis"},
    {"text": "dying to know what happened in the match", "set": "not_crisis"},
]
EXTERNAL = re.compile(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _write_tiny(folder: Path, name: str = "tiny.jsonl") -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(row) for row in TINY) + "\n", encoding="utf-8")
    return path


def _svg_descs(page: str) -> dict[str, str]:
    """Each chart's <title> mapped to its <desc>, unescaped: what a screen reader hears."""
    found = re.findall(r"<svg[^>]*><title>(.*?)</title><desc>(.*?)</desc>", page, re.S)
    return {html.unescape(title): html.unescape(desc) for title, desc in found}


def _figures_as_shown(paths: list[Path], pipeline: Pipeline) -> list[str]:
    figures = evaluate(pipeline, read_labelled(paths)).figures()
    return [f"{value:.1%}" for value in figures.values()]


@pytest.fixture(scope="module")
def dev_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page for the project's own labelled set, written once through the command."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", "--html", str(out)]) == 0
    return out.read_text(encoding="utf-8")


class TestPage:
    def test_command_writes_a_self_contained_page(self, dev_page: str) -> None:
        """The page loads nothing from elsewhere: no external src/href, script, font or CSS."""
        assert dev_page.startswith("<!DOCTYPE html>")
        assert not EXTERNAL.search(dev_page)
        assert "http://" not in dev_page
        assert "https://" not in dev_page
        for asset in ("<script", "<link", "@import", "url(", "<img", "@font-face"):
            assert asset not in dev_page
        assert dev_page.count("<svg") >= 3
        assert dev_page.count("<figcaption>") >= 3

    def test_page_has_the_eval_figures_date_and_version(
        self, dev_page: str, pipeline: Pipeline, content: Content
    ) -> None:
        """The figures match `bot eval`; the date and content version say what was measured."""
        for shown in _figures_as_shown(DEV_SET, pipeline):
            assert f"<strong>{shown}</strong>" in dev_page
        assert date.today().isoformat() in dev_page
        version = measure.content_version(ROOT, content)
        assert str(version["hash"]) in dev_page
        assert f"{version['intents']} topics" in dev_page
        for heading in ("Understood at once", "Crisis messages caught", "Crisis false alarms"):
            assert heading in dev_page

    def test_threshold_curve_marks_the_shipped_threshold(self, dev_page: str) -> None:
        """The curve has a dot per threshold tried, and the one in use is named."""
        shipped = MatcherConfig.load().match_threshold
        desc = _svg_descs(dev_page)["Threshold curve"]
        assert desc.count("threshold ") == len(measure.thresholds_around(shipped))
        assert f"shipped: {shipped:g}" in dev_page
        assert f"{shipped:g} (shipped)" in dev_page

    def test_recall_and_precision_bars_per_topic(self, dev_page: str) -> None:
        """Every topic in the dev set has a recall bar with its count written beside it."""
        desc = _svg_descs(dev_page)["Recall and precision per topic"]
        assert "Scam emails, texts and links: recall " in desc
        assert "precision " in desc
        assert "never used" not in desc

    def test_no_usage_without_bot_db(self, dev_page: str) -> None:
        """Without BOT_DB the page says how to include usage statistics."""
        assert NO_USAGE in dev_page


class TestTinySet:
    def test_matrix_shows_a_known_confusion(
        self, tmp_path: Path, content: Content, pipeline: Pipeline
    ) -> None:
        """A money-mule message read as a hacked account shows in the matrix and the table."""
        tiny = _write_tiny(tmp_path)
        out = tmp_path / "page.html"
        err = io.StringIO()
        code = write_report(
            out,
            content=content,
            root=ROOT,
            pipeline=pipeline,
            files=[tiny],
            floors=DEFAULT_FLOORS,
            db=None,
            days=28,
            err=err,
        )
        assert code == 0, err.getvalue()
        page = out.read_text(encoding="utf-8")
        matrix = _svg_descs(page)["Confusion matrix"]
        assert (
            "Money mules and using my bank account -> Hacked email or social media account: 1"
            in (matrix)
        )
        assert "tiny.jsonl:1" in page  # where the example sits, never the message itself
        assert "Romance" not in matrix  # only topics that occur
        assert "50.0%" in page  # one of the two in-domain messages understood

    def test_every_string_is_escaped(
        self, tmp_path: Path, content: Content, pipeline: Pipeline
    ) -> None:
        """A file name with markup in it is shown as text, not run as markup."""
        tiny = _write_tiny(tmp_path, "<u onclick=alert(1)>&.jsonl")
        out = tmp_path / "page.html"
        write_report(
            out,
            content=content,
            root=ROOT,
            pipeline=pipeline,
            files=[tiny],
            floors=DEFAULT_FLOORS,
            db=None,
            days=28,
            err=io.StringIO(),
        )
        page = out.read_text(encoding="utf-8")
        assert "<u onclick" not in page
        assert "&lt;u onclick=alert(1)&gt;&amp;.jsonl" in page

    def test_sweep_leaves_the_matcher_alone(self, pipeline: Pipeline) -> None:
        """A stricter threshold never answers more; the shipped matcher keeps its config."""
        before = pipeline.matcher.config
        loose, strict = measure.sweep(pipeline, TINY, [5.0, 95.0])
        assert loose.accuracy >= strict.accuracy
        assert loose.false_positives >= strict.false_positives
        assert strict.accuracy == 0.0
        assert pipeline.matcher.config is before

    def test_unreadable_labelled_file_is_a_clear_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A broken labelled file names the file and line, and no page is written."""
        broken = tmp_path / "broken.jsonl"
        broken.write_text('{"text": "ok", "set": "in_domain", "intent": "thanks"}\n{oops\n')
        out = tmp_path / "page.html"
        assert main(["report", "--html", str(out), "--labelled", str(broken)]) == 2
        assert "broken.jsonl:2" in capsys.readouterr().err
        assert not out.exists()


def _fake_stats(db_path: Path, days: int) -> dict:
    """The shape bot.insight.stats.read_stats returns, for three days."""
    rows = [
        {
            "date": f"2026-11-0{k}",
            "intents": {"phishing": k * 3, "romance_fraud": 1},
            "no_match": k,
            "offered": 2,
            "safety": {"emergency": k - 1, "self_harm_crisis": 0},
            "buttons": 5,
            "forget": 0,
            "starts": 4,
        }
        for k in (1, 2, 3)
    ]
    totals = {
        "intents": {"phishing": 18, "romance_fraud": 3},
        "no_match": 6,
        "offered": 6,
        "safety": {"emergency": 3, "self_harm_crisis": 0},
        "buttons": 15,
        "forget": 0,
        "starts": 12,
    }
    return {"days": rows[:days], "totals": totals}


class TestUsage:
    # bot.insight.stats is built on another branch: until it is merged, read_stats is
    # stood in by a function returning its documented shape.
    @pytest.fixture
    def stats(self, monkeypatch: pytest.MonkeyPatch) -> None:
        try:
            import bot.insight.stats as module  # type: ignore[import-not-found]
        except ImportError:
            module = types.ModuleType("bot.insight.stats")
            monkeypatch.setitem(sys.modules, "bot.insight.stats", module)
        monkeypatch.setattr(module, "read_stats", _fake_stats, raising=False)

    def test_usage_charts_when_bot_db_has_stats(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stats: None
    ) -> None:
        """With BOT_DB set, the page draws one bar a day for each kind of count."""
        db = tmp_path / "state.db"
        db.write_bytes(b"")
        monkeypatch.setenv("BOT_DB", str(db))
        out = tmp_path / "page.html"
        args = ["report", "--html", str(out), "--labelled", str(_write_tiny(tmp_path))]
        assert main(args) == 0
        page = out.read_text(encoding="utf-8")
        charts = _svg_descs(page)
        assert charts["Topics answered"] == "2026-11-01: 4; 2026-11-02: 7; 2026-11-03: 10"
        assert charts["Not understood"] == "2026-11-01: 1; 2026-11-02: 2; 2026-11-03: 3"
        assert "2026-11-03: 2" in charts["Safety hits (danger now, suicide or self-harm)"]
        assert any(title.startswith("Offers made") for title in charts)
        assert NO_USAGE not in page

    def test_missing_database_is_not_created(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stats: None
    ) -> None:
        """BOT_DB naming no file gives the 'no usage statistics' sentence and creates nothing."""
        db = tmp_path / "nowhere.db"
        monkeypatch.setenv("BOT_DB", str(db))
        out = tmp_path / "page.html"
        assert main(["report", "--html", str(out), "--labelled", str(_write_tiny(tmp_path))]) == 0
        assert NO_USAGE in out.read_text(encoding="utf-8")
        assert not db.exists()


def _chromium() -> str | None:
    return next(
        (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))),
        None,
    )


@pytest.mark.slow
def test_page_renders_in_a_headless_browser(tmp_path: Path) -> None:
    """Chromium, offline, draws the page: a real screenshot, and the figures in its DOM."""
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium binary found (apt-get install chromium)")
    out = tmp_path / "page.html"
    assert main(["report", "--html", str(out), "--labelled", str(_write_tiny(tmp_path))]) == 0
    shot = tmp_path / "shot.png"
    flags = [
        browser,
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,2000",
    ]
    subprocess.run(
        [*flags, f"--screenshot={shot}", out.as_uri()],
        capture_output=True,
        timeout=180,
        check=True,
    )
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 2000)
    assert len(png) > 30_000  # a blank page compresses to a few kilobytes
    dom = subprocess.run(
        [*flags, "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    assert "Understood at once" in dom
    assert "<svg" in dom
    assert "Confusion matrix" in dom
