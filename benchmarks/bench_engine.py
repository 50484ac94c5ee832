"""Turns per second through the engine and the SQLite store (load state, respond, save).

Run: python benchmarks/bench_engine.py   (prints figures; takes under a minute)
Target: at least 1,000 turns/s, for 1 chat and for 1,000 simultaneous chats.
Then the same turns with and without usage statistics (bot.insight), to show that counting
adds nothing measurable to a turn.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.gate import load_content
from bot.core.engine import Engine
from bot.core.matcher import (
    Matcher,
    MatcherConfig,
)
from bot.core.model import (
    ChatState,
    Event,
)
from bot.insight.evaluate import read_labelled
from bot.insight.recorder import (
    Recorder,
    RecordingStore,
)
from bot.session import (
    LiveEngine,
    make_handler,
)
from bot.state.cached_store import CachedStore
from bot.state.sqlite_store import SqliteStore
from bot.state.store import MemoryStore

TURNS = 4000


def events() -> list[Event]:
    """A realistic mix: descriptions, short answers, buttons and a photo now and then."""
    texts = [str(r["text"]) for r in read_labelled(sorted((ROOT / "tests/data").glob("*.jsonl")))]
    mix: list[Event] = []
    for i, text in enumerate(texts):
        mix.append(Event("text", text))
        if i % 5 == 0:
            mix.append(Event("text", "yes"))
        if i % 7 == 0:
            mix.append(Event("button", "menu:money"))
        if i % 50 == 0:
            mix.append(Event("photo"))
    return mix


async def run(store, chats: int, mix: list[Event], observe=None) -> float:
    content = load_content(ROOT)
    live = LiveEngine(Engine(content, Matcher(content, MatcherConfig.load())))
    async with store:
        handle = make_handler(live, store, observe=observe)
        per_chat = TURNS // chats

        async def chat(chat_id: int) -> None:
            for turn in range(per_chat):
                await handle(chat_id, mix[(chat_id * 31 + turn) % len(mix)])

        start = time.perf_counter()
        await asyncio.gather(*(chat(c) for c in range(chats)))
        elapsed = time.perf_counter() - start
    return per_chat * chats / elapsed


def main() -> None:
    mix = events()
    print(f"{TURNS} turns of a realistic mix ({len(mix)} distinct events)")
    print(f"{'store':10}{'chats':>8}{'turns/s':>12}")
    for chats in (1, 1000):
        with tempfile.TemporaryDirectory() as folder:
            store = SqliteStore(Path(folder) / "state.db", secret=b"bench" * 8)
            rate = asyncio.run(run(store, chats, mix))
            print(f"{'sqlite':10}{chats:8}{rate:12.0f}")
            store = CachedStore(SqliteStore(Path(folder) / "cached.db", secret=b"bench" * 8))
            rate = asyncio.run(run(store, chats, mix))
        print(f"{'cached':10}{chats:8}{rate:12.0f}   (sqlite behind a read cache, as `run` uses)")
        rate = asyncio.run(run(MemoryStore(secret=b"bench"), chats, mix))
        print(f"{'memory':10}{chats:8}{rate:12.0f}")
    stats_overhead(mix)


def stats_overhead(mix: list[Event], rounds: int = 5) -> None:
    """Turns/s with and without counting, alternating runs so drift hits both alike."""
    print("\nusage statistics (cached sqlite store, 1 chat; best of", rounds, "runs each)")
    without: list[float] = []
    with_stats: list[float] = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "state.db"
            store = CachedStore(SqliteStore(db, secret=b"bench" * 8))
            without.append(asyncio.run(run(store, 1, mix)))
            recorder = Recorder(db, review_on=False)
            store = RecordingStore(CachedStore(SqliteStore(db, secret=b"bench" * 8)), recorder)
            with_stats.append(asyncio.run(run(store, 1, mix, recorder.observe)))
    best_off, best_on = max(without), max(with_stats)
    print(f"{'without':10}{best_off:20.0f} turns/s")
    print(f"{'with':10}{best_on:20.0f} turns/s   ({100 * (best_on / best_off - 1):+.1f}%)")
    content = load_content(ROOT)
    engine = Engine(content, Matcher(content, MatcherConfig.load()))
    turns = [(e, engine.respond(e, ChatState())) for e in mix[:500]]
    recorder = Recorder(Path(tempfile.gettempdir()) / "unused.db")
    start = time.perf_counter()
    for _ in range(20):
        for event, turn in turns:
            recorder.observe(event, turn)
    per_call = (time.perf_counter() - start) / (20 * len(turns)) * 1e6
    print(f"observe() alone: {per_call:.2f} µs a turn")


if __name__ == "__main__":
    main()
