"""The script steps for the safety edges: a captioned photo, an edit, a burst, Telegram-only.

They are read from YAML with their lines, played through the console (skipping what only
Telegram has) and through the real Telegram adapter against the stand-in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.matcher import Matcher
from bot.core.model import Content
from bot.core.safety import SafetyScreen
from bot.scripts.format import load_script
from bot.scripts.runner import FIXED_NOW, load_all, run_script

CONVERSATIONS = Path(__file__).resolve().parent / "conversations"


@pytest.fixture
def bot(content: Content, matcher: Matcher, screen: SafetyScreen) -> Engine:
    return Engine(content, matcher, screen, clock=lambda: FIXED_NOW)


def read(tmp_path: Path, text: str):
    file = tmp_path / "s.yaml"
    file.write_text(text, encoding="utf-8")
    return load_script(file, "s.yaml")


class TestFormat:
    def test_reads_caption_edit_burst_and_only(self, tmp_path: Path) -> None:
        script, problems = read(
            tmp_path,
            "name: x\nturns:\n"
            "  - send: photo\n    caption: is this a scam\n"
            "  - edit: changed my mind\n"
            "  - burst: hi\n    times: 21\n"
            "  - say: anyone\n    only: telegram\n",
        )
        assert problems == []
        got = [(s.action, s.value, s.caption, s.times, s.telegram_only) for s in script.steps]
        assert got == [
            ("send", "photo", "is this a scam", 1, False),
            ("edit", "changed my mind", "", 1, False),
            ("burst", "hi", "", 21, True),
            ("say", "anyone", "", 1, True),
        ]
        assert script.steps[0].describe() == "send: 'photo' with caption 'is this a scam'"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "name: x\nturns:\n  - say: hi\n    caption: no\n",
                "s.yaml:4: caption goes with send, like 'send: photo'",
            ),
            (
                "name: x\nturns:\n  - burst: hi\n",
                "s.yaml:3: a burst needs times: a number from 2 to 100, got nothing",
            ),
            (
                "name: x\nturns:\n  - burst: hi\n    times: lots\n",
                "s.yaml:4: a burst needs times: a number from 2 to 100, got 'lots'",
            ),
            (
                "name: x\nturns:\n  - say: hi\n    times: 3\n",
                "s.yaml:4: times goes with burst, like 'burst: hello'",
            ),
            (
                "name: x\nturns:\n  - say: hi\n    only: console\n",
                "s.yaml:4: only must be telegram, got 'console'",
            ),
        ],
    )
    def test_mistakes_are_problems_with_lines(self, tmp_path: Path, text, message) -> None:
        script, problems = read(tmp_path, text)
        assert script is None
        assert [p.format() for p in problems] == [message]


class TestPlaying:
    async def test_the_console_skips_telegram_only_turns_and_says_so(self, bot: Engine) -> None:
        (script,), _ = load_all([CONVERSATIONS / "safety_flood.yaml"])
        result = await run_script(script, bot)
        assert result.passed
        assert result.skipped == 2
        assert "2 Telegram-only turn(s) skipped" in result.report()

    @pytest.mark.parametrize(
        "name", ["safety_caption", "safety_edit", "safety_flood", "safety_disguised"]
    )
    async def test_the_safety_edge_scripts_pass_over_telegram(self, bot: Engine, name) -> None:
        (script,), _ = load_all([CONVERSATIONS / f"{name}.yaml"])
        result = await run_script(script, bot, telegram=True)
        assert result.passed, result.report()
        assert result.skipped == 0

    async def test_a_burst_that_is_not_paused_fails_its_check(
        self, bot: Engine, tmp_path: Path
    ) -> None:
        """A burst under the flood limit gets no notice, so expecting one fails: the check
        really looks at what the burst produced."""
        script, _ = read(
            tmp_path,
            "name: x\nturns:\n  - burst: hello\n    times: 3\n"
            "    expect:\n      text_contains: very fast\n",
        )
        result = await run_script(script, bot, telegram=True)
        assert not result.passed
