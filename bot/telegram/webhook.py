"""python-telegram-bot's webhook server, made to check a request before it reads the body.

PTB's `TelegramHandler` lets tornado buffer the whole body (up to 100 MB) and only then looks
at the secret, so a stranger can make the bot hold hundreds of megabytes. Here the handler
streams (`@stream_request_body`): `prepare()` sees only the path and headers, refuses a wrong
or missing secret with 403 and a body over MAX_BODY with 413 before a byte of it is read,
and a chunked body is counted as it comes and cut off at MAX_BODY. Every other path gets 404
the same way. `GET /healthz` answers "ok" (200) once the bot is serving, 503 before.

A body that is not JSON, not an update, or an update whose fields have the wrong types (Telegram
never sends one; a forger with the secret might) gets 400 and never reaches the adapter. PTB's
own handler answered 500 to the first and queued the last, where the adapter then crashed.

`GuardedUpdater` is PTB's Updater with only the webhook server swapped; the rest of PTB
(setWebhook, update queue, run_webhook, shutdown) is unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from socket import socket
from ssl import SSLContext
from typing import Any, NoReturn

import tornado.web
from telegram import Message, MessageEntity, Update
from telegram.ext import ExtBot, Updater
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
        """PTB's post, answering 400 (never 500) to a body it cannot make a sound update of."""
        try:
            data = json.loads(b"".join(self._chunks))
        except (ValueError, RecursionError) as err:  # bad UTF-8 or JSON, or nested too deep
            self._refuse(f"a body that is not JSON ({type(err).__name__})")
        if not isinstance(data, dict):
            self._refuse(f"JSON that is not an update ({type(data).__name__})")
        try:
            update = Update.de_json(data, self.bot)
        except Exception as err:  # PTB's parser meets a shape it cannot build
            self._refuse(f"an update PTB cannot parse ({type(err).__name__})")
        try:
            problem = update_problem(update)
        except Exception as err:  # a shape the check did not foresee: still a 400, never a 500
            problem = f"shape ({type(err).__name__})"
        if problem:
            self._refuse(f"an update with a malformed {problem}")
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(update)
        await self.update_queue.put(update)

    def _refuse(self, what: str) -> NoReturn:
        log.warning("webhook: refused %s", what)  # never the body: it is what people wrote
        raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST, reason="Update could not be processed")


def _int(value: object) -> bool:
    return type(value) is int


def _text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _message_problem(message: Message, depth: int = 0) -> str | None:
    if not _int(message.message_id):
        return "message_id"
    chat = message.chat  # None when the dict had no "chat": PTB does not insist
    if chat is None or not (_int(chat.id) and isinstance(chat.type, str)):
        return "chat"
    if message.from_user is not None and not _int(message.from_user.id):
        return "sender"
    if not (_text(message.text) and _text(message.caption)):
        return "text"
    for entity in (*(message.entities or ()), *(message.caption_entities or ())):
        if not (isinstance(entity, MessageEntity) and _entity_ok(entity)):
            return "entity"
    replied = message.reply_to_message
    if replied is not None and depth < 2:
        return _message_problem(replied, depth + 1)
    return None


def _entity_ok(entity: MessageEntity) -> bool:
    user_ok = entity.user is None or _int(entity.user.id)
    return isinstance(entity.type, str) and _int(entity.offset) and _int(entity.length) and user_ok


def update_problem(update: Update) -> str | None:
    """Name the first field the adapter or PTB reads that has the wrong type, else None.

    PTB builds an Update from any dict without checking types, so `"text": 5` or a chat id
    of "abc" would reach the adapter and make it raise. Only what they read is checked.
    """
    if not _int(update.update_id):
        return "update_id"
    messages: list[Message | None] = [
        update.message,
        update.edited_message,
        update.channel_post,
        update.edited_channel_post,
        update.business_message,
        update.edited_business_message,
    ]
    query = update.callback_query
    if query is not None:
        if not (_text(query.data) and isinstance(query.id, str)):
            return "callback query"
        held = query.message
        if isinstance(held, Message):
            messages.append(held)
        elif held is not None and not (held.chat and _int(held.chat.id)):
            return "callback message"
    for message in messages:
        problem = _message_problem(message) if message is not None else None
        if problem:
            return problem
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and not (_int(chat.id) and isinstance(chat.type, str)):
        return "chat"
    if user is not None and not _int(user.id):
        return "user"
    return None


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
