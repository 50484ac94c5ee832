"""Updates per second through the Telegram adapter, beside a bare python-telegram-bot echo bot.

Both bots poll the same Bot API stand-in on 127.0.0.1 in the same run; N text updates are
pushed across C chats and the clock stops when every reply has arrived. Telegram's own rate
limits are off for both (with them on, both sit at 30 messages a second and the figure says
nothing about the code). Prints figures; it is not a timed test.

    python benchmarks/bench_telegram.py [--updates 2000] [--chats 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dtm
import html
import logging
import os
import time
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.core.model import Event, Reply
from bot.state.store import MemoryStore
from bot.telegram.guard import FloodGuard
from bot.telegram.settings import TelegramSettings
from bot.telegram.standin.control import StandIn
from bot.telegram.standin.loopback import LoopbackTelegram

Runner = Callable[[StandIn, int, list[int]], Awaitable[float]]


async def push_and_wait(standin: StandIn, updates: int, chats: list[int]) -> float:
    """Push `updates` texts round-robin over `chats`; return seconds until all are answered."""
    before = {chat: len(standin.sent(chat)) for chat in chats}
    expected = dict(before)
    started = time.perf_counter()
    for n in range(updates):
        chat = chats[n % len(chats)]
        standin.push_text(chat, f"message {n}")
        expected[chat] += 1
    await standin.wait_until(lambda: all(len(standin.sent(c)) >= expected[c] for c in chats), 600)
    return time.perf_counter() - started


async def echo_core(chat_id: int, event: Event) -> list[Reply]:
    return [Reply(html.escape(event.text))]


async def run_adapter(standin: StandIn, updates: int, chats: list[int]) -> float:
    """Our adapter (flood guard relaxed: one chat sends many messages here on purpose)."""
    guard = FloodGuard(limit=10**9)
    store = MemoryStore()
    async with LoopbackTelegram(echo_core, store, standin=standin, flood=guard):
        return await push_and_wait(standin, updates, chats)


async def run_bare(
    standin: StandIn, updates: int, chats: list[int], concurrency: int = 1
) -> float:
    """python-telegram-bot's echobot example, unchanged but for the base URL."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    builder = Application.builder().token(standin.token).base_url(standin.base_url)
    app = builder.concurrent_updates(concurrency).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await app.initialize()
    await app.updater.start_polling(timeout=dtm.timedelta(seconds=1))
    await app.start()
    try:
        return await push_and_wait(standin, updates, chats)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def main(updates: int, n_chats: int, rounds: int, latency: float) -> None:
    in_flight = TelegramSettings("0:x").concurrency

    async def run_bare_concurrent(standin: StandIn, updates: int, chats: list[int]) -> float:
        return await run_bare(standin, updates, chats, in_flight)

    runners: dict[str, Runner] = {
        "adapter": run_adapter,
        "echo": run_bare,
        f"echo x{in_flight}": run_bare_concurrent,
    }
    results: dict[str, list[float]] = {name: [] for name in runners}
    async with StandIn(latency=latency) as standin:
        next_chat = 10_000
        for _ in range(rounds):
            for name, runner in runners.items():  # alternate so neither gets a warmer process
                chats = list(range(next_chat, next_chat + n_chats))
                next_chat += n_chats
                for chat in chats:
                    standin.api.chat(chat, create=True)
                seconds = await runner(standin, updates, chats)
                results[name].append(updates / seconds)
    best = {name: max(rates) for name, rates in results.items()}
    print(
        f"{updates} text updates over {n_chats} chats, {latency * 1000:.0f} ms per API call, "
        f"best of {rounds} rounds:"
    )
    for name, rate in best.items():
        rounds_text = ", ".join(f"{r:.0f}" for r in results[name])
        print(f"  {name:>10}: {rate:7.0f} updates/s   (rounds: {rounds_text})")
    same = best[f"echo x{in_flight}"]
    alone = best["adapter"] / best["echo"]
    print(f"  adapter / echo (PTB defaults, one update at a time): {alone:.2f}")
    print(f"  adapter / echo x{in_flight} (as many in flight): {best['adapter'] / same:.2f}")
    print("  target: >= 0.8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the stand-in waits per call"
    )
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.updates, args.chats, args.rounds, args.latency))
