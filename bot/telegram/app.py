"""The Telegram channel: build and run the python-telegram-bot v22 Application.

Wires the adapter (tg_adapter.py: updates become `bot.core.model.Event`s for the core's
`handle(chat_id, event)`, replies become HTML messages with inline keyboards) into PTB, with
our limits, time-outs and log hygiene. Dialogue lives in the core.

Run it (see docs/telegram.md):

    TELEGRAM_BOT_TOKEN=123:abc python -m bot run             # long polling
    WEBHOOK_URL=https://x.example/tg PORT=8443 WEBHOOK_SECRET=s python -m bot run --webhook

Groups: only commands, @mentions and replies to the bot are answered, with a button that
opens a private chat. `kill -HUP <pid>` or /reload from an admin chat reloads the content.
"""

from __future__ import annotations

import datetime as dtm
import logging
from collections.abc import Callable

from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application

from bot.telegram.adapter import (
    CLEAR_DATA,
    COMMANDS,
    FLOOD_NOTICE,
    SORRY,
    Handler,
    Reload,
    TelegramAdapter,
)
from bot.telegram.deliver import MessageLog
from bot.telegram.format import redact
from bot.telegram.loghygiene import WithholdPayloads, install_log_hygiene
from bot.telegram.priority import PriorityUpdateProcessor
from bot.telegram.settings import SettingsError, TelegramSettings, settings_from_env
from bot.telegram.webhook import GuardedUpdater

__all__ = [
    "CLEAR_DATA",
    "COMMANDS",
    "FLOOD_NOTICE",
    "SORRY",
    "Handler",
    "Reload",
    "SettingsError",
    "TelegramAdapter",
    "TelegramSettings",
    "build_application",
    "quiet_loggers",
    "run",
    "settings_from_env",
]

log = logging.getLogger(__name__)


_WithholdPayloads = WithholdPayloads  # the name it had before moving to tg_logging.py
_WITHHOLD = WithholdPayloads()


def quiet_loggers() -> None:
    """Keep the token and user text out of the logs python-telegram-bot and httpx write."""
    for name in ("httpx", "httpcore"):  # request lines carry the token in the URL
        logging.getLogger(name).setLevel(logging.WARNING)
    bot_log = logging.getLogger("telegram.Bot")  # logs the base URL and call parameters
    if bot_log.getEffectiveLevel() < logging.INFO:
        bot_log.setLevel(logging.INFO)
    for name in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater"):
        logger = logging.getLogger(name)
        if _WITHHOLD not in logger.filters:
            logger.addFilter(_WITHHOLD)


def build_application(
    settings: TelegramSettings,
    *,
    handle: Handler,
    store: MessageLog,
    reload: Reload,
    adapter: TelegramAdapter | None = None,
    texts: Callable[[str], str] | None = None,
    is_crisis: Callable[[str], bool] | None = None,
) -> Application:
    """Build the PTB Application with our callbacks, limits and time-outs.

    `is_crisis` is the live engine's safety screen: crisis messages skip the flood guard and
    are processed ahead of queued ordinary ones (tg_priority.py).
    """
    quiet_loggers()
    adapter = adapter or TelegramAdapter(
        settings, handle=handle, store=store, reload=reload, texts=texts, is_crisis=is_crisis
    )
    timeout = settings.request_timeout
    builder = (
        Application.builder()
        .token(settings.token)
        .concurrent_updates(PriorityUpdateProcessor(settings.concurrency, adapter.is_urgent))
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .post_init(adapter.post_init)
        .post_shutdown(adapter.post_shutdown)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
        if settings.base_file_url:
            builder = builder.base_file_url(settings.base_file_url)
    if settings.rate_limit:
        # The limiter paces sends; a 429 goes straight on to with_retry, which honours
        # retry_after within its bounded budget (so the two never wait twice).
        builder = builder.rate_limiter(AIORateLimiter(max_retries=0))
    app = builder.updater(None).build()
    # PTB's Updater with a webhook server that checks the secret before reading a body.
    updater = GuardedUpdater(bot=app.bot, update_queue=app.update_queue)
    updater.ready = lambda: app.running
    app.updater = updater
    adapter.install(app)
    return app


def run(
    settings: TelegramSettings,
    *,
    handle: Handler,
    store: MessageLog,
    reload: Reload,
    texts: Callable[[str], str] | None = None,
    is_crisis: Callable[[str], bool] | None = None,
) -> int:
    """Connect and serve until stopped (Ctrl-C / SIGTERM); return the exit code."""
    install_log_hygiene(settings.token)
    app = build_application(
        settings, handle=handle, store=store, reload=reload, texts=texts, is_crisis=is_crisis
    )
    try:
        if settings.webhook:
            app.run_webhook(
                listen=settings.listen,
                port=settings.port,
                url_path=settings.webhook_path,
                webhook_url=settings.webhook_url,
                secret_token=settings.secret,
            )
        else:
            app.run_polling(timeout=dtm.timedelta(seconds=settings.poll_timeout))
    except InvalidToken:
        log.error("Telegram rejected the token: check TELEGRAM_BOT_TOKEN")
        return 2
    except NetworkError as err:
        log.error("cannot reach Telegram: %s", redact(str(err), settings.token))
        return 1
    return 0
