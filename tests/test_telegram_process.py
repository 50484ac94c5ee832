"""`python -m bot run` as a real process against the stand-in: what an operator sees.

The token never shows (any case, URL-encoded), start-up failures are one line, and the
webhook refuses strangers and oversized bodies from the headers, without buffering them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.telegram.standin.control import Fault, StandIn

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX processes")
ROOT = Path(__file__).resolve().parent.parent
BAD_TOKEN = "987654321:AAFrejectedTOKENabcdefghijklmnopqrs"
SECRET = "hook-secret_0123456789"
MB = 1 << 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_bot(
    tmp_path: Path, api_url: str, token: str, *args: str, **env: str
) -> asyncio.subprocess.Process:
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PTB_TIMEDELTA": "true",
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_BOT_API_URL": api_url,
        "BOT_DB": str(tmp_path / "state.db"),
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def finish(child: asyncio.subprocess.Process, *, stop: bool = False) -> str:
    """Stop the child (SIGTERM) if asked; return everything it printed."""
    if stop and child.returncode is None:
        child.send_signal(signal.SIGTERM)
    try:
        out, _ = await asyncio.wait_for(child.communicate(), 30)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    return out.decode()


def assert_no_token(output: str, token: str) -> None:
    lowered = output.lower()
    for form in (token, token.partition(":")[2], quote(token, safe="")):
        assert form.lower() not in lowered


class TestStartUpFailures:
    async def test_a_rejected_token_is_one_line_and_exit_2(self, tmp_path) -> None:
        """Telegram's 401: no traceback, no token, one line naming the variable."""
        async with StandIn() as api:
            child = await start_bot(tmp_path, f"http://127.0.0.1:{api.port}", BAD_TOKEN, "run")
            output = await finish(child)
        assert child.returncode == 2
        lines = output.strip().splitlines()
        assert len(lines) == 1, output
        assert lines[0].endswith("Telegram rejected the token: check TELEGRAM_BOT_TOKEN")
        assert_no_token(output, BAD_TOKEN)

    async def test_an_unreachable_api_is_one_line(self, tmp_path) -> None:
        child = await start_bot(tmp_path, f"http://127.0.0.1:{free_port()}", BAD_TOKEN, "run")
        output = await finish(child)
        assert child.returncode == 1
        lines = output.strip().splitlines()
        assert len(lines) == 1, output
        assert "cannot reach Telegram" in lines[0]

    @pytest.mark.parametrize(("status", "code"), [(404, 2), (502, 1)])
    async def test_an_error_page_that_echoes_the_path_never_shows_the_token(
        self, tmp_path, status, code
    ) -> None:
        """A proxy's page quoting /bot<token>/getMe: the token is redacted, even at -v."""
        async with StandIn() as api:
            api.schedule(("getMe", 1, Fault.echo(status)))
            child = await start_bot(
                tmp_path, f"http://127.0.0.1:{api.port}", api.token, "-v", "run"
            )
            output = await finish(child)
        assert child.returncode == code
        assert "/bot<token>" in output  # the debug URL line, redacted
        assert_no_token(output, api.token)


class TestRunning:
    async def test_debug_logs_and_faults_never_show_the_token(self, tmp_path) -> None:
        """-v with flood waits and HTML 502s: replies arrive, no token, no traceback."""
        async with StandIn() as api:
            api.schedule(
                ("sendMessage", 1, Fault.html(502)),
                ("sendMessage", 2, Fault.too_many(1)),
            )
            child = await start_bot(
                tmp_path, f"http://127.0.0.1:{api.port}", api.token, "-v", "run"
            )
            try:
                await api.wait_until(lambda: api.calls_of("setMyCommands"), 30)
                api.push_text(1001, "someone took over my email")
                await api.wait_sent(1001, 1, 15)
            finally:
                output = await finish(child, stop=True)
        assert child.returncode == 0
        assert "/bot<token>" in output  # PTB's debug line is still there, redacted
        assert_no_token(output, api.token)
        assert "Traceback" not in output
        warnings = [line for line in output.splitlines() if " WARNING " in line]
        assert any("sendMessage: HTTP 502 on attempt 1" in line for line in warnings)
        assert any("sendMessage: flood wait 1s on attempt 2" in line for line in warnings)


async def raw_post(port: int, path: str, headers: dict[str, str], size: int, *, chunked=False):
    """POST `size` bytes in 1 MB pieces, stopping once an answer comes; (status, bytes sent)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
    head = "".join(f"{k}: {v}\r\n" for k, v in {**headers, **framing}.items())
    writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
    answer = asyncio.ensure_future(reader.readline())
    piece, sent = b"{" * (64 * 1024), 0
    try:
        await asyncio.wait({answer}, timeout=0.5)  # a server that decides on headers answers now
        while sent < size and not answer.done():
            data = piece[: size - sent]
            writer.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            await writer.drain()
            sent += len(data)
            await asyncio.wait({answer}, timeout=0.02)
    except ConnectionError:
        pass
    try:
        status = await asyncio.wait_for(answer, 60)
    except ConnectionError:
        status = b"closed 0"
    writer.close()
    return int(status.split()[1]), sent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
class TestWebhook:
    async def test_strangers_and_big_bodies_are_refused_before_reading(self, tmp_path) -> None:
        """403/404/413 come back on the headers; 4 x 64 MB bodies leave memory flat."""
        port = free_port()
        hook = {"Content-Type": "application/json"}
        async with StandIn() as api:
            child = await start_bot(
                tmp_path,
                f"http://127.0.0.1:{api.port}",
                api.token,
                "run",
                "--webhook",
                WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                PORT=str(port),
                WEBHOOK_SECRET=SECRET,
                WEBHOOK_LISTEN="127.0.0.1",
            )
            try:
                await api.wait_until(lambda: api.api.webhook.get("url"), 30)
                await wait_healthy(port)
                before = rss_mb(child.pid)
                results = [await raw_post(port, "/hook", hook, 64 * MB) for _ in range(4)]
                wrong = await raw_post(port, "/hook", {**hook, **secret("nope")}, 64 * MB)
                elsewhere = await raw_post(port, "/upload", hook, 64 * MB)
                too_big = await raw_post(port, "/hook", {**hook, **secret(SECRET)}, 2 * MB)
                chunked = await raw_post(
                    port, "/hook", {**hook, **secret(SECRET)}, 8 * MB, chunked=True
                )
                grown = rss_mb(child.pid) - before
                api.push_text(1001, "still there?")  # real updates still arrive and are answered
                await api.wait_sent(1001, 1, 15)
                health = await raw_get(port, "/healthz")
            finally:
                output = await finish(child, stop=True)
        assert [status for status, _ in results] == [403] * 4
        assert all(sent < 64 * MB for _, sent in results)  # answered before the body was in
        assert wrong[0] == 403
        assert elsewhere[0] == 404
        assert too_big[0] == 413
        assert chunked[0] == 413
        assert chunked[1] < 8 * MB
        assert grown < 30, f"RSS grew {grown:.1f} MB"
        assert health == (200, "ok\n")
        assert_no_token(output, api.token)


def secret(value: str) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": value}


async def raw_get(port: int, path: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = data.decode().partition("\r\n\r\n")
    return int(head.split()[1]), body


async def wait_healthy(port: int) -> None:
    async with asyncio.timeout(20):
        while True:
            try:
                if (await raw_get(port, "/healthz"))[0] == 200:
                    return
            except (ConnectionError, IndexError):
                pass
            await asyncio.sleep(0.1)


class TestHealth:
    async def test_healthz_is_503_until_ready_then_a_bare_ok(self) -> None:
        """The probe says only "ok" or "starting": no version, token or chat counts."""
        from bot.telegram.webhook import GuardedWebhookApp, GuardedWebhookServer

        state = {"ready": False}
        port = free_port()
        app = GuardedWebhookApp(
            "/hook", None, asyncio.Queue(), SECRET, ready=lambda: state["ready"]
        )
        server = GuardedWebhookServer("127.0.0.1", port, app, None)
        await server.serve_forever()
        try:
            starting = await raw_get(port, "/healthz")
            state["ready"] = True
            ready = await raw_get(port, "/healthz")
        finally:
            await server.shutdown()
        assert starting == (503, "starting\n")
        assert ready == (200, "ok\n")
