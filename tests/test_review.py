"""The opt-in review list: kept only when on, redacted, day only, expiring, capped, usable."""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import json
import os
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from conftest import run_bot as bot

from bot.core.engine import Engine
from bot.core.model import ChatState, Event
from bot.insight.recorder import Recorder, RecordingStore
from bot.session import LiveEngine, make_handler
from bot.state.sqlite_store import SqliteStore
from bot.telegram.standin.control import StandIn

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"review-test-secret-0123456789abc"
NOON = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC).timestamp()
UNMATCHED = "blorp wibble my name is Zebedee and my number is 07700 900123"
UNSURE = "i got a weird message"
ENV = {"BOT_STATE_SECRET": "0123456789abcdef-test"}


def review_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT * FROM review ORDER BY id"))


async def talk(engine: Engine, db: Path, clock, texts: list[str], **kw) -> None:
    recorder = Recorder(db, clock=clock, **kw)
    async with RecordingStore(SqliteStore(db, secret=SECRET, clock=clock), recorder) as store:
        handle = make_handler(LiveEngine(engine), store, clock, observe=recorder.observe)
        for text in texts:
            await handle(5150, Event("text", text))


def files_in(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir())


async def test_review_keeps_redacted_unmatched_and_unsure_only(
    engine: Engine, clock, tmp_path: Path
) -> None:
    """On: no_match and clarify are kept redacted, with the day and no chat key."""
    clock.now = NOON
    db = tmp_path / "state.db"
    card = "there are payments on my debit card that i never made"
    await talk(engine, db, clock, [UNMATCHED, UNSURE, card], review_on=True)
    rows = review_rows(db)
    assert [(r[1], r[2]) for r in rows] == [("2026-12-06", "no_match"), ("2026-12-06", "clarify")]
    assert rows[0][3] == "blorp wibble my name is [name] and my number is [phone]"
    assert rows[1][3] == UNSURE
    data = files_in(tmp_path)
    for secret in (b"Zebedee", b"900123", b"5150", b"debit card"):
        assert secret not in data


async def test_review_off_stores_nothing(engine: Engine, clock, tmp_path: Path) -> None:
    clock.now = NOON
    db = tmp_path / "state.db"
    await talk(engine, db, clock, [UNMATCHED, UNSURE])
    assert review_rows(db) == []
    assert b"blorp" not in files_in(tmp_path)


async def test_entries_expire_after_the_set_days(engine: Engine, clock, tmp_path: Path) -> None:
    """An entry from day D is gone once D + BOT_REVIEW_DAYS arrives, even with review off."""
    db = tmp_path / "state.db"
    clock.now = NOON
    await talk(engine, db, clock, [UNSURE], review_on=True, review_days=3)
    clock.now = NOON + 2 * 86_400
    await talk(engine, db, clock, [], review_on=True, review_days=3)
    assert len(review_rows(db)) == 1
    clock.now = NOON + 3 * 86_400
    await talk(engine, db, clock, [], review_on=False, review_days=3)
    assert review_rows(db) == []


async def test_storage_is_capped_oldest_dropped(engine: Engine, clock, tmp_path: Path) -> None:
    clock.now = NOON
    db = tmp_path / "state.db"
    texts = [f"blorp number {i}" for i in range(6)]
    await talk(engine, db, clock, texts, review_on=True, review_cap=4)
    assert [r[3] for r in review_rows(db)] == texts[2:]


def test_privacy_reply_says_so_only_when_review_is_on(engine: Engine, content) -> None:
    """The privacy answer adds one plain line naming the days, only while review is on."""
    plain = engine.respond(Event("command", "/privacy"), ChatState()).replies[0].text
    on = Engine(content, engine.matcher, engine.screen, review_days=9)
    noted = on.respond(Event("command", "/privacy"), ChatState()).replies[0].text
    typed = on.respond(Event("text", "is this chat private?"), ChatState()).replies[0].text
    assert noted.startswith(plain)
    assert "couldn't understand are kept for 9 days" in noted
    assert "[days]" not in noted
    assert typed == noted
    assert "kept for" not in plain
    section = on.respond(Event("button", "section:privacy:more"), ChatState()).replies[0].text
    assert "kept for 9 days" not in section
    live = LiveEngine(on, ROOT)
    assert live.reload() == []
    assert live.engine.review_days == 9  # a reload keeps the setting


@pytest.fixture
def reviewed(tmp_path: Path) -> dict[str, str]:
    """A database filled through the console chat with review on."""
    env = {**ENV, "BOT_DB": str(tmp_path / "s.db"), "BOT_REVIEW_UNMATCHED": "1"}
    lines = [{"text": UNMATCHED}, {"text": UNSURE}, {"text": "/privacy"}]
    chat = bot("chat", "--jsonl", env=env, stdin="".join(json.dumps(x) + "\n" for x in lines))
    assert chat.returncode == 0, chat.stderr
    privacy = json.loads(chat.stdout.splitlines()[2])["replies"][0]["text"]
    assert "kept for 14 days" in privacy
    return env


def test_console_review_lists_entries_with_nearest_intents(reviewed: dict[str, str]) -> None:
    shown = bot("review", "--json", env=reviewed)
    assert shown.returncode == 0, shown.stderr
    entries = json.loads(shown.stdout)["entries"]
    assert [e["number"] for e in entries] == [1, 2]
    assert entries[0]["text"] == "blorp wibble my name is [name] and my number is [phone]"
    assert entries[1]["nearest"][0]["intent"] == "phishing"
    assert all(len(e["nearest"]) == 3 for e in entries)
    table = bot("review", env=reviewed)
    assert "    2  " in table.stdout
    assert "nearest: phishing" in table.stdout


def test_add_appends_the_example_keeping_the_file(
    reviewed: dict[str, str], tmp_path: Path
) -> None:
    """`review --add N INTENT` adds one line to the intent file, validates, drops the entry."""
    content = tmp_path / "content"
    for folder in ("intents", "responses"):
        shutil.copytree(ROOT / folder, content / folder)
    target = content / "intents" / "phishing.yaml"
    before = target.read_text(encoding="utf-8")
    added = bot("review", "--add", "2", "phishing", "--content", str(content), env=reviewed)
    assert added.returncode == 0, added.stderr
    assert "Content OK" in added.stdout
    after = target.read_text(encoding="utf-8")
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert diff == [f"+  - {UNSURE}"]
    left = json.loads(bot("review", "--json", env=reviewed).stdout)["entries"]
    assert [e["number"] for e in left] == [1]


def test_add_with_a_comment_kept(reviewed: dict[str, str], tmp_path: Path) -> None:
    """Comments and the next block after the list stay where they were (emergency.yaml)."""
    content = tmp_path / "content"
    for folder in ("intents", "responses"):
        shutil.copytree(ROOT / folder, content / folder)
    target = content / "intents" / "emergency.yaml"
    before = target.read_text(encoding="utf-8")
    added = bot("review", "--add", "1", "emergency", "--content", str(content), env=reviewed)
    assert added.returncode == 0, added.stderr
    after = target.read_text(encoding="utf-8")
    assert (
        after.replace("  - blorp wibble my name is [name] and my number is [phone]\n", "", 1)
        == before
    )
    assert "[name]" in after
    assert "Checking the content" in added.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--add", "99", "phishing"), "there is no review entry 99"),
        (("--add", "1", "no_such_topic"), "there is no intent 'no_such_topic'"),
        (("--add", "one", "phishing"), "is not an entry number"),
    ],
)
def test_add_refuses_unknown_entries_and_intents(
    reviewed: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    before = (ROOT / "intents" / "phishing.yaml").read_bytes()
    refused = bot("review", *args, env=reviewed)
    assert refused.returncode == 2
    assert message in refused.stderr
    assert (ROOT / "intents" / "phishing.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_REVIEW_UNMATCHED", "yes"),
        ("BOT_REVIEW_UNMATCHED", "2"),
        ("BOT_REVIEW_DAYS", "0"),
        ("BOT_REVIEW_DAYS", "1.5"),
        ("BOT_REVIEW_DAYS", "fortnight"),
    ],
)
@pytest.mark.parametrize("command", [("chat", "--jsonl"), ("review",)])
def test_wrong_settings_stop_with_one_line(
    name: str, value: str, command: tuple[str, ...], tmp_path: Path
) -> None:
    done = bot(*command, env={**ENV, "BOT_DB": str(tmp_path / "s.db"), name: value})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {name}=")
    assert done.stdout == ""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
async def test_telegram_run_counts_and_reviews_the_same(tmp_path: Path) -> None:
    """`python -m bot run` against the stand-in: counts and review entries reach BOT_DB."""
    db = tmp_path / "s.db"
    async with StandIn() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "BOT_"))}
        env |= {**ENV, "BOT_DB": str(db), "BOT_REVIEW_UNMATCHED": "1", "PTB_TIMEDELTA": "true"}
        env |= {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BOT_API_URL": f"http://127.0.0.1:{api.port}",
        }
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await api.wait_until(lambda: api.calls_of("setMyCommands"), 30)
            api.push_text(2001, UNMATCHED)
            await api.wait_sent(2001, 1, 15)
            api.push_text(2001, "/privacy")
            [_, privacy, *_] = await api.wait_sent(2001, 2, 15)
            child.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(child.communicate(), 30)
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
    assert child.returncode == 0, stderr.decode()
    assert "kept for 14 days" in StandIn.plain(privacy)
    with sqlite3.connect(db) as conn:
        counts = dict(conn.execute("SELECT key, n FROM usage"))
        texts = [row[0] for row in conn.execute("SELECT text FROM review")]
    assert counts == {"no_match": 1, "intent:privacy": 1}
    assert texts == ["blorp wibble my name is [name] and my number is [phone]"]
