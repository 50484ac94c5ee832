"""Shared fixtures: the project's real content, loaded once, and engines built on it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.content.gate import load_content
from bot.core.engine import Engine
from bot.core.matcher import Matcher, MatcherConfig
from bot.core.model import Content
from bot.core.safety import SafetyScreen
from bot.insight.evaluate import Pipeline
from bot.session import LiveEngine, make_handler
from bot.state.store import MemoryStore
from bot.telegram.standin.loopback import LoopbackTelegram

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns otherwise; warnings are errors


@pytest.fixture
async def tg(engine: Engine) -> AsyncIterator[LoopbackTelegram]:
    """The real Telegram adapter on the project's engine, against the stand-in."""
    store = MemoryStore()
    live = LiveEngine(engine, PROJECT_ROOT)
    async with LoopbackTelegram(make_handler(live, store), store, reload=live.reload) as loop:
        yield loop


def run_bot(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a real process, with only the given BOT_/TELEGRAM settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "BOT_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=90,
        check=False,
    )


class FakeClock:
    """A clock the test moves by hand, so expiry is exact."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(PROJECT_ROOT)


@pytest.fixture(scope="session")
def matcher(content: Content) -> Matcher:
    return Matcher(content, MatcherConfig.load())


@pytest.fixture(scope="session")
def screen(content: Content, matcher: Matcher) -> SafetyScreen:
    return SafetyScreen(content, matcher)


@pytest.fixture(scope="session")
def pipeline(matcher: Matcher, screen: SafetyScreen) -> Pipeline:
    return Pipeline(matcher, screen)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(content: Content, matcher: Matcher, screen: SafetyScreen, clock: FakeClock) -> Engine:
    return Engine(content, matcher, screen, clock=clock)


@pytest.fixture
def project_root() -> Iterator[Path]:
    return PROJECT_ROOT


def pytest_unconfigure(config: pytest.Config) -> None:
    """Fail loudly, never hang, when a test leaves a database connection open.

    aiosqlite runs each connection in a non-daemon thread, so one connection a test forgot to
    close keeps the interpreter alive after the summary: CI would wait until its time limit.
    """
    import os
    import sys
    import threading

    others = [
        t
        for t in threading.enumerate()
        if t is not threading.current_thread() and not t.daemon and t.is_alive()
    ]
    for thread in others:
        thread.join(timeout=5)  # a worker that is just finishing is fine
    left = [t.name for t in others if t.is_alive()]
    if left:
        print(
            f"\nERROR: tests left {len(left)} thread(s) running (an unclosed database "
            f"connection?): {', '.join(left)}",
            file=sys.stderr,
        )
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(3)
