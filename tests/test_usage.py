"""Usage statistics: what each turn was, counted per day in the real SQLite file, read back."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from conftest import run_bot as bot

from bot.core.engine import Engine
from bot.core.model import ChatState, Event
from bot.insight.recorder import Recorder, RecordingStore
from bot.insight.stats import read_stats
from bot.session import LiveEngine, make_handler
from bot.state.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"usage-test-secret-0123456789abcd"
CARD = "there are payments on my debit card that i never made"
GIBBERISH = "blorp wibble zzz"
UNSURE = "i got a weird message"
CRISIS = "I want to kill myself"
DAY = dt.date(2026, 12, 6)
NOON = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(
    ("events", "outcome"),
    [
        ([Event("text", CARD)], "matched"),
        ([Event("text", GIBBERISH)], "no_match"),
        ([Event("text", UNSURE)], "clarify"),
        ([Event("text", CRISIS)], "safety"),
        ([Event("text", "Мой аккаунт взломали вчера")], "other_language"),
        ([Event("photo")], "non_text"),
        ([Event("command", "/start", payload="phishing")], "topic"),
        ([Event("command", "/start")], "menu"),
        ([Event("command", "/forget")], "forget"),
        ([Event("button", "clear")], "forget"),
        ([Event("button", "offer:phishing")], "topic"),
        ([Event("button", "menu:money")], "menu"),
        ([Event("button", "section:card_fraud:nope")], "stale"),
        ([Event("command", "/nosuch")], "unknown_command"),
        ([Event("text", CARD), Event("text", "yes")], "answer"),
    ],
)
def test_engine_says_what_each_turn_was(engine: Engine, events: list[Event], outcome: str) -> None:
    """The engine labels the turn where it decides, so counting needs no second guess."""
    state = ChatState()
    for event in events:
        turn = engine.respond(event, state)
        state = turn.state
    assert turn.outcome == outcome


def files_in(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir())


def usage_rows(db: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(db) as conn:
        return {(d, k): n for d, k, n in conn.execute("SELECT day, key, n FROM usage")}


async def converse(engine: Engine, db: Path, clock, events: list[Event], **kw) -> list[list]:
    recorder = Recorder(db, clock=clock, **kw)
    store = RecordingStore(SqliteStore(db, secret=SECRET, clock=clock), recorder)
    replies = []
    async with store:
        handle = make_handler(LiveEngine(engine), store, clock, observe=recorder.observe)
        for event in events:
            replies.append(await handle(77, event))
    return replies


MIX = [
    Event("text", CARD),
    Event("text", "yes"),
    Event("text", GIBBERISH),
    Event("text", UNSURE),
    Event("button", "offer:phishing"),
    Event("text", CRISIS),
    Event("button", "menu:money"),
    Event("command", "/start", payload="romance_fraud"),
    Event("command", "/forget"),
    Event("button", "clear"),
]


async def test_counts_reach_the_database_in_the_stats_shape(
    engine: Engine, clock, tmp_path: Path
) -> None:
    """A mix of turns is counted per topic, offer, safety kind, button, forget and start."""
    clock.now = NOON
    db = tmp_path / "state.db"
    await converse(engine, db, clock, MIX)
    stats = read_stats(db, 1, today=DAY)
    day = {
        "date": "2026-12-06",
        "intents": {"card_fraud": 1, "phishing": 1, "romance_fraud": 1},
        "no_match": 1,
        "offered": 1,
        "safety": {"emergency": 0, "self_harm_crisis": 1},
        "buttons": 3,
        "forget": 2,
        "starts": 1,
    }
    assert stats == {"days": [day], "totals": {k: v for k, v in day.items() if k != "date"}}
    assert usage_rows(db)[("2026-12-06", "offer_taken:phishing")] == 1


async def test_nothing_but_day_and_key_is_kept(engine: Engine, clock, tmp_path: Path) -> None:
    """No chat id, no text and no time finer than the day ever reach the usage table."""
    clock.now = NOON
    db = tmp_path / "state.db"
    await converse(engine, db, clock, [Event("text", f"{GIBBERISH} 07700900123"), *MIX])
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(usage)")]
        reviewed = conn.execute("SELECT count(*) FROM review").fetchone()[0]
    assert columns == ["day", "key", "n"]
    assert reviewed == 0  # review is off by default
    keys = {k for _d, k in usage_rows(db)}
    assert all(
        ":" not in k or k.split(":")[0] in ("intent", "safety", "offer_taken") for k in keys
    )
    data = files_in(tmp_path)
    for secret in (b"blorp", b"07700900123", b"weird"):
        assert secret not in data


async def test_days_are_utc_dates(engine: Engine, clock, tmp_path: Path) -> None:
    """A turn a second before midnight UTC and one after midnight land on different days."""
    db = tmp_path / "state.db"
    midnight = dt.datetime(2026, 12, 7, tzinfo=dt.UTC).timestamp()
    recorder = Recorder(db, clock=clock)
    for now in (midnight - 1, midnight + 1, midnight + 2):
        clock.now = now
        turn = engine.respond(Event("text", GIBBERISH), ChatState())
        recorder.observe(Event("text", GIBBERISH), turn)
    await recorder.close()
    assert usage_rows(db) == {("2026-12-06", "no_match"): 1, ("2026-12-07", "no_match"): 2}
    two = read_stats(db, 2, today=dt.date(2026, 12, 7))
    assert [d["no_match"] for d in two["days"]] == [1, 2]
    assert two["totals"]["no_match"] == 3


async def test_counts_flush_in_the_background(engine: Engine, clock, tmp_path: Path) -> None:
    """While the bot runs, counts reach the file within the flush interval, not only at exit."""
    clock.now = NOON
    db = tmp_path / "state.db"
    recorder = Recorder(db, clock=clock, flush_every=0.05)
    async with RecordingStore(SqliteStore(db, secret=SECRET), recorder) as store:
        handle = make_handler(LiveEngine(engine), store, clock, observe=recorder.observe)
        await handle(1, Event("text", CARD))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if usage_rows(db):
                break
        assert usage_rows(db) == {("2026-12-06", "intent:card_fraud"): 1}


async def test_broken_database_costs_a_warning_never_a_reply(
    engine: Engine, clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """If the file cannot be written, the person is still answered and the counts wait."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    recorder = Recorder(blocker / "state.db", clock=clock)
    async with SqliteStore(tmp_path / "s.db", secret=SECRET) as store:
        handle = make_handler(LiveEngine(engine), store, clock, observe=recorder.observe)
        with caplog.at_level(logging.WARNING):
            replies = await handle(1, Event("text", CARD))
            assert replies[0].intent == "card_fraud"
            assert await recorder.flush() is False
    assert "usage statistics not written" in caplog.text
    blocker.unlink()
    assert await recorder.flush() is True  # kept in memory, written once the file works
    assert sum(usage_rows(blocker / "state.db").values()) == 1


def test_missing_database_reads_as_zeros(tmp_path: Path) -> None:
    stats = read_stats(tmp_path / "none.db", 3, today=DAY)
    assert [d["date"] for d in stats["days"]] == ["2026-12-04", "2026-12-05", "2026-12-06"]
    assert stats["totals"]["intents"] == {}
    assert stats["totals"]["no_match"] == 0
    assert not (tmp_path / "none.db").exists()


def test_console_chat_counts_and_stats_shows_them(tmp_path: Path) -> None:
    """`chat --jsonl` with BOT_DB counts like Telegram; `stats --json` prints the exact shape."""
    env = {"BOT_DB": str(tmp_path / "s.db"), "BOT_STATE_SECRET": "0123456789abcdef-test"}
    lines = [
        {"text": CARD},
        {"text": GIBBERISH},
        {"text": UNSURE},
        {"button": "offer:phishing"},
        {"text": "/start sextortion"},
        {"text": "/forget"},
    ]
    chat = bot("chat", "--jsonl", env=env, stdin="".join(json.dumps(x) + "\n" for x in lines))
    assert chat.returncode == 0, chat.stderr
    assert len(chat.stdout.splitlines()) == len(lines)
    shown = bot("stats", "--days", "1", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    stats = json.loads(shown.stdout)
    today = stats["days"][-1]
    assert set(today) == {"date", "intents", "no_match", "offered", "safety", "buttons"} | {
        "forget",
        "starts",
    }
    assert today["intents"] == {"card_fraud": 1, "phishing": 1, "sextortion": 1}
    assert (today["no_match"], today["offered"], today["buttons"]) == (1, 1, 1)
    assert (today["forget"], today["starts"]) == (1, 1)
    assert stats["totals"]["intents"] == today["intents"]
    table = bot("stats", "--days", "1", env=env)
    assert table.returncode == 0
    head, _row, total = table.stdout.splitlines()[:3]
    assert "not understood" in head
    assert "taken" in head
    assert total.split()[:6] == ["total", "3", "1", "1", "1", "0"]
    assert "sextortion" in table.stdout


def test_console_without_a_database_counts_nothing(tmp_path: Path) -> None:
    """No BOT_DB: the console keeps nothing on disk, not even counts."""
    chat = bot("chat", "--jsonl", env={"HOME": str(tmp_path)}, stdin='{"text": "hi"}\n')
    assert chat.returncode == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("days", ["0", "x", "-2"])
def test_stats_days_must_be_a_whole_number(days: str, tmp_path: Path) -> None:
    shown = bot("stats", "--days", days, env={"BOT_DB": str(tmp_path / "s.db")})
    assert shown.returncode == 2
    assert "whole number of days" in shown.stderr
