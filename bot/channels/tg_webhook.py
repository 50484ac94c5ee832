"""python-telegram-bot's webhook server, made to check a request before it reads the body.

PTB's `TelegramHandler` lets tornado buffer the whole body (up to 100 MB) and only then looks
at the secret, so a stranger can make the bot hold hundreds of megabytes. Here the handler
streams (`@stream_request_body`): `prepare()` sees only the path and headers, refuses a wrong
or missing secret with 403 and a body over MAX_BODY with 413 before a byte of it is read,
and a chunked body is counted as it comes and cut off at MAX_BODY. Every other path gets 404
the same way. `GET /healthz` answers "ok" (200) once the bot is serving, 503 before.

`GuardedUpdater` is PTB's Updater with only the webhook server swapped; the rest of PTB
(setWebhook, update queue, run_webhook, shutdown) is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from socket import socket
from ssl import SSLContext
from typing import Any

import tornado.web
from telegram.ext import Updater
from telegram.ext._utils.webhookhandler import TelegramHandler, WebhookAppClass, WebhookServer
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # Telegram's updates are a few kilobytes; 1 MB is generous
HEALTH_PATH = "/healthz"


@tornado.web.stream_request_body
class _GuardedTelegramHandler(TelegramHandler):
    """PTB's handler, deciding on the headers alone and keeping at most MAX_BODY bytes."""

    def prepare(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._validate_post()  # JSON content type and the secret token, else 403
        length = self.request.headers.get("Content-Length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self._size += len(chunk)
        if self._size > MAX_BODY:  # a chunked body that keeps coming
            self._chunks.clear()
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self._chunks.append(chunk)

    async def post(self) -> None:
        self.request.body = b"".join(self._chunks)
        await super().post()


@tornado.web.stream_request_body
class _NotHere(tornado.web.RequestHandler):
    """Any other path or method: 404 from the headers, the body never read."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def prepare(self) -> None:
        raise tornado.web.HTTPError(HTTPStatus.NOT_FOUND)

    def data_received(self, chunk: bytes) -> None:
        return None


@tornado.web.stream_request_body
class _Health(tornado.web.RequestHandler):
    """A load balancer's probe: "ok" when serving, nothing else about the bot."""

    SUPPORTED_METHODS = ("GET", "HEAD")

    def initialize(self, ready: Callable[[], bool]) -> None:
        self.ready = ready

    def data_received(self, chunk: bytes) -> None:
        return None

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if self.ready():
            self.finish("ok\n")
        else:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            self.finish("starting\n")

    def head(self) -> None:
        self.set_status(HTTPStatus.OK if self.ready() else HTTPStatus.SERVICE_UNAVAILABLE)


class GuardedWebhookApp(WebhookAppClass):
    """PTB's tornado app with the guarded handler, a health check and 404 for the rest."""

    def __init__(
        self,
        webhook_path: str,
        bot: Any,
        update_queue: asyncio.Queue,
        secret_token: str | None = None,
        *,
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        self.shared_objects = {
            "bot": bot,
            "update_queue": update_queue,
            "secret_token": secret_token,
        }
        handlers = [
            (rf"{webhook_path}/?", _GuardedTelegramHandler, self.shared_objects),
            (HEALTH_PATH, _Health, {"ready": ready}),
            (r".*", _NotHere),
        ]
        tornado.web.Application.__init__(self, handlers)  # type: ignore[arg-type]


class GuardedWebhookServer(WebhookServer):
    """PTB's server wrapper, with tornado's own body limit as a second line of defence."""

    def __init__(
        self,
        listen: str,
        port: int,
        webhook_app: WebhookAppClass,
        ssl_ctx: SSLContext | None,
        unix: str | Path | socket | None = None,
    ) -> None:
        super().__init__(listen, port, webhook_app, ssl_ctx, unix)
        self._http_server = HTTPServer(
            webhook_app, ssl_options=ssl_ctx, max_body_size=2 * MAX_BODY, body_timeout=30.0
        )


class GuardedUpdater(Updater):
    """PTB's Updater whose webhook server checks headers before reading a body."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ready: Callable[[], bool] = lambda: False  # set by build_application

    async def _start_webhook(  # type: ignore[override]
        self,
        listen: str,
        port: int,
        url_path: str,
        bootstrap_retries: int,
        allowed_updates: Any,
        cert: Any = None,
        key: Any = None,
        drop_pending_updates: bool | None = None,
        webhook_url: str | None = None,
        ready: asyncio.Event | None = None,
        ip_address: str | None = None,
        max_connections: int = 40,
        secret_token: str | None = None,
        unix: Any = None,
    ) -> None:
        if cert is not None or key is not None:  # TLS at the bot itself: PTB's own path
            await super()._start_webhook(
                listen, port, url_path, bootstrap_retries, allowed_updates, cert, key,
                drop_pending_updates, webhook_url, ready, ip_address, max_connections,
                secret_token, unix,
            )  # fmt: skip
            return
        url_path = "/" + url_path.lstrip("/")
        app = GuardedWebhookApp(
            url_path, self.bot, self.update_queue, secret_token, ready=lambda: self.ready()
        )
        self._httpd = GuardedWebhookServer(listen, port, app, None, unix)
        if not webhook_url:
            webhook_url = self._gen_webhook_url("http", listen, port, url_path)
        await self._bootstrap(
            cert=None,
            max_retries=bootstrap_retries,
            drop_pending_updates=drop_pending_updates,
            webhook_url=webhook_url,
            allowed_updates=allowed_updates,
            ip_address=ip_address,
            max_connections=max_connections,
            secret_token=secret_token,
        )
        await self._httpd.serve_forever(ready=ready)
