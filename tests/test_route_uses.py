"""`python -m bot catalog --route ID` lists every place a route is used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main

MINI = Path(__file__).resolve().parent / "data" / "mini"


def test_every_use_is_listed_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    system = root / "responses" / "system.yaml"
    system.write_text(
        system.read_text(encoding="utf-8").rstrip("\n")
        + "\n  forget: |\n    Done. Money gone? Call {bank_159.phone}.\n",
        encoding="utf-8",
    )
    assert main(["catalog", "--content", str(root), "--route", "bank_159"]) == 0
    out = capsys.readouterr().out.splitlines()
    last = len(system.read_text(encoding="utf-8").splitlines())
    assert out == [
        "responses/phishing.yaml:5: first reply ({bank_159.name})",
        "responses/phishing.yaml:5: first reply ({bank_159.phone})",
        "responses/phishing.yaml:23: answer yes ({bank_159.phone})",
        f"responses/system.yaml:{last}: system text forget ({{bank_159.phone}})",
        "4 use(s) of route 'bank_159'.",
    ]


def test_section_uses_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--content", str(MINI), "--route", "report_fraud"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "responses/phishing.yaml:16: section report ({report_fraud.name})",
        "responses/phishing.yaml:16: section report ({report_fraud.web})",
        "2 use(s) of route 'report_fraud'.",
    ]


def test_unknown_route_names_the_known_ones_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "--content", str(MINI), "--route", "action_fraud"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "unknown route 'action_fraud': the routes are bank_159, emergency_999, phishing_email, "
        "report_fraud, scam_text_7726, victim_services\n"
    )
