"""Serve the stand-in's FakeApi over real HTTP on 127.0.0.1, as Telegram's Bot API server would.

It speaks `/bot<token>/<method>` with JSON, form or query parameters, as python-telegram-bot
sends them, answers with Telegram's result and error JSON, long-polls getUpdates, injects the
faults a test asks for and POSTs updates to a webhook. Pure stdlib asyncio plus httpx; it
never imports telegram. The control API tests drive is `StandIn`, in standin.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import httpx

from bot.telegram.standin.api import ApiError, FakeApi
from bot.telegram.standin.faults import Fault, FaultPlan, fault_response
from bot.telegram.standin.wire import coerce, http_response, parse_body

# Logged under the stand-in's name, as before the split.
log = logging.getLogger("bot.telegram.standin.control")

DEFAULT_TOKEN = "123456789:AAHstandinTOKENforTESTSonly_abcdefgh"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made, with the parameters it sent."""

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    status: int


class FakeServer:
    """The HTTP side of the stand-in: one FakeApi, served on a free port of 127.0.0.1."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        username: str = "SignpostTestBot",
        strict_entities: bool = True,
        latency: float = 0.0,
    ) -> None:
        self.latency = latency  # seconds added to every answer but getUpdates, like a network
        self.token = token
        self.api = FakeApi(
            bot_id=int(token.split(":")[0]), username=username, strict_entities=strict_entities
        )
        self.calls: list[Call] = []
        self.webhook_statuses: list[int] = []
        self.port = 0
        self.faults = FaultPlan()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._waiters: set[asyncio.Future[None]] = set()
        self._poll_generation = 0
        self._webhook_queue: asyncio.Queue[dict[str, Any]] | None = None
        self._client: httpx.AsyncClient | None = None

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """The value for python-telegram-bot's `base_url` (the token is appended to it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def username(self) -> str:
        return self.api.username

    async def start(self) -> Self:
        self._webhook_queue = asyncio.Queue()
        self._client = httpx.AsyncClient(timeout=10)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._spawn(self._deliver_webhooks())
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        if self._client is not None:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _spawn(self, coro: Any) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                request_line, *lines = head.decode("latin-1").split("\r\n")
                verb, target, _ = [*request_line.split(" ", 2), "", ""][:3]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (ln.partition(":") for ln in lines if ln)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                reply = await self._respond(verb, target, headers, body)
                if reply is None:  # an injected hang: drop the request like a lost packet
                    return
                writer.write(reply)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            # Closing the stand-in: end quietly (a cancelled connection task trips asyncio's
            # stream callback in Python 3.11).
            return
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _respond(
        self, verb: str, target: str, headers: dict[str, str], body: bytes
    ) -> bytes | None:
        parts = urlsplit(target)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)/?", parts.path)
        if match is None:
            return http_response(404, ApiError(404, "Not Found").body())
        if match.group(1) != self.token:
            return http_response(401, ApiError(401, "Unauthorized").body())
        method = match.group(2)
        try:
            params = {**coerce(dict(parse_qsl(parts.query))), **parse_body(headers, body)}
        except ValueError as err:
            return http_response(
                400, {"ok": False, "error_code": 400, "description": f"Bad Request: {err}"}
            )
        if self.latency and method.lower() != "getupdates":
            await asyncio.sleep(self.latency)
        fault = self.faults.take(method)
        if fault is not None and fault.kind in {"hang", "drop"}:
            self._record(method, params, 0)  # status 0: never answered
            await asyncio.sleep(fault.seconds)
            return None
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.seconds)
        elif fault is not None:
            self._record(method, params, fault.status)
            return fault_response(fault, parts.path)
        try:
            if method.lower() == "getupdates":
                result = await self._get_updates(params)
            else:
                result = self.api.call(method, params)
                if method.lower() in {"setwebhook", "deletewebhook"} and self.api.webhook.get(
                    "url"
                ):
                    for update in self.api.pending(self.api.webhook.get("allowed_updates")):
                        self._webhook_queue.put_nowait(update)  # type: ignore[union-attr]
        except ApiError as err:
            self._record(method, params, err.code)
            return http_response(err.code, err.body())
        self._record(method, params, 200)
        return http_response(200, {"ok": True, "result": result})

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        if method.lower() != "getupdates":
            self.calls.append(Call(method, params, time.monotonic(), status))
            self._notify()

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_until(self, predicate: Callable[[], object], seconds: float = 5.0) -> None:
        """Wait until predicate() holds; raise TimeoutError after `seconds`."""
        async with asyncio.timeout(seconds):
            while not predicate():
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.add(waiter)
                await waiter

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.api.webhook.get("url"):
            raise ApiError(409, WEBHOOK_ACTIVE)
        if "offset" in params:
            self.api.confirm(int(params["offset"]))
        allowed = params.get("allowed_updates")
        limit = int(params.get("limit", 100) or 100)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wakes an older long poll, which then answers 409 as Telegram does
        with contextlib.suppress(TimeoutError):
            await self.wait_until(
                lambda: bool(self.api.pending(allowed)) or generation != self._poll_generation,
                float(params.get("timeout", 0) or 0),
            )
        if generation != self._poll_generation:
            raise ApiError(409, CONFLICT)
        return self.api.pending(allowed)[:limit]

    # ------------------------------------------------------------ faults

    def fail(
        self, method: str, *, times: int = 1, status: int = 429, retry_after: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` with a 429 (retry_after) or a JSON 5xx."""
        fault = Fault.too_many(retry_after) if status == 429 else Fault.json_error(status)
        self.faults.queue(method, fault, times)

    def hang(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next `times` calls of `method` for `seconds`, then drop them unanswered."""
        self.faults.queue(method, Fault.hang(seconds), times)

    def schedule(self, *plan: tuple[str, int, Fault]) -> None:
        """Fail the nth call of a method: `schedule(("sendMessage", 3, Fault.html(502)))`.

        Calls are counted per method from 1 since the stand-in started, faulted ones included,
        so ("sendMessage", 3, ...) and ("sendMessage", 4, ...) hit one reply twice in a row.
        """
        self.faults.schedule(plan)

    async def post_webhook(
        self, update: dict[str, Any], *, secret_token: str | None = None, url: str | None = None
    ) -> int:
        """POST one update to the webhook as Telegram would; return the HTTP status."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        response = await self._client.post(
            url or self.api.webhook["url"], json=update, headers=headers
        )  # type: ignore[union-attr]
        return response.status_code

    async def _deliver_webhooks(self) -> None:
        while True:
            update = await self._webhook_queue.get()  # type: ignore[union-attr]
            webhook = self.api.webhook
            if not webhook.get("url"):
                continue
            try:
                status = await self.post_webhook(update, secret_token=webhook.get("secret_token"))
            except httpx.HTTPError as err:
                log.warning("webhook delivery failed: %s", type(err).__name__)
                status = 0
            self.webhook_statuses.append(status)
            if status == 200:
                self.api.confirm(update["update_id"] + 1)
            self._notify()
