"""The read cache in front of SQLite: faster, but never remembering more or longer."""

from __future__ import annotations

import time
from pathlib import Path

from bot.core.model import ChatState
from bot.state.cached_store import CachedStore
from bot.state.sqlite_store import SqliteStore

SECRET = b"cached-store-test-secret-0123456"


class TestCachedStore:
    async def test_round_trip_and_shared_file(self, tmp_path: Path) -> None:
        """What one process saves through the cache is in the database for the next."""
        db = tmp_path / "s.db"
        now = time.time()
        async with CachedStore(SqliteStore(db, secret=SECRET)) as store:
            await store.save(1, ChatState("phishing", "phishing", now))
        async with SqliteStore(db, secret=SECRET) as plain:
            assert (await plain.load(1, now + 10)).topic == "phishing"

    async def test_expiry_applies_to_cached_state(self, tmp_path: Path) -> None:
        """A cached chat still expires after the time limit."""
        inner = SqliteStore(tmp_path / "s.db", secret=SECRET, ttl_seconds=60)
        async with CachedStore(inner, ttl_seconds=60) as store:
            await store.save(1, ChatState("phishing", None, 100.0))
            assert (await store.load(1, 150.0)).topic == "phishing"
            assert (await store.load(1, 161.0)).topic is None

    async def test_forget_clears_cache_and_database(self, tmp_path: Path) -> None:
        """/forget removes the chat from memory and disk at once."""
        db = tmp_path / "s.db"
        async with CachedStore(SqliteStore(db, secret=SECRET)) as store:
            await store.save(1, ChatState("phishing", None, 100.0))
            assert await store.forget(1) is True
            assert (await store.load(1, 101.0)).topic is None
        async with SqliteStore(db, secret=SECRET) as plain:
            assert (await plain.load(1, 101.0)).topic is None

    async def test_cache_is_bounded(self, tmp_path: Path) -> None:
        """The cache holds at most max_chats; older chats are read from disk again."""
        async with CachedStore(
            SqliteStore(tmp_path / "s.db", secret=SECRET), max_chats=2
        ) as store:
            for chat in range(5):
                await store.save(chat, ChatState("phishing", None, 100.0))
            assert len(store._states) == 2
            assert (await store.load(0, 101.0)).topic == "phishing"
