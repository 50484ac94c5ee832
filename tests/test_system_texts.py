"""The engine's own texts live in responses/system.yaml and are checked like any content."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.content.validate import check
from bot.core.compose import DEFAULT_TEXTS
from bot.core.model import Content

ROOT = Path(__file__).resolve().parent.parent


def test_every_engine_text_is_in_the_yaml(content: Content) -> None:
    """Operators can reword every prompt the bot uses; none is only in code."""
    assert set(DEFAULT_TEXTS) <= set(content.system)


def test_missing_system_text_is_reported_with_its_file(tmp_path: Path) -> None:
    """Deleting a key from system.yaml is caught with the file, line and key named."""
    for folder in ("intents", "responses"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    system = tmp_path / "responses" / "system.yaml"
    lines = system.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("  unknown_command:")]
    system.write_text("\n".join(kept) + "\n", encoding="utf-8")
    problems = [p.format() for p in check(tmp_path)]
    assert any(
        p.startswith("responses/system.yaml:4: system texts missing: unknown_command")
        for p in problems
    ), problems
