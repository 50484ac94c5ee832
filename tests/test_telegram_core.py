"""The real engine and session behind the real Telegram adapter, against the strict stand-in.

Everything the bot can say is sent through a Bot API that refuses what Telegram refuses
(bad HTML, over-long text, oversized button data), so content that would break on Telegram
fails here first.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.engine import Engine
from bot.core.model import Content
from bot.session import LiveEngine, make_handler
from bot.state.store import MemoryStore
from bot.telegram.standin.loopback import LoopbackTelegram, TurnResult

CHAT = 1001
ROOT = Path(__file__).resolve().parent.parent


def accepted(turn: TurnResult) -> bool:
    return all(call.status == 200 for call in turn.calls)


class TestConversation:
    async def test_start_shows_the_menu(self, tg: LoopbackTelegram) -> None:
        """/start greets the person with topic buttons, all accepted by Telegram's rules."""
        turn = await tg.command(CHAT, "/start")
        assert accepted(turn)
        assert turn.messages
        assert turn.messages[-1].buttons

    async def test_a_crime_description_gets_advice_and_a_follow_up(self, tg) -> None:
        """A typed description is recognised and answered, and its follow-up can be answered."""
        turn = await tg.send_text(CHAT, "someone hacked my facebook and changed the password")
        assert accepted(turn)
        assert turn.replies[0].intent == "account_hacking"
        question = turn.messages[-1]
        assert question.buttons
        label = question.buttons[-1][0][0]
        answer = await tg.press(CHAT, label)
        assert accepted(answer)
        assert answer.methods()[:2] == ["answerCallbackQuery", "editMessageReplyMarkup"]
        assert answer.messages

    async def test_a_photo_gets_a_kind_reply(self, tg) -> None:
        """A photo is not read, and the person is told how to go on."""
        turn = await tg.send_kind(CHAT, "photo")
        assert accepted(turn)
        assert turn.messages

    async def test_forget_then_clear_leaves_the_screen_empty(self, tg) -> None:
        """/forget deletes the conversation; "Clear this chat" removes what is left."""
        await tg.command(CHAT, "/start", "phishing")
        turn = await tg.command(CHAT, "/forget")
        assert turn.methods()[0] == "deleteMessages"
        assert [m.message_id for m in tg.standin.visible(CHAT)] == [
            m.message_id for m in turn.messages
        ]
        cleared = await tg.press(CHAT, "clear")
        assert "deleteMessages" in cleared.methods()
        assert [m.message_id for m in tg.standin.visible(CHAT)] == [
            m.message_id for m in cleared.messages
        ]


class TestEveryReplyFitsTelegram:
    async def test_every_topic_and_section_is_accepted(self, tg, content: Content) -> None:
        """Each topic's first reply and every section behind its buttons pass Telegram's checks."""
        refused = []
        for number, intent in enumerate(sorted(content.responses)):
            chat = 5000 + number
            turn = await tg.command(chat, "/start", intent)
            refused += [(intent, c.method, c.status) for c in turn.calls if c.status != 200]
            sections = [
                data
                for message in turn.messages
                for row in message.buttons
                for _, data in row
                if data.startswith("section:")
            ]
            for data in sections:  # a press takes the keyboard away, so start again for each
                await tg.command(chat, "/start", intent)
                press = await tg.press(chat, data)
                refused += [(data, c.method, c.status) for c in press.calls if c.status != 200]
        assert refused == []


SCRIPT = [
    ("command", "/start"),
    ("text", "sum1 took money off my card i never spent"),
    ("text", "yes"),
    ("text", "how do i report it?"),
    ("kind", "photo"),
    ("text", "thanks"),
]


async def _play_console(live: LiveEngine) -> list[tuple[str, list[list[str]]]]:
    from bot.console import text_event
    from bot.core.model import Event

    handle = make_handler(live, MemoryStore())
    seen = []
    for kind, value in SCRIPT:
        event = Event(value) if kind == "kind" else text_event(value)  # type: ignore[arg-type]
        for reply in await handle(CHAT, event):
            seen.append((reply.text, [[b.label for b in row] for row in reply.buttons]))
    return seen


class TestSameOnEveryChannel:
    async def test_console_and_telegram_give_the_same_replies(self, engine: Engine) -> None:
        """One scripted conversation: the console and Telegram show the same texts and buttons."""
        console = await _play_console(LiveEngine(engine))
        store = MemoryStore()
        live = LiveEngine(engine)
        telegram = []
        async with LoopbackTelegram(make_handler(live, store), store) as loop:
            for kind, value in SCRIPT:
                if kind == "kind":
                    turn = await loop.send_kind(CHAT, value)
                elif value.startswith("/"):
                    turn = await loop.command(CHAT, value)
                else:
                    turn = await loop.send_text(CHAT, value)
                telegram += [
                    (r.text, [[b.label for b in row] for row in r.buttons]) for r in turn.replies
                ]
                assert accepted(turn)
        assert telegram == console
        assert len(console) >= len(SCRIPT)


class TestReloadWithBrokenContent:
    async def test_broken_yaml_keeps_the_old_content_serving(
        self, engine: Engine, tmp_path: Path
    ) -> None:
        """An operator's YAML mistake is reported on reload and the bot keeps its answers."""
        import shutil

        for folder in ("intents", "responses"):
            shutil.copytree(ROOT / folder, tmp_path / folder)
        live = LiveEngine(engine, tmp_path)
        store = MemoryStore()
        async with LoopbackTelegram(make_handler(live, store), store, reload=live.reload) as loop:
            before = await loop.send_text(CHAT, "my instagram got hacked")
            phishing = tmp_path / "responses" / "phishing.yaml"
            phishing.write_text(phishing.read_text(encoding="utf-8") + "\n  : : broken [\n")
            problems = live.reload()
            after = await loop.send_text(CHAT, "my instagram got hacked")
        assert problems
        assert problems[0].startswith("responses/phishing.yaml:")
        assert live.engine is engine
        assert after.replies[0].text == before.replies[0].text
