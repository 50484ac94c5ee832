"""The PTB callbacks: one Telegram update in, the core's replies out as messages.

A thin adapter: updates become `bot.core.model.Event`s for `handle(chat_id, event)`, and the
returned `Reply`s are delivered by the Courier. Dialogue lives in the core; building and
running the Application lives in telegram.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import traceback
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.model import Event, Reply
from bot.telegram.deliver import Courier, MessageLog
from bot.telegram.format import event_from_message, redact
from bot.telegram.guard import FloodGuard, with_retry
from bot.telegram.priority import CRISIS, ORDINARY, PriorityGate
from bot.telegram.reload import reload_notice, reload_off_loop
from bot.telegram.settings import TelegramSettings

# Logged under the channel's name, as before the split: operators filter on it.
log = logging.getLogger("bot.telegram.app")

Handler = Callable[[int, Event], Awaitable[list[Reply]]]
Reload = Callable[[], list[str]]

COMMANDS = (
    ("start", "Start again"),
    ("menu", "Show what I can help with"),
    ("report", "Where to report a crime"),
    ("support", "Where to get support"),
    ("protect", "How to protect yourself"),
    ("privacy", "What I keep about you"),
    ("forget", "Delete what I know about this chat"),
    ("help", "How to use this bot"),
    ("cancel", "Stop the current question"),
)
CLEAR_DATA = "clear"
FLOOD_NOTICE = (
    "You are sending messages very fast, so I will pause for a minute. "
    "Then send me your message again. If you are in danger now, call 999."
)
SORRY = (
    "Sorry, something went wrong on my side. Please try again. If you are in danger now, call 999."
)
_PRESSED_MEMORY = 10_000
RELOAD_WAIT = 60.0  # seconds a reload may take before the admins are told it failed


class TelegramAdapter:
    """Holds the PTB callbacks; everything the user sees comes from `handle`."""

    reload_wait: float = RELOAD_WAIT

    def __init__(
        self,
        settings: TelegramSettings,
        *,
        handle: Handler,
        store: MessageLog,
        reload: Reload,
        flood: FloodGuard | None = None,
        clock: Callable[[], float] = time.time,
        on_update_done: Callable[[Update], None] | None = None,
        texts: Callable[[str], str] | None = None,
        is_crisis: Callable[[str], bool] | None = None,
    ) -> None:
        self.settings = settings
        # The live engine's safety screen (looked up at each call, so a reload applies).
        self.is_crisis = is_crisis or (lambda _text: False)
        # The engine's own wording (responses/system.yaml), read at use so a reload applies.
        self.texts = texts
        self.handle = handle
        self.store = store
        self.reload = reload
        self.flood = flood or FloodGuard()
        self.clock = clock
        self.on_update_done = on_update_done
        self.courier: Courier | None = None
        self._locks: dict[int, tuple[PriorityGate, int]] = {}
        self._pressed: OrderedDict[tuple[int, int], None] = OrderedDict()

    def _describe(self, command: str, default: str) -> str:
        """A command's menu description from responses/system.yaml when there is one."""
        return self.texts(f"command_{command}") if self.texts else default

    # ------------------------------------------------------------ lifecycle

    def install(self, app: Application) -> None:
        # New and edited messages alike: someone who edits "hi" into a cry for help must be
        # answered as if they had sent it (groups still answer only what is addressed to us).
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGES, self.on_message))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(TypeHandler(Update, self.on_ignored))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        """Start-up: learn our username, publish the command menu, listen for SIGHUP."""
        bot = app.bot
        self.courier = Courier(
            bot,
            self.store,
            username=bot.username,
            attempts=self.settings.retry_attempts,
            base_delay=self.settings.retry_base_delay,
            clock=self.clock,
        )
        if callable(getattr(self.store, "open", None)):
            await self.store.open()  # type: ignore[attr-defined]
        try:
            commands = [BotCommand(name, self._describe(name, text)) for name, text in COMMANDS]
            await with_retry(lambda: bot.set_my_commands(commands), what="setMyCommands")
        except TelegramError as err:
            log.warning("setMyCommands failed: %s", type(err).__name__)
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: app.create_task(self.run_reload(None))
            )
        log.info("Telegram adapter ready as @%s", bot.username)

    async def post_shutdown(self, app: Application) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if callable(getattr(self.store, "close", None)):
            await self.store.close()  # type: ignore[attr-defined]

    # ------------------------------------------------------------ callbacks

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A new or edited message: map it, guard it, pass it to the core, deliver replies."""
        message = update.effective_message
        try:
            if message is None:
                return
            chat_id = message.chat.id
            bot = context.bot
            event = event_from_message(message, bot_id=bot.id, username=bot.username)
            if event is None:
                return  # group chatter, another bot's command, a service message
            # The safety screen runs before anything may drop or delay the message.
            urgent = event.kind not in {"command", "button"} and self._crisis(event.text)
            async with self._chat_lock(chat_id, CRISIS if urgent else ORDINARY):
                if not await self._admit(chat_id, urgent=urgent):
                    return
                if not event.is_group and update.edited_message is None:
                    await self.courier.record(chat_id, message.message_id)  # type: ignore[union-attr]
                if self._is_admin_reload(chat_id, event):
                    await self.run_reload(chat_id)
                    return
                if event.kind == "command" and event.text == "/forget" and not event.is_group:
                    await self.courier.clear(chat_id)  # type: ignore[union-attr]
                reply_to = message.message_id if event.is_group else None
                await self._turn(chat_id, event, reply_to=reply_to)
        finally:
            self._done(update)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: answer it at once, take the keyboard away, then do the work."""
        query = update.callback_query
        try:
            if query is None:
                return
            with contextlib.suppress(TelegramError):
                await query.answer()  # first, so the button stops spinning whatever happens
            message = query.message
            if message is None or query.data is None:
                return  # an inline-mode or game button: nothing of ours
            chat_id = message.chat.id
            async with self._chat_lock(chat_id):
                key = (chat_id, message.message_id)
                if key in self._pressed:
                    return  # a second press on a keyboard we already took away
                self._remember_press(key)
                if not await self._admit(chat_id):
                    return
                await self.courier.remove_keyboard(chat_id, message.message_id)  # type: ignore[union-attr]
                group = message.chat.type in {"group", "supergroup"}
                if query.data == CLEAR_DATA and not group:
                    await self.courier.clear(chat_id)  # type: ignore[union-attr]
                await self._turn(chat_id, Event("button", query.data, is_group=group))
        finally:
            self._done(update)

    async def on_ignored(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Channel posts, membership changes and the like: deliberately left alone."""
        try:
            kinds = [k for k, v in update.to_dict().items() if k != "update_id" and v]
            log.debug("ignored update %s of type %s", update.update_id, ",".join(kinds))
        finally:
            self._done(update)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a fault by type and place only: no message text, no token."""
        err = context.error
        update_id = getattr(update, "update_id", None)
        if isinstance(err, TelegramError):
            log.error("update %s: %s", update_id, redact(str(err), self.settings.token))
            return
        frames = traceback.extract_tb(err.__traceback__) if err else []
        where = " <- ".join(
            f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames[::-1][:6]
        )
        log.error("update %s: %s at %s", update_id, type(err).__name__, where)

    # ------------------------------------------------------------ work

    def _crisis(self, text: str) -> bool:
        if not text.strip():
            return False
        try:
            return self.is_crisis(text)
        except Exception as err:  # a broken check must not lose the message: treat as urgent
            log.error("crisis check failed: %s", type(err).__name__)
            return True

    def is_urgent(self, update: object) -> bool:
        """Does this update carry a crisis (a message or an edit, text or caption)?"""
        message = getattr(update, "message", None) or getattr(update, "edited_message", None)
        if message is None:
            return False
        return self._crisis(message.text or message.caption or "")

    async def _admit(self, chat_id: int, *, urgent: bool = False) -> bool:
        verdict = self.flood.check(chat_id, urgent=urgent)
        if verdict == "notice":
            log.warning("a chat is flooding; pausing it for a minute")
            notice = self.texts("flood") if self.texts else FLOOD_NOTICE
            await self.courier.send(chat_id, notice, record=chat_id > 0)  # type: ignore[union-attr]
        return verdict == "ok"

    async def _turn(self, chat_id: int, event: Event, *, reply_to: int | None = None) -> None:
        courier = self.courier
        assert courier is not None, "post_init has not run"
        typing = asyncio.create_task(courier.keep_typing(chat_id))
        try:
            replies = await self.handle(chat_id, event)
        except Exception as err:
            log.error("handler failed on a %s event: %s", event.kind, type(err).__name__)
            replies = [Reply(self.texts("sorry") if self.texts else SORRY)]
        finally:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing
        await courier.deliver(chat_id, replies, group=event.is_group, reply_to=reply_to)

    async def run_reload(self, chat_id: int | None) -> list[str]:
        """Reload the content in a worker thread, so replies never wait for it.

        A failure (or a reload slower than `reload_wait`) keeps the old content and is told
        to every admin chat and the asking chat, with each problem's file:line; success is
        told to the asking chat only.
        """
        errors = await reload_off_loop(self.reload, self.reload_wait)
        courier = self.courier
        text, targets = reload_notice(errors, self.settings.admin_chat_ids, chat_id)
        for target in targets if courier else ():
            await courier.deliver(target, [Reply(text)], group=target < 0)  # type: ignore[union-attr]
        return errors

    @contextlib.asynccontextmanager
    async def _chat_lock(self, chat_id: int, priority: int = ORDINARY) -> AsyncIterator[None]:
        """One turn at a time per chat, so state is never loaded twice at once; a crisis
        waits only for the turn already running, not for the chat's queue (tg_priority.py)."""
        lock, users = self._locks.get(chat_id, (PriorityGate(1), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock.hold(priority):
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)

    def _is_admin_reload(self, chat_id: int, event: Event) -> bool:
        is_reload = event.kind == "command" and event.text == "/reload"
        return is_reload and chat_id in self.settings.admin_chat_ids

    def _remember_press(self, key: tuple[int, int]) -> None:
        self._pressed[key] = None
        while len(self._pressed) > _PRESSED_MEMORY:
            self._pressed.popitem(last=False)

    def _done(self, update: Update) -> None:
        if self.on_update_done is not None:
            self.on_update_done(update)
