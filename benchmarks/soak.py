"""Soak: the real `python -m bot run` for a while under faults and reloads, then the figures.

The Bot API stand-in runs in this process on 127.0.0.1; the bot is a child process polling
it. Messages arrive at a steady rate from many chats; a share of the bot's sendMessage calls
is answered with a 429 (retry_after 1), an HTML 502/503 page or no answer at all (the bot's
10 s time-out). Every `--reload-every` seconds the content folder (a temp copy) is switched
between the good content and a broken copy and the bot gets SIGHUP. Not a test, not in CI.

    python benchmarks/soak.py [--seconds 60] [--rate 10] [--chats 1000] [--faults 0.15]

Prints: messages sent, answered and lost; p50/p95 reply latency; the bot's peak RSS;
tracebacks and WARNING/ERROR lines in its log; what each reload did.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.telegram.standin.control import Fault, StandIn

ROOT = Path(__file__).resolve().parent.parent
ADMIN = 999_001
TEXTS = (
    "someone hacked my facebook account",
    "I got a text saying my parcel is waiting and I paid a fee",
    "my bank account was emptied after a phone call from the bank",
    "hello",
    "a man I met online is asking me for money",
    "someone is sharing private photos of me",
    "what can you do",
    "my business emails were hacked and a client paid a fake invoice",
)
BROKEN = "intents:\n  - id: [this is not: valid\n"


def peak_rss_mb(pid: int) -> float:
    """The child's high-water resident memory (VmHWM), in MB; 0 where /proc is missing."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def make_content(base: Path) -> tuple[Path, Path, str]:
    """A live content folder (copy of the project's) and the file a broken reload spoils."""
    live = base / "content"
    for name in ("intents", "responses"):
        shutil.copytree(ROOT / name, live / name)
    victim = sorted((live / "intents").glob("*.yaml"))[0]
    return live, victim, victim.read_text()


async def soak(args: argparse.Namespace) -> int:
    base = Path(tempfile.mkdtemp(prefix="soak-"))
    live, victim, good_text = make_content(base)
    log_path = base / "bot.log"
    async with StandIn() as api:
        faults = [Fault.too_many(1), Fault.html(502), Fault.html(503), Fault.hang(11)]
        api.api.chat(ADMIN, create=True)  # the admin has talked to the bot before
        api.faults.share(args.faults, faults, methods=["sendMessage"], seed=args.seed)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PTB_TIMEDELTA": "true",
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BOT_API_URL": f"http://127.0.0.1:{api.port}",
            "BOT_DB": str(base / "state.db"),
            "ADMIN_CHAT_IDS": str(ADMIN),
        }
        with log_path.open("wb") as log_file:
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--content", str(live),
                env=env, cwd=base, stdout=log_file, stderr=log_file,
            )  # fmt: skip
            try:
                await api.wait_until(lambda: api.calls_of("setMyCommands"), 60)
                pushed, reloads = await drive(api, child, args, victim, good_text)
                await drain(api, pushed, args.drain)
                rss = peak_rss_mb(child.pid)
            finally:
                if child.returncode is None:
                    child.send_signal(signal.SIGTERM)
                    try:
                        await asyncio.wait_for(child.wait(), 60)
                    except TimeoutError:
                        child.kill()
                        await child.wait()
        report(api, pushed, reloads, rss, log_path.read_text(errors="replace"), child.returncode)
    shutil.rmtree(base, ignore_errors=True)
    return 0


async def drive(api: StandIn, child, args, victim: Path, good_text: str):
    """Push messages at a steady rate; switch the content and SIGHUP on schedule."""
    pushed: list[tuple[int, float]] = []  # (chat, monotonic time)
    reloads: list[tuple[str, int]] = []  # (which content, admin notices before it)
    start = time.monotonic()
    next_reload = start + args.reload_every
    n = 0
    while (now := time.monotonic()) - start < args.seconds:
        due = int((now - start) * args.rate)
        while n < due:
            chat = 10_000 + n % args.chats
            api.push_text(chat, TEXTS[n % len(TEXTS)])
            pushed.append((chat, time.monotonic()))
            n += 1
        if now >= next_reload:
            broken = len(reloads) % 2 == 0
            await asyncio.to_thread(victim.write_text, BROKEN if broken else good_text)
            reloads.append(("broken" if broken else "good", len(api.sent(ADMIN))))
            child.send_signal(signal.SIGHUP)
            next_reload += args.reload_every
        await asyncio.sleep(0.01)
    await asyncio.to_thread(victim.write_text, good_text)
    return pushed, reloads


def answers(api: StandIn) -> dict[int, list[float]]:
    """When each chat got a message from the bot (sendMessage answered 200)."""
    times: dict[int, list[float]] = {}
    for call in api.calls_of("sendMessage"):
        if call.status == 200:
            times.setdefault(int(call.params["chat_id"]), []).append(call.at)
    return times


def latencies(api: StandIn, pushed: list[tuple[int, float]]) -> list[float | None]:
    """Per message: seconds to the bot's first message after it (None: never answered)."""
    got = answers(api)
    out: list[float | None] = []
    following: dict[int, float] = {}
    for chat, at in reversed(pushed):
        until = following.get(chat, float("inf"))
        first = min((t for t in got.get(chat, ()) if at <= t < until), default=None)
        out.append(None if first is None else first - at)
        following[chat] = at
    return out[::-1]


async def drain(api: StandIn, pushed: list[tuple[int, float]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and None in latencies(api, pushed):  # noqa: ASYNC110
        await asyncio.sleep(0.5)


def report(api, pushed, reloads, rss: float, log_text: str, code: int | None) -> None:
    times = latencies(api, pushed)
    done = sorted(t for t in times if t is not None)
    lines = log_text.splitlines()
    notices = [StandIn.plain(m) for m in api.sent(ADMIN)]
    injected: dict[str, int] = {}
    for _, _, fault in api.faults.injected:
        name = f"{fault.kind} {fault.status or ''}".strip()
        injected[name] = injected.get(name, 0) + 1
    print(f"messages sent      {len(pushed)}")
    print(f"answered           {len(done)}")
    print(f"lost               {len(pushed) - len(done)}")
    if done:
        p95 = done[min(len(done) - 1, int(len(done) * 0.95))]
        print(f"latency p50 / p95  {statistics.median(done):.3f} s / {p95:.3f} s")
        print(f"latency max        {done[-1]:.3f} s")
    print(f"faults injected    {sum(injected.values())} {injected}")
    print(f"peak RSS (bot)     {rss:.1f} MB")
    print(f"log: tracebacks    {log_text.count('Traceback (most recent call last)')}")
    print(f"log: warnings      {sum(' WARNING ' in line for line in lines)}")
    print(f"log: errors        {sum(' ERROR ' in line for line in lines)}")
    broken = sum(kind == "broken" for kind, _ in reloads)
    refused = sum("Reload failed" in text for text in notices)
    print(
        f"reloads            {len(reloads)} SIGHUPs: {broken} broken, {len(reloads) - broken} good"
    )
    print(f"reload refusals    {refused} admin notices, {log_text.count('reload refused')} in log")
    print(f"bot exit code      {code}")
    for line in lines:
        if " ERROR " in line:
            print(f"  {line[:160]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    # Each answer is one or two messages and Telegram allows about 30 a second in all.
    parser.add_argument("--rate", type=float, default=10.0, help="messages a second")
    parser.add_argument("--chats", type=int, default=1000, help="more than messages: exact")
    parser.add_argument("--faults", type=float, default=0.15, help="share of sendMessage calls")
    parser.add_argument("--reload-every", type=float, default=10.0)
    parser.add_argument("--drain", type=float, default=45.0, help="seconds to wait for replies")
    parser.add_argument("--seed", type=int, default=1)
    return asyncio.run(soak(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
