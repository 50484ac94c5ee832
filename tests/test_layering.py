"""Imports go one way: the core never loads telegram or sqlite."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "bot.core.engine",
        "bot.core.matcher",
        "bot.core.safety",
        "bot.core.compose",
        "bot.content.validate",
        "bot.insight.evaluate",
        "bot.console",
    ],
)
def test_core_modules_load_no_transport(module: str) -> None:
    """Importing the core must not pull in telegram, sqlite or an HTTP client."""
    code = (
        f"import sys, {module}; "
        "heavy = ('telegram', 'aiosqlite', 'sqlite3', 'httpx', 'tornado'); "
        "bad = [m for m in heavy if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
