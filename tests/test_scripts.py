"""Every scripted conversation in tests/conversations, each as its own pytest item.

A failure shows the same report as `python -m bot test`. Scripts tagged `known-bug` get
the same verdicts as there: still failing is XFAIL (the run passes); passing is a strict
XPASS that fails the run with "fixed? ... remove the tag", so a fixed bug is untagged and
its script guards against the bug coming back. BOT_CONVERSATIONS=<folder> runs another
folder's scripts (tests/test_runner.py uses it to check these verdicts).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.matcher import Matcher
from bot.core.model import Content
from bot.core.safety import SafetyScreen
from bot.scripts.format import Script
from bot.scripts.report import FIXED, STILL
from bot.scripts.runner import FIXED_NOW, load_all, run_script

SHIPPED = Path(__file__).resolve().parent / "conversations"
CONVERSATIONS = Path(os.environ.get("BOT_CONVERSATIONS") or SHIPPED)
SCRIPTS, PROBLEMS = load_all([CONVERSATIONS])


def _params() -> list[object]:
    params: list[object] = []
    for script in SCRIPTS:
        marks = []
        if script.known_bug:
            # strict: a pass fails as "[XPASS(strict)] fixed? ... remove the tag from <path>".
            reason = f"{FIXED} from {script.path}"
            marks.append(pytest.mark.xfail(reason=reason, strict=True))
        params.append(pytest.param(script, id=script.name, marks=marks))
    return params


class TestConversations:
    @pytest.mark.parametrize("script", _params())
    async def test_conversation(
        self, script: Script, content: Content, matcher: Matcher, screen: SafetyScreen
    ) -> None:
        """The bot does what the script says, turn by turn."""
        engine = Engine(content, matcher, screen, clock=lambda: FIXED_NOW)
        result = await run_script(script, engine)
        if result.failure is not None:
            if script.known_bug:  # XFAIL, saying what still fails
                pytest.xfail(f"{STILL}: {'; '.join(result.failure.errors)}")
            pytest.fail(result.report(), pytrace=False)

    def test_every_script_file_is_readable(self, content: Content) -> None:
        """A broken script file is reported with its path and line, not silently skipped."""
        _, problems = load_all([CONVERSATIONS], content)
        assert [p.format() for p in problems] == []

    def test_there_are_enough_scripts(self) -> None:
        """The shipped scripts cover every crime intent and the main flows (45 or more)."""
        assert len(SCRIPTS) >= 45

    def test_every_crime_intent_has_a_script(self) -> None:
        """Each crime in the contract is exercised by at least one script's first turn."""
        from bot.content.contract import REQUIRED_CRIME

        covered = {s.steps[0].expect.intent for s in SCRIPTS}
        assert [c for c in REQUIRED_CRIME if c not in covered] == []

    def test_script_names_are_unique(self) -> None:
        """Names identify scripts in reports, so no two scripts share one."""
        names = [s.name for s in SCRIPTS]
        assert sorted({n for n in names if names.count(n) > 1}) == []

    @pytest.mark.slow
    async def test_telegram_gives_the_same_verdicts(
        self, content: Content, matcher: Matcher, screen: SafetyScreen
    ) -> None:
        """Through the real Telegram adapter every script passes or fails as it does directly."""
        engine = Engine(content, matcher, screen, clock=lambda: FIXED_NOW)
        differ = []
        for script in SCRIPTS:
            direct = await run_script(script, engine)
            over_telegram = await run_script(script, engine, telegram=True)
            if direct.passed != over_telegram.passed:
                differ.append(over_telegram.report() if direct.passed else direct.report())
        assert differ == []
