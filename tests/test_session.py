"""The session glue with a real SQLite file: memory that is private, short and forgettable."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.model import Event
from bot.session import LiveEngine, make_handler
from bot.state.sqlite_store import SqliteStore

SECRET = b"session-test-secret-0123456789ab"
CHAT = 424242
CARD = "there are payments on my debit card that i never made"


def files_of(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


@pytest.fixture
def live(engine: Engine) -> LiveEngine:
    return LiveEngine(engine)


class TestPrivacy:
    async def test_message_text_never_reaches_the_database(
        self, live: LiveEngine, clock, tmp_path: Path
    ) -> None:
        """A distinctive message sent through the bot appears nowhere in the database files."""
        db = tmp_path / "state.db"
        marker = "Zebedee Quixote-Plumtree 07700900123"
        async with SqliteStore(db, secret=SECRET) as store:
            handle = make_handler(live, store, clock)
            await handle(CHAT, Event("text", f"my name is {marker} and my bank card was cloned"))
            await handle(CHAT, Event("text", "yes"))
        data = files_of(db)
        assert data  # the store really wrote something
        for fragment in ("Zebedee", "Quixote", "07700900123", str(CHAT)):
            assert fragment.encode() not in data

    async def test_state_expires_after_silence(
        self, live: LiveEngine, clock, tmp_path: Path
    ) -> None:
        """After 30 minutes of silence, 'yes' no longer answers the old question."""
        async with SqliteStore(tmp_path / "s.db", secret=SECRET, ttl_seconds=1800) as store:
            handle = make_handler(live, store, clock)
            await handle(CHAT, Event("text", CARD))
            clock.now += 1801
            replies = await handle(CHAT, Event("text", "yes"))
        assert replies[0].intent is None or replies[0].intent != "card_fraud"

    async def test_state_survives_within_the_ttl(
        self, live: LiveEngine, clock, tmp_path: Path
    ) -> None:
        """Within the time limit, 'yes' answers the question just asked."""
        async with SqliteStore(tmp_path / "s.db", secret=SECRET) as store:
            handle = make_handler(live, store, clock)
            first = await handle(CHAT, Event("text", CARD))
            clock.now += 60
            replies = await handle(CHAT, Event("text", "yes"))
        assert first[0].intent == "card_fraud"
        assert replies[0].intent == "card_fraud"

    async def test_forget_deletes_at_once_and_says_so(
        self, live: LiveEngine, clock, tmp_path: Path
    ) -> None:
        """/forget removes the chat's row straight away and tells the user."""
        db = tmp_path / "s.db"
        async with SqliteStore(db, secret=SECRET) as store:
            handle = make_handler(live, store, clock)
            await handle(CHAT, Event("text", CARD))
            replies = await handle(CHAT, Event("command", "/forget"))
            after = await handle(CHAT, Event("text", "yes"))
        assert "clear" in [b.data for row in replies[0].buttons for b in row]
        assert after[0].intent != "card_fraud"


class TestBrokenDatabase:
    async def test_corrupt_file_still_answers(
        self, live: LiveEngine, clock, tmp_path: Path, caplog
    ) -> None:
        """A database file full of garbage costs memory, never the answer."""
        db = tmp_path / "state.db"
        db.write_bytes(b"this is not a database" * 100)
        caplog.set_level(logging.WARNING)
        async with SqliteStore(db, secret=SECRET) as store:
            handle = make_handler(live, store, clock)
            for _ in range(3):
                replies = await handle(CHAT, Event("text", "my instagram got hacked"))
                assert replies[0].intent == "account_hacking"
        faults = [
            r for r in caplog.records if r.levelno >= logging.WARNING and "fail" in r.getMessage()
        ]
        assert 1 <= len(faults) <= 2

    async def test_missing_folder_still_answers(
        self, live: LiveEngine, clock, tmp_path: Path
    ) -> None:
        """A database path under a file (not a folder) cannot open, and the bot still talks."""
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        async with SqliteStore(blocker / "state.db", secret=SECRET) as store:
            handle = make_handler(live, store, clock)
            replies = await handle(CHAT, Event("command", "/start"))
            forget = await handle(CHAT, Event("command", "/forget"))
        assert replies[0].text
        assert "couldn" in forget[0].text.lower() or "could not" in forget[0].text.lower()


class TestReload:
    def test_reload_uses_the_tuned_matcher_settings(
        self, engine: Engine, project_root: Path
    ) -> None:
        """After a reload the matcher keeps the thresholds from config/matcher.yaml."""
        from bot.core.matcher import MatcherConfig

        live = LiveEngine(engine, project_root)
        assert live.reload() == []
        assert live.engine is not engine
        assert live.engine.matcher.config == MatcherConfig.load()
