"""`run()` itself, in a child process: real run_polling, real signals, real exit codes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap

import pytest

from bot.telegram.standin.control import StandIn

CHILD = textwrap.dedent(
    """
    import logging, sys
    from bot.telegram.app import run
    from bot.telegram.app import settings_from_env
    from bot.core.model import Reply
    from bot.state.store import MemoryStore

    async def handle(chat_id, event):
        return [Reply("echo: " + event.text)]

    logging.basicConfig(level=logging.WARNING)
    env = {"TELEGRAM_BOT_TOKEN": sys.argv[1], "TELEGRAM_BOT_API_URL": sys.argv[2],
           "ADMIN_CHAT_IDS": "1001"}
    settings = settings_from_env(env, webhook=False)
    sys.exit(run(settings, handle=handle, store=MemoryStore(),
                 reload=lambda: ["intents/x.yaml:1: broken"]))
    """
)


async def start_child(token: str, api: StandIn) -> asyncio.subprocess.Process:
    env = {**os.environ, "PTB_TIMEDELTA": "true"}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        token,
        f"http://127.0.0.1:{api.port}",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
class TestRun:
    async def test_polls_answers_reloads_on_sighup_and_stops_on_sigterm(self) -> None:
        """The deployed entry point answers, reloads on SIGHUP, and exits 0 on SIGTERM."""
        async with StandIn() as api:
            child = await start_child(api.token, api)
            try:
                await api.wait_until(lambda: api.calls_of("setMyCommands"), 20)
                api.push_text(1001, "hello")
                await api.wait_sent(1001, 1, 10)
                child.send_signal(signal.SIGHUP)
                [_, notice] = await api.wait_sent(1001, 2, 10)
                child.send_signal(signal.SIGTERM)
                _, stderr = await asyncio.wait_for(child.communicate(), 20)
            finally:
                if child.returncode is None:
                    child.kill()
                    await child.wait()
        assert child.returncode == 0
        assert StandIn.plain(api.sent(1001)[0]) == "echo: hello"
        assert "intents/x.yaml:1: broken" in StandIn.plain(notice)
        assert api.token.split(":")[1] not in stderr.decode()

    async def test_a_refused_token_exits_2(self) -> None:
        """A token Telegram does not accept ends the run with exit code 2 and a clear line."""
        async with StandIn() as api:
            child = await start_child("987654321:" + "A" * 35, api)
            _, stderr = await asyncio.wait_for(child.communicate(), 30)
        assert child.returncode == 2
        assert "Telegram rejected the token: check TELEGRAM_BOT_TOKEN" in stderr.decode()
