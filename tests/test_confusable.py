"""`python -m bot validate` warns about content the matcher cannot tell apart."""

from __future__ import annotations

import io
import shutil
import time
from datetime import date
from pathlib import Path

from bot.content.validate import run_validate

DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 1)


def _validate(root: Path) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_validate(root, out, err, contract=False, today=TODAY)
    return code, out.getvalue().splitlines(), err.getvalue()


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_near_duplicate_in_another_intent_names_both_places(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    # greeting.yaml:15 "hi can you help me"; the phishing copy differs by one letter.
    _edit(
        root / "intents" / "phishing.yaml",
        "  - I got loads of phishing emails this week\n",
        "  - I got loads of phishing emails this week\n  - Hi, can you help me now?\n",
    )
    code, lines, err = _validate(root)
    assert code == 0
    assert err == ""
    assert lines[1:] == [
        "1 warning(s):",
        "intents/greeting.yaml:16: warning: example 'hi can you help me' (greeting) is nearly "
        "the same as 'Hi, can you help me now?' at intents/phishing.yaml:31 (phishing): the bot "
        "cannot tell them apart; keep the one that belongs and delete or reword the other",
    ]


def test_near_duplicate_threshold_is_ninety(tmp_path: Path) -> None:
    """Examples that only share some words are not flagged."""
    root = _copy(tmp_path)
    _edit(
        root / "intents" / "phishing.yaml",
        "  - I got loads of phishing emails this week\n",
        "  - I got loads of phishing emails this week\n  - hi can you help me with a scam\n",
    )
    assert _validate(root)[1][1:] == []


def test_same_keyword_in_two_intents(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root / "intents" / "phishing.yaml", "  - scam email\n", "  - scam email\n  - hellos\n")
    code, lines, _err = _validate(root)
    assert code == 0
    assert lines[1:] == [
        "1 warning(s):",
        "intents/phishing.yaml:11: warning: keyword 'hellos' is also a keyword of greeting "
        "(intents/greeting.yaml:6, 'hello'): a keyword should point to one intent only; "
        "remove it from the one it fits less",
    ]


def test_example_that_lost_its_dash_is_named(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root / "intents" / "greeting.yaml", "  - hiya\n", "  - hiya\n    howdy\n")
    code, lines, _err = _validate(root)
    assert code == 0
    assert lines[1:] == [
        "1 warning(s):",
        "intents/greeting.yaml:11: warning: this example runs over 2 lines and this looks like "
        "two examples joined: start each with '- '",
    ]


def test_long_example_wrapped_on_purpose_is_not_flagged(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    long_first = (
        "  - I got a text saying my parcel was held and I had to pay £1.99 and then the bank\n"
        "    rang to say the card was used in Leeds\n"
    )
    folded = (
        "  - >-\n"
        "    My mum had an email from her bank that was not from her bank at all and she typed\n"
        "    in her card number before she noticed\n"
    )
    _edit(
        root / "intents" / "phishing.yaml",
        "  - I got loads of phishing emails this week\n",
        "  - I got loads of phishing emails this week\n" + long_first + folded,
    )
    assert _validate(root)[1][1:] == []


def test_folded_block_of_short_lines_is_flagged(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root / "intents" / "greeting.yaml",
        "  - hiya\n",
        "  - >\n    hiya\n    hey you\n",
    )
    assert _validate(root)[1][1:] == [
        "1 warning(s):",
        "intents/greeting.yaml:12: warning: this example runs over 2 lines and this looks like "
        "two examples joined: start each with '- '",
    ]


def test_shipped_content_has_no_confusable_warnings_and_is_fast() -> None:
    started = time.perf_counter()
    code, lines, _err = _validate(PROJECT_ROOT)
    elapsed = time.perf_counter() - started
    assert code == 0
    assert [line for line in lines if "nearly the same" in line or "keyword '" in line] == []
    assert [line for line in lines if "joined" in line] == []
    assert elapsed < 4  # about 1 s alone; leave room for a busy machine
