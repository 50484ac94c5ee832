"""Tests for the state stores and the secret: one contract for both stores, then SQLite's edges."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import stat
import struct
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.model import ChatState
from bot.state.cached_store import CachedStore
from bot.state.secret import SECRET_BYTES, load_or_create_secret
from bot.state.sqlite_store import BUSY_TIMEOUT_MS, MAINTAIN_EVERY, SWEEP_EVERY, SqliteStore
from bot.state.store import MESSAGE_LOG_SECONDS, MemoryStore, StateStore, chat_key

SECRET = b"s" * 32
TTL = 1800.0
T0 = float(int(time.time()))  # real-ish clock: SqliteStore purges by the wall clock on open
CHAT = 7391846205
OTHER = -1009876543210


def store_warnings(caplog: pytest.LogCaptureFixture, word: str = "failed") -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.state.store" and r.levelno == logging.WARNING and word in r.getMessage()
    ]


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StateStore]:
    if request.param == "memory":
        backend: StateStore = MemoryStore(secret=SECRET, ttl_seconds=TTL)
    else:
        backend = SqliteStore(tmp_path / "data" / "state.db", secret=SECRET, ttl_seconds=TTL)
    async with backend:
        yield backend


class TestChatKey:
    def test_same_chat_same_key_whatever_the_id_type(self) -> None:
        """A chat id given as int or str finds the same saved state."""
        assert chat_key(SECRET, CHAT) == chat_key(SECRET, str(CHAT))

    def test_key_depends_on_the_secret(self) -> None:
        """Without the secret nobody can recompute a chat's key from its id."""
        assert chat_key(SECRET, CHAT) != chat_key(b"t" * 32, CHAT)

    def test_key_does_not_show_the_chat_id(self) -> None:
        """The key is 64 hex digits that do not contain the chat id."""
        key = chat_key(SECRET, CHAT)
        assert len(key) == 64
        assert set(key) <= set("0123456789abcdef")
        assert str(CHAT) not in key


class TestStoreContract:
    async def test_missing_chat_gets_default_state(self, store: StateStore) -> None:
        """A chat the bot has never seen starts with a blank state."""
        assert await store.load(CHAT, T0) == ChatState()

    async def test_saved_state_comes_back(self, store: StateStore) -> None:
        """What the bot saved for a chat is what it reads on the next message."""
        state = ChatState(topic="phishing", pending="phishing", last_active=T0)
        await store.save(CHAT, state)
        assert await store.load(CHAT, T0 + 5) == state
        assert await store.load(str(CHAT), T0 + 5) == state

    async def test_state_expires_after_ttl(self, store: StateStore) -> None:
        """After the TTL of silence the conversation starts afresh and the old state is gone."""
        state = ChatState(topic="sextortion", last_active=T0)
        await store.save(CHAT, state)
        assert await store.load(CHAT, T0 + TTL - 1) == state
        assert await store.load(CHAT, T0 + TTL) == ChatState()
        # Deleted, not just hidden: an earlier clock no longer finds it either.
        assert await store.load(CHAT, T0) == ChatState()

    async def test_forget_deletes_state_and_message_log_at_once(self, store: StateStore) -> None:
        """'Forget me' removes the state and the message ids straight away, and says so."""
        await store.save(CHAT, ChatState(topic="romance_fraud", last_active=T0))
        await store.record_message(CHAT, 41, T0)
        assert await store.forget(CHAT) is True
        assert await store.load(CHAT, T0) == ChatState()
        assert await store.take_messages(CHAT, T0) == []

    async def test_forget_of_unknown_chat_succeeds(self, store: StateStore) -> None:
        """Forgetting a chat with nothing saved is still a success."""
        assert await store.forget(OTHER) is True

    async def test_two_chats_are_isolated(self, store: StateStore) -> None:
        """One person's state and messages never leak into another's chat."""
        mine = ChatState(topic="phishing", last_active=T0)
        theirs = ChatState(topic="hacked_account", pending="hacked_account", last_active=T0)
        await store.save(CHAT, mine)
        await store.save(OTHER, theirs)
        await store.record_message(CHAT, 1, T0)
        await store.record_message(OTHER, 2, T0)
        assert await store.forget(OTHER) is True
        assert await store.load(CHAT, T0) == mine
        assert await store.load(OTHER, T0) == ChatState()
        assert await store.take_messages(CHAT, T0) == [1]

    async def test_purge_counts_expired_rows(self, store: StateStore) -> None:
        """Purge deletes expired state and old message ids, reports how many, keeps the rest."""
        fresh = ChatState(topic="phishing", last_active=T0 + 100)
        await store.save(1, ChatState(topic="a", last_active=T0 - TTL))
        await store.save(2, ChatState(topic="b", last_active=T0 - TTL - 50))
        await store.save(3, fresh)
        await store.record_message(3, 10, T0 - MESSAGE_LOG_SECONDS - 1)
        await store.record_message(3, 11, T0)
        assert await store.purge(T0 + 10) == 3
        assert await store.purge(T0 + 10) == 0
        assert await store.load(3, T0 + 10) == fresh
        assert await store.take_messages(3, T0 + 10) == [11]

    async def test_message_log_keeps_young_ids_and_take_empties_it(
        self, store: StateStore
    ) -> None:
        """'Clear this chat' gets the ids it may still delete, oldest first, exactly once."""
        await store.record_message(CHAT, 5, T0 - MESSAGE_LOG_SECONDS)  # too old to delete
        await store.record_message(CHAT, 9, T0 - 60)
        await store.record_message(CHAT, 7, T0 - 120)
        await store.record_message(CHAT, 12, T0)
        assert await store.take_messages(CHAT, T0) == [7, 9, 12]
        assert await store.take_messages(CHAT, T0) == []


def sqlite_store(tmp_path: Path, **kwargs: float) -> SqliteStore:
    return SqliteStore(tmp_path / "data" / "state.db", secret=SECRET, **kwargs)


def db_bytes(path: Path) -> bytes:
    """Every byte SQLite has on disk for this database: main file, WAL and shared memory."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


class TestSqliteStore:
    async def test_state_survives_a_restart(self, tmp_path: Path) -> None:
        """A bot restart inside the TTL keeps the conversation where it was."""
        state = ChatState(topic="phishing", pending="phishing", last_active=T0)
        async with sqlite_store(tmp_path) as first:
            await first.save(CHAT, state)
        async with sqlite_store(tmp_path) as second:
            assert await second.load(CHAT, T0 + 1) == state

    async def test_file_never_holds_the_chat_id(self, tmp_path: Path) -> None:
        """Nobody reading the database file can find which chats talked to the bot."""
        store = sqlite_store(tmp_path)
        async with store:
            for chat in (CHAT, OTHER):
                await store.save(chat, ChatState(topic="phishing", last_active=T0))
                await store.record_message(chat, 4242, T0)
            while_open = db_bytes(store.path)
        on_disk = db_bytes(store.path)
        for blob in (while_open, on_disk):
            assert chat_key(SECRET, CHAT).encode() in blob  # we are looking at the data
            for chat in (CHAT, OTHER):
                assert str(chat).encode() not in blob
                assert str(abs(chat)).encode() not in blob
                assert struct.pack(">q", chat) not in blob
                assert struct.pack(">q", chat)[2:] not in blob  # SQLite's 6-byte integer

    async def test_uses_wal_and_records_schema_version(self, tmp_path: Path) -> None:
        """The database is in WAL mode and says which schema version it holds."""
        store = sqlite_store(tmp_path)
        async with store:
            await store.save(CHAT, ChatState(last_active=T0))
            con = sqlite3.connect(store.path)
            try:
                assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
                assert con.execute("PRAGMA user_version").fetchone() == (1,)
            finally:
                con.close()

    async def test_database_file_is_private(self, tmp_path: Path) -> None:
        """Only the bot's own user can read the state file."""
        store = sqlite_store(tmp_path)
        async with store:
            await store.save(CHAT, ChatState(last_active=T0))
            assert stat.S_IMODE(store.path.stat().st_mode) == 0o600

    async def test_open_purges_expired_rows(self, tmp_path: Path) -> None:
        """Rows that expired while the bot was down are deleted as soon as it starts."""
        async with sqlite_store(tmp_path) as store:
            await store.save(CHAT, ChatState(topic="phishing", last_active=T0 - 2 * TTL))
            await store.record_message(CHAT, 3, T0 - 3 * MESSAGE_LOG_SECONDS)
        async with sqlite_store(tmp_path) as store:
            con = sqlite3.connect(store.path)
            try:
                assert con.execute("SELECT count(*) FROM chat_state").fetchone() == (0,)
                assert con.execute("SELECT count(*) FROM message_log").fetchone() == (0,)
            finally:
                con.close()

    async def test_busy_store_purges_other_chats_on_its_own(self, tmp_path: Path) -> None:
        """Expired rows of chats that never come back are removed without a purge() call."""
        async with sqlite_store(tmp_path, ttl_seconds=TTL) as store:
            await store.save(OTHER, ChatState(topic="phishing", last_active=T0))
            for _ in range(MAINTAIN_EVERY):
                await store.load(CHAT, T0 + TTL + 1)
            con = sqlite3.connect(store.path)
            try:
                assert con.execute("SELECT count(*) FROM chat_state").fetchone() == (0,)
            finally:
                con.close()

    async def test_newer_schema_is_left_alone(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A database from a newer bot version is not touched; the bot runs without state."""
        path = tmp_path / "data" / "state.db"
        path.parent.mkdir()
        con = sqlite3.connect(path)
        con.execute("PRAGMA user_version = 99")
        con.close()
        async with sqlite_store(tmp_path) as store:
            await store.save(CHAT, ChatState(topic="phishing", last_active=T0))
            assert await store.load(CHAT, T0) == ChatState()
        assert len(store_warnings(caplog, "newer")) == 1

    def test_refuses_an_empty_secret(self, tmp_path: Path) -> None:
        """A store without a secret would make keys guessable, so it is a startup error."""
        with pytest.raises(ValueError, match="secret"):
            SqliteStore(tmp_path / "state.db", secret=b"")


async def assert_degraded(store: SqliteStore) -> None:
    """Every method answers without raising and without pretending to have stored anything."""
    await store.save(CHAT, ChatState(topic="phishing", last_active=T0))
    assert await store.load(CHAT, T0) == ChatState()
    await store.record_message(CHAT, 8, T0)
    assert await store.take_messages(CHAT, T0) == []
    assert await store.forget(CHAT) is False
    assert await store.purge(T0) == 0


async def assert_working(store: SqliteStore) -> None:
    state = ChatState(topic="phishing", pending="phishing", last_active=T0)
    await store.save(CHAT, state)
    assert await store.load(CHAT, T0) == state
    assert await store.forget(CHAT) is True


class TestSqliteFaults:
    async def test_corrupt_file_degrades_and_warns_once(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A garbage state file never crashes the bot; the operator sees one warning."""
        store = sqlite_store(tmp_path, retry_after=0)
        store.path.parent.mkdir()
        store.path.write_bytes(b"this is not a database " + os.urandom(8192))
        async with store:
            await assert_degraded(store)
            await assert_degraded(store)
        warnings = store_warnings(caplog)
        assert len(warnings) == 1
        assert str(store.path) in warnings[0]
        assert "not a database" in warnings[0]
        assert str(CHAT) not in caplog.text

    async def test_recovers_once_a_corrupt_file_is_removed(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """When the operator deletes the broken file, the bot starts saving again by itself."""
        store = sqlite_store(tmp_path, retry_after=0)
        store.path.parent.mkdir()
        store.path.write_bytes(os.urandom(4096))
        async with store:
            await assert_degraded(store)
            store.path.unlink()
            await assert_working(store)
        assert len(store_warnings(caplog)) == 1
        assert len(store_warnings(caplog, "working again")) == 1

    async def test_unusable_folder_degrades_then_recovers(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If the data folder cannot be made, the bot runs without state until it can."""
        blocker = tmp_path / "data"
        blocker.write_text("a file where the data folder should be")
        store = sqlite_store(tmp_path, retry_after=0)
        async with store:
            await assert_degraded(store)
            blocker.unlink()
            await assert_working(store)
        assert len(store_warnings(caplog)) == 1

    async def test_waits_before_retrying_a_broken_store(self, tmp_path: Path) -> None:
        """A broken store is not reopened on every message, only after retry_after."""
        blocker = tmp_path / "data"
        blocker.write_text("x")
        store = sqlite_store(tmp_path, retry_after=60)
        async with store:
            await assert_degraded(store)
            blocker.unlink()
            await store.save(CHAT, ChatState(topic="phishing", last_active=T0))
            assert await store.load(CHAT, T0) == ChatState()
            assert not blocker.exists()

    async def test_locked_database_fails_fast(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Another process holding the write lock delays a message by at most a moment."""
        store = sqlite_store(tmp_path, busy_backoff=0)
        before = ChatState(topic="phishing", last_active=T0)
        async with store:
            await store.save(CHAT, before)
            other = sqlite3.connect(store.path, isolation_level=None)
            try:
                other.execute("BEGIN EXCLUSIVE")
                started = time.monotonic()
                await store.save(CHAT, ChatState(topic="sextortion", last_active=T0))
                await store.record_message(CHAT, 3, T0)
                assert await store.forget(CHAT) is False
                assert time.monotonic() - started < 2.0
                assert await store.load(CHAT, T0) == before  # WAL readers are not blocked
                other.execute("ROLLBACK")
            finally:
                other.close()
            await assert_working(store)
        assert len(store_warnings(caplog)) == 1
        assert "locked" in store_warnings(caplog)[0]
        assert len(store_warnings(caplog, "working again")) == 1

    async def test_deleted_folder_is_recreated(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If someone deletes the data folder, the store starts a new file instead of a ghost."""
        store = sqlite_store(tmp_path)
        async with store:
            await store.save(CHAT, ChatState(topic="phishing", last_active=T0))
            shutil.rmtree(store.path.parent)
            await store.save(CHAT, ChatState(topic="sextortion", last_active=T0))
            assert await store.purge(T0) == 0
            assert store.path.exists()
            assert await store.load(CHAT, T0) == ChatState()
            await assert_working(store)
        assert len(store_warnings(caplog, "disappeared")) == 1

    @pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
    async def test_read_only_file_degrades(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A state file the bot may not write never crashes it."""
        store = sqlite_store(tmp_path)
        async with store:
            await store.save(CHAT, ChatState(last_active=T0))
        store.path.chmod(0o444)
        store.path.parent.chmod(0o555)
        try:
            async with store:
                await store.save(CHAT, ChatState(topic="phishing", last_active=T0))
                assert await store.forget(CHAT) is False
        finally:
            store.path.parent.chmod(0o700)
        assert len(store_warnings(caplog)) == 1


class TestSecret:
    def test_new_secret_file_is_private_and_reused(self, tmp_path: Path) -> None:
        """The first start writes a random 0600 secret; later starts read the same one."""
        path = tmp_path / "data" / "secret"
        first = load_or_create_secret(path, None)
        assert len(first) == SECRET_BYTES
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert load_or_create_secret(path, None) == first
        assert load_or_create_secret(tmp_path / "elsewhere", None) != first

    def test_environment_value_wins(self, tmp_path: Path) -> None:
        """BOT_STATE_SECRET, when set, is used and no file is written."""
        path = tmp_path / "secret"
        value = "x7Qp2-long-enough-operator-secret"
        assert load_or_create_secret(path, value) == value.encode()
        assert not path.exists()

    def test_empty_environment_value_counts_as_unset(self, tmp_path: Path) -> None:
        """An empty BOT_STATE_SECRET falls back to the secret file."""
        path = tmp_path / "secret"
        assert len(load_or_create_secret(path, "")) == SECRET_BYTES
        assert path.exists()

    def test_short_environment_value_warns(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A guessable BOT_STATE_SECRET is used but the operator is told."""
        assert load_or_create_secret(tmp_path / "secret", "abc") == b"abc"
        assert "BOT_STATE_SECRET" in caplog.text

    def test_readable_secret_file_is_locked_down(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A secret file other users can read is made 0600, with a warning, and still used."""
        path = tmp_path / "secret"
        path.write_bytes(b"k" * 32)
        path.chmod(0o644)
        assert load_or_create_secret(path, None) == b"k" * 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "readable by other users" in caplog.text

    def test_empty_secret_file_is_replaced(self, tmp_path: Path) -> None:
        """A secret file left empty by a crash gets a fresh secret rather than no secret."""
        path = tmp_path / "secret"
        path.touch(mode=0o600)
        secret = load_or_create_secret(path, None)
        assert len(secret) == SECRET_BYTES
        assert path.read_bytes() == secret
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def rows(path: Path, table: str = "chat_state") -> int:
    """Count rows through a separate, real connection: what a person inspecting the file sees."""
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def delete_database(path: Path) -> None:
    """What an operator's `rm state.db*` does: the file and its WAL and shared memory go."""
    for part in path.parent.glob(path.name + "*"):
        part.unlink()


async def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


class TestSweeper:
    def test_default_sweep_keeps_the_readme_promise(self) -> None:
        """Expired rows are swept at least once a minute, whatever the traffic."""
        assert 0 < SWEEP_EVERY <= 60

    async def test_expired_row_is_deleted_with_no_traffic(self, tmp_path: Path) -> None:
        """A sextortion row is gone from the file soon after its TTL, though nobody writes."""
        clock = Clock()
        store = SqliteStore(
            tmp_path / "state.db", secret=SECRET, ttl_seconds=TTL, clock=clock, sweep_every=0.05
        )
        async with store:
            await store.save(CHAT, ChatState(topic="sextortion", last_active=clock.now))
            await asyncio.sleep(0.2)
            assert rows(store.path) == 1  # swept, but not yet expired: kept
            clock.now += TTL + 1
            assert await wait_for(lambda: rows(store.path) == 0)

    async def test_cache_in_front_forgets_expired_chats_too(self, tmp_path: Path) -> None:
        """The memory cache drops an expired chat on the same timer, not only on its next turn."""
        clock = Clock()
        inner = SqliteStore(
            tmp_path / "state.db", secret=SECRET, ttl_seconds=TTL, clock=clock, sweep_every=0.05
        )
        async with CachedStore(inner, ttl_seconds=TTL, clock=clock, sweep_every=0.05) as store:
            await store.save(CHAT, ChatState(topic="sextortion", last_active=clock.now))
            clock.now += TTL + 1
            assert await wait_for(lambda: not store.cached_chats and rows(inner.path) == 0)

    async def test_deleted_database_is_recreated_within_a_minute(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Someone deletes the file under a running bot: it is back, with a warning, unasked."""
        store = SqliteStore(tmp_path / "state.db", secret=SECRET, sweep_every=0.05)
        async with store:
            await store.save(CHAT, ChatState(topic="phishing", last_active=T0))
            delete_database(store.path)
            assert await wait_for(store.path.exists)
            await store.save(CHAT, ChatState(topic="sextortion", last_active=T0))
            assert rows(store.path) == 1  # the new save lands in the new file
        assert len(store_warnings(caplog, "disappeared")) == 1


class TestLockedByAnotherProcess:
    async def test_ten_chats_never_wait_on_the_lock(
        self, tmp_path: Path, engine, clock, caplog: pytest.LogCaptureFixture
    ) -> None:
        """With the file locked, turns stay quick, keep their memory, and warn once."""
        from bot.core.model import Event
        from bot.session import LiveEngine, make_handler

        path = tmp_path / "state.db"
        async with SqliteStore(path, secret=SECRET):
            pass  # create the file and schema
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            store = CachedStore(SqliteStore(path, secret=SECRET))
            async with store:
                handle = make_handler(LiveEngine(engine), store, clock)

                async def turn(chat: int, text: str) -> float:
                    started = time.monotonic()
                    replies = await handle(chat, Event("text", text))
                    assert replies
                    return time.monotonic() - started

                card = "there are payments on my debit card that i never made"
                first = await asyncio.gather(*(turn(chat, card) for chat in range(10)))
                second = await asyncio.gather(*(turn(chat, "yes") for chat in range(10)))
                assert max(first + second) < 0.5, (first, second)
                assert sum(first + second) < 1.5
                # Memory-only state carried the conversation: 'yes' answered the card topic.
                assert (await store.load(3, clock())).topic is not None
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert len(store_warnings(caplog)) == 1

    async def test_a_flapping_lock_warns_once_a_minute_at_most(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A lock taken and released again and again does not flood the log."""
        path = tmp_path / "state.db"
        store = SqliteStore(path, secret=SECRET, busy_backoff=0)
        async with store:
            for _ in range(5):
                other = sqlite3.connect(path, isolation_level=None)
                other.execute("BEGIN EXCLUSIVE")
                await store.save(CHAT, ChatState(topic="phishing", last_active=T0))
                other.execute("ROLLBACK")
                other.close()
                await assert_working(store)
        assert len(store_warnings(caplog)) == 1
        assert len(store_warnings(caplog, "working again")) == 1

    def test_busy_timeout_is_short(self) -> None:
        assert 0 < BUSY_TIMEOUT_MS <= 100
