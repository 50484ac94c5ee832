"""The real python-telegram-bot Application against the Bot API stand-in on 127.0.0.1.

A small scripted core stands in for the engine here, so each test pins one adapter
behaviour; tests/test_telegram_core.py runs the real engine through the same path.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import signal

import pytest

from bot.core.model import Button, Event, Reply
from bot.state.store import MemoryStore
from bot.telegram.app import COMMANDS, FLOOD_NOTICE, SORRY
from bot.telegram.guard import FloodGuard
from bot.telegram.standin.control import StandIn
from bot.telegram.standin.loopback import WEBHOOK_SECRET, LoopbackTelegram
from bot.telegram.standin.wire import KINDS

PRIVATE = 1001
GROUP = -1_001_234_567_890
ADMIN = 4242


class Core:
    """A scripted core that remembers the events it was given."""

    def __init__(self) -> None:
        self.events: list[tuple[int, Event]] = []
        self.script: dict[str, list[Reply]] = {}
        self.delay = 0.0
        self.crash = False

    async def __call__(self, chat_id: int, event: Event) -> list[Reply]:
        self.events.append((chat_id, event))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.crash:
            raise RuntimeError("core bug")
        if event.text in self.script:
            return self.script[event.text]
        if event.kind == "command":
            menu = ((Button("Phishing", "intent:phishing"), Button("Clear this chat", "clear")),)
            return [Reply(f"<b>Welcome.</b> {html.escape(event.payload)}", menu, "greeting")]
        if event.kind == "button":
            return [Reply(f"You chose <i>{html.escape(event.text)}</i>.", intent="phishing")]
        if event.kind == "text":
            ask = ((Button("Yes", "answer:yes"), Button("No", "answer:no")),)
            return [Reply(f"You said: {html.escape(event.text)}", ask, "phishing")]
        return [Reply(f"I can only read words, not a {event.kind}.")]


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns when RetryAfter is built unless this opt-in is set; warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def core() -> Core:
    return Core()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
async def tg(core: Core, store: MemoryStore):
    async with LoopbackTelegram(core, store, admin_chat_ids=[ADMIN]) as loop:
        yield loop


class TestTurns:
    async def test_start_publishes_the_command_menu(self, tg: LoopbackTelegram) -> None:
        """On start the bot sets its / menu: the nine commands with plain descriptions."""
        assert [(c["command"], c["description"]) for c in tg.standin.api.commands] == list(
            COMMANDS
        )

    async def test_deep_link_topic_arrives_as_start_payload(self, tg, core) -> None:
        """t.me/<bot>?start=phishing reaches the core as /start with payload "phishing"."""
        turn = await tg.command(PRIVATE, "/start", "phishing")
        assert core.events == [(PRIVATE, Event("command", "/start", payload="phishing"))]
        assert turn.messages[0].text == "Welcome. phishing"
        assert turn.messages[0].parse_mode == "HTML"
        assert turn.messages[0].buttons == (
            (("Phishing", "intent:phishing"), ("Clear this chat", "clear")),
        )
        assert turn.replies[0].intent == "greeting"

    async def test_text_reaches_the_core_and_the_reply_comes_back(self, tg, core) -> None:
        """A crime description goes to the core unchanged and its HTML reply is shown."""
        turn = await tg.send_text(PRIVATE, "they took £300 <from> my account & ran")
        assert core.events[-1][1] == Event("text", "they took £300 <from> my account & ran")
        assert turn.messages[0].text == "You said: they took £300 <from> my account & ran"

    async def test_button_press_is_answered_first_and_its_keyboard_removed(self, tg, core):
        """Pressing a button stops its spinner at once and the old buttons disappear."""
        first = await tg.send_text(PRIVATE, "someone phoned me")
        turn = await tg.press(PRIVATE, "Yes")
        assert turn.methods()[:2] == ["answerCallbackQuery", "editMessageReplyMarkup"]
        assert core.events[-1][1] == Event("button", "answer:yes")
        assert turn.messages[0].text == "You chose answer:yes."
        old = tg.standin.api.chats[PRIVATE].messages[first.messages[0].message_id]
        assert old.reply_markup is None
        with pytest.raises(LookupError):
            tg.standin.find_button(PRIVATE, "No")

    async def test_a_second_press_on_a_cleared_keyboard_does_nothing(self, tg, core) -> None:
        """A double tap that races the keyboard removal is answered but not acted on twice."""
        first = await tg.send_text(PRIVATE, "hello")
        message_id = first.messages[0].message_id
        await tg.press(PRIVATE, "Yes")
        count = len(core.events)
        turn = await tg.push(
            PRIVATE, lambda: tg.standin.push_callback(PRIVATE, message_id, "answer:no")
        )
        assert turn.methods() == ["answerCallbackQuery"]
        assert len(core.events) == count

    async def test_follow_up_keeps_the_order_of_turns(self, tg, core) -> None:
        """Messages from one chat are handled one after another, in the order sent."""
        for word in ("one", "two", "three"):
            tg.standin.push_text(PRIVATE, word)
        await tg.standin.wait_sent(PRIVATE, 3)
        assert [e.text for _, e in core.events] == ["one", "two", "three"]
        assert [m.text for m in tg.standin.sent(PRIVATE)] == [
            "You said: one",
            "You said: two",
            "You said: three",
        ]

    @pytest.mark.parametrize("kind", [k for k in KINDS if k != "dice"])
    async def test_non_text_messages_become_their_kind(self, tg, core, kind) -> None:
        """A photo, sticker, voice note and so on reach the core as Event(kind)."""
        turn = await tg.send_kind(PRIVATE, kind)
        assert core.events == [(PRIVATE, Event(kind))]
        assert turn.messages[0].text == f"I can only read words, not a {kind}."

    async def test_a_dice_is_other(self, tg, core) -> None:
        """A message the core has no name for arrives as Event("other")."""
        await tg.send_kind(PRIVATE, "dice")
        assert core.events == [(PRIVATE, Event("other"))]

    async def test_a_4096_character_message_is_read_whole(self, tg, core) -> None:
        """The longest message Telegram allows reaches the core in full."""
        text = ("word " * 820)[:4096]
        await tg.send_text(PRIVATE, text)
        assert core.events[0][1].text == text.strip()

    async def test_long_replies_are_split_at_paragraphs(self, tg, core) -> None:
        """A reply over 4,096 characters arrives as valid parts; buttons on the last only."""
        paragraphs = [f"<b>Step {n}.</b> " + "Keep every message. " * 40 for n in range(8)]
        buttons = ((Button("More", "section:more"),),)
        core.script["long"] = [Reply("\n\n".join(paragraphs), buttons, "phishing")]
        turn = await tg.send_text(PRIVATE, "long")
        assert len(turn.messages) == 2
        assert all(len(m.text) <= 4096 for m in turn.messages)
        assert turn.messages[0].text.startswith("Step 0.")
        assert turn.messages[1].text.startswith("Step ")
        assert [bool(m.buttons) for m in turn.messages] == [False, True]
        assert all(c.status == 200 for c in turn.calls)

    async def test_slow_replies_show_typing(self, tg, core) -> None:
        """When the core takes longer than ~0.3 s the user sees "typing…"."""
        core.delay = 0.45
        turn = await tg.send_text(PRIVATE, "slow")
        actions = [c.params["action"] for c in turn.calls if c.method == "sendChatAction"]
        assert actions == ["typing"]

    async def test_fast_replies_do_not_show_typing(self, tg) -> None:
        """A quick answer comes without a chat action."""
        turn = await tg.send_text(PRIVATE, "fast")
        assert "sendChatAction" not in turn.methods()

    async def test_html_telegram_refuses_is_resent_as_plain_text(self, tg, core) -> None:
        """Bad HTML never leaves the user with nothing: the words arrive, links spelled out."""
        core.script["bad"] = [
            Reply('Call <b>159 <a href="https://example.org/report">Report</a>', intent="x")
        ]
        turn = await tg.send_text(PRIVATE, "bad")
        assert [c.status for c in turn.calls] == [400, 200]
        assert turn.messages[0].text == "Call 159 Report (https://example.org/report)"
        assert turn.messages[0].parse_mode is None

    async def test_a_refused_keyboard_still_lets_the_words_through(self, tg, core) -> None:
        """Button data over 64 bytes is refused by Telegram; the text still arrives."""
        too_long = ((Button("Too long", "x" * 65),),)
        core.script["buttons"] = [Reply("Here is <b>help</b>.", too_long)]
        turn = await tg.send_text(PRIVATE, "buttons")
        assert [m.text for m in turn.messages] == ["Here is help."]
        assert turn.messages[0].buttons == ()

    async def test_a_crashing_core_still_answers(self, tg, core, caplog) -> None:
        """If the core raises, the user gets a short apology and the log has no message text."""
        core.crash = True
        turn = await tg.send_text(PRIVATE, "my secret words")
        assert turn.messages[0].text == SORRY
        assert "my secret words" not in caplog.text


class TestGroups:
    async def test_group_chatter_is_ignored(self, tg, core) -> None:
        """In a group, a message not meant for the bot gets no answer at all."""
        turn = await tg.send_text(GROUP, "anyone watching the match?")
        assert turn.messages == []
        assert core.events == []
        assert turn.calls == []

    async def test_a_mention_is_answered_with_a_private_link(self, tg, core) -> None:
        """@mentioning the bot gets a reply plus a button to continue in private."""
        turn = await tg.send_text(GROUP, "@SignpostTestBot my account was hacked")
        assert core.events == [(GROUP, Event("text", "my account was hacked", is_group=True))]
        [message] = turn.messages
        assert message.buttons[-1] == (
            ("Message me privately", "https://t.me/SignpostTestBot?start=phishing"),
        )
        send = next(c for c in turn.calls if c.method == "sendMessage")
        assert send.params["reply_parameters"]["message_id"] > 0

    async def test_a_reply_to_the_bot_is_answered(self, tg, core) -> None:
        """Replying to one of the bot's group messages counts as talking to it."""
        first = await tg.command(GROUP, "/help")
        bot_message = first.messages[0].message_id
        turn = await tg.send_text(GROUP, "what about my bank?", reply_to=bot_message)
        assert core.events[-1][1] == Event("text", "what about my bank?", is_group=True)
        assert turn.messages

    async def test_commands_for_other_bots_are_ignored(self, tg, core) -> None:
        """/start@SomeOtherBot in a group is not for us; /start@SignpostTestBot is."""
        other = await tg.command(GROUP, "/start@SomeOtherBot")
        ours = await tg.command(GROUP, "/start@SignpostTestBot", "phishing")
        assert other.messages == []
        assert core.events == [(GROUP, Event("command", "/start", "phishing", is_group=True))]
        assert ours.messages[0].buttons[-1][0][1].endswith("?start=greeting")

    @pytest.mark.parametrize(
        "body",
        [
            {"channel_post": "post"},
            {"my_chat_member": "member"},
        ],
    )
    async def test_other_update_types_are_left_alone(self, tg, core, body, caplog) -> None:
        """Channel posts and membership changes are ignored without an error (edits are
        answered: tests/test_safety_edges.py)."""
        kind = next(iter(body))
        chat = {"id": PRIVATE, "type": "private", "first_name": "U"}
        user = {"id": PRIVATE, "is_bot": False, "first_name": "U"}
        if kind == "my_chat_member":
            member = {"user": {"id": 123456789, "is_bot": True, "first_name": "B"}}
            payload = {
                "chat": chat,
                "from": user,
                "date": 1,
                "old_chat_member": {**member, "status": "member"},
                "new_chat_member": {**member, "status": "kicked", "until_date": 0},
            }
        else:
            payload = {"message_id": 1, "date": 1, "chat": chat, "from": user, "text": "x"}
            if kind == "channel_post":
                payload["chat"] = {"id": -1009, "type": "channel", "title": "C"}
        tg.standin.api.chat(PRIVATE, create=True)
        turn = await tg.push(PRIVATE, lambda: tg.standin.push_update({kind: payload}))
        assert turn.calls == []
        assert core.events == []
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


class TestLimits:
    async def test_a_burst_from_20_chats_is_all_answered(self, tg, core) -> None:
        """Twenty people writing at once each get their own answer."""
        chats = [2000 + n for n in range(20)]
        turns = await asyncio.gather(*(tg.send_text(c, f"hello {c}") for c in chats))
        for chat, turn in zip(chats, turns, strict=True):
            assert [m.text for m in turn.messages] == [f"You said: hello {chat}"]

    async def test_a_flooding_chat_gets_one_notice_then_a_pause(self, core, store) -> None:
        """Over 20 messages in 10 s: one gentle notice, silence for a minute, then normal."""
        now = [100.0]
        guard = FloodGuard(clock=lambda: now[0])
        async with LoopbackTelegram(core, store, flood=guard) as tg:
            for n in range(22):
                await tg.send_text(PRIVATE, f"m{n}")
            texts = [m.text for m in tg.standin.sent(PRIVATE)]
            assert len(core.events) == 20
            assert texts[-1] == FLOOD_NOTICE
            assert texts.count(FLOOD_NOTICE) == 1
            now[0] += 61
            turn = await tg.send_text(PRIVATE, "back")
            assert [m.text for m in turn.messages] == ["You said: back"]

    async def test_flood_notice_uses_the_content_wording(self, core, store, content) -> None:
        """The notice comes from responses/system.yaml, with 999 from the route catalog."""
        from bot.core.compose import Composer

        now = [100.0]
        guard = FloodGuard(clock=lambda: now[0])
        compose = Composer(content)
        async with LoopbackTelegram(core, store, flood=guard, texts=compose.text) as tg:
            for n in range(21):
                await tg.send_text(PRIVATE, f"m{n}")
            texts = [m.text for m in tg.standin.sent(PRIVATE)]
        assert texts[-1] == compose.text("flood")
        assert "999" in texts[-1]

    async def test_command_menu_uses_the_content_wording(self, core, store, content) -> None:
        """The / menu descriptions come from responses/system.yaml, so operators can reword."""
        from bot.core.compose import Composer

        compose = Composer(content)
        async with LoopbackTelegram(core, store, texts=compose.text) as tg:
            published = {c["command"]: c["description"] for c in tg.standin.api.commands}
        assert published == {name: compose.text(f"command_{name}") for name, _ in COMMANDS}

    async def test_a_429_is_waited_out(self, tg) -> None:
        """Telegram's "retry after" is honoured and the reply still arrives."""
        tg.standin.fail("sendMessage", status=429, retry_after=1)
        turn = await tg.send_text(PRIVATE, "hi")
        assert [c.status for c in turn.calls] == [429, 200]
        assert turn.calls[1].at - turn.calls[0].at >= 0.9
        assert [m.text for m in turn.messages] == ["You said: hi"]

    async def test_a_bad_gateway_is_retried(self, tg) -> None:
        """A 502 from Telegram is retried with backoff."""
        tg.standin.fail("sendMessage", status=502, times=2)
        turn = await tg.send_text(PRIVATE, "hi")
        assert [c.status for c in turn.calls] == [502, 502, 200]
        assert len(turn.messages) == 1

    async def test_a_timeout_is_retried(self, core, store) -> None:
        """A request Telegram never answers times out and is sent again."""
        async with LoopbackTelegram(core, store, request_timeout=0.4) as tg:
            tg.standin.hang("sendMessage", 1.0)
            turn = await tg.send_text(PRIVATE, "hi")
            assert [m.text for m in turn.messages] == ["You said: hi"]
            assert [c.status for c in turn.calls] == [0, 200]  # 0: the stand-in never answered

    async def test_logs_carry_neither_token_nor_text(self, tg, core, caplog) -> None:
        """Faults are logged by kind; the token and what people wrote never appear."""
        caplog.set_level(logging.DEBUG)
        tg.standin.fail("sendMessage", status=502, times=4)
        await tg.send_text(PRIVATE, "my private words")
        assert caplog.records
        assert tg.standin.token not in caplog.text
        assert tg.standin.token.split(":")[1] not in caplog.text
        info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
        assert not any("my private words" in line for line in info)


class TestWebhook:
    async def test_updates_arrive_by_webhook_with_the_secret(self, core, store) -> None:
        """In webhook mode Telegram's POSTs (with the secret) are answered."""
        async with LoopbackTelegram(core, store, webhook=True) as tg:
            info = tg.standin.api.m_getwebhookinfo({})
            assert info["url"].endswith("/telegram")
            turn = await tg.send_text(PRIVATE, "by webhook")
            assert [m.text for m in turn.messages] == ["You said: by webhook"]
            assert tg.standin.webhook_statuses == [200]

    async def test_posts_without_the_secret_are_refused(self, core, store) -> None:
        """A forged update without or with a wrong secret gets 403 and reaches nobody."""
        async with LoopbackTelegram(core, store, webhook=True) as tg:
            update = {
                "update_id": 99,
                "message": tg.standin.user_message(PRIVATE, text="forged"),
            }
            assert await tg.standin.post_webhook(update) == 403
            assert await tg.standin.post_webhook(update, secret_token="wrong") == 403
            assert await tg.standin.post_webhook(update, secret_token=WEBHOOK_SECRET) == 200
            await tg.wait_done(99)
            assert [e.text for _, e in core.events] == ["forged"]


class TestReload:
    @staticmethod
    def failing() -> list[str]:
        return ["responses/phishing.yaml:12: unknown route 'report_fruad'"]

    async def test_admin_reload_failure_is_reported_and_the_bot_still_answers(
        self, core, store, caplog
    ) -> None:
        """/reload from an admin chat with broken content: admin told, log has it, bot serves."""
        async with LoopbackTelegram(
            core, store, reload=self.failing, admin_chat_ids=[ADMIN]
        ) as tg:
            turn = await tg.command(ADMIN, "/reload")
            assert "Reload failed." in turn.text
            assert "unknown route 'report_fruad'" in turn.text
            assert "report_fruad" in caplog.text
            assert core.events == []
            after = await tg.send_text(PRIVATE, "still there?")
            assert after.messages[0].text == "You said: still there?"

    async def test_reload_from_anyone_else_is_just_a_command(self, core, store) -> None:
        """A non-admin's /reload goes to the core and reloads nothing."""
        calls = []
        async with LoopbackTelegram(core, store, reload=lambda: calls.append(1) or []) as tg:
            await tg.command(PRIVATE, "/reload")
        assert calls == []
        assert core.events == [(PRIVATE, Event("command", "/reload"))]

    async def test_sighup_reloads_and_tells_the_admins(self, core, store) -> None:
        """kill -HUP reloads the content; failures go to every admin chat."""
        async with LoopbackTelegram(
            core, store, reload=self.failing, admin_chat_ids=[ADMIN]
        ) as tg:
            await tg.send_text(ADMIN, "hello")
            os.kill(os.getpid(), signal.SIGHUP)
            [_, notice] = await tg.standin.wait_sent(ADMIN, 2)
            assert "Reload failed." in StandIn.plain(notice)


class TestQuickExit:
    async def test_clear_button_deletes_both_sides_then_replies(self, tg, core) -> None:
        """ "Clear this chat" removes the whole conversation from the screen, then answers."""
        await tg.command(PRIVATE, "/start")
        await tg.send_text(PRIVATE, "my bank details")
        before = [m.message_id for m in tg.standin.visible(PRIVATE)]
        assert len(before) == 4
        turn = await tg.press(PRIVATE, "Clear this chat")
        [delete] = [c for c in turn.calls if c.method == "deleteMessages"]
        assert sorted(delete.params["message_ids"]) == before
        assert core.events[-1][1] == Event("button", "clear")
        assert [m.message_id for m in tg.standin.visible(PRIVATE)] == [
            m.message_id for m in turn.messages
        ]

    async def test_forget_command_deletes_the_conversation(self, tg, core) -> None:
        """/forget also clears the screen before the core forgets the state."""
        await tg.send_text(PRIVATE, "first")
        turn = await tg.command(PRIVATE, "/forget")
        assert turn.methods()[0] == "deleteMessages"
        assert len(tg.standin.visible(PRIVATE)) == 1  # only the reply to /forget

    async def test_deletion_goes_in_batches_of_100(self, tg, store) -> None:
        """Long conversations are deleted 100 ids at a time; ids already gone are skipped."""
        await tg.send_text(PRIVATE, "hi")
        for message_id in range(10, 260):
            await store.record_message(PRIVATE, message_id, 1e12)
        turn = await tg.command(PRIVATE, "/forget")
        sizes = [len(c.params["message_ids"]) for c in turn.calls if c.method == "deleteMessages"]
        assert sizes == [100, 100, 53]
