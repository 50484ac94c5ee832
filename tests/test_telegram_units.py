"""The Telegram adapter's pure parts: settings, message mapping, HTML splitting, guards."""

from __future__ import annotations

import pytest
from telegram import Message
from telegram.error import BadRequest, RetryAfter, TimedOut

from bot.core.model import Button, Event
from bot.telegram.format import event_from_message, keyboard, parse_command, private_link
from bot.telegram.guard import FloodGuard, GaveUp, with_retry
from bot.telegram.html import HtmlError, parse_html, split_html, split_plain, strip_tags
from bot.telegram.settings import SettingsError, settings_from_env
from bot.telegram.standin.control import StandIn

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
HOOK = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
    "PORT": "8443",
    "WEBHOOK_SECRET": "s3cret_value-1",
}


class TestSettings:
    def test_polling_needs_only_the_token(self) -> None:
        """TELEGRAM_BOT_TOKEN alone is enough to poll."""
        settings = settings_from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, webhook=False)
        assert (settings.token, settings.base_url, settings.webhook) == (TOKEN, None, False)

    def test_webhook_settings_are_read(self) -> None:
        """The webhook URL's path is served; port, secret and admins are parsed."""
        env = {**HOOK, "ADMIN_CHAT_IDS": " 42, -1001234 ", "WEBHOOK_LISTEN": "127.0.0.1"}
        settings = settings_from_env(env, webhook=True)
        assert settings.webhook_path == "telegram/hook"
        assert (settings.port, settings.listen, settings.secret) == (
            8443,
            "127.0.0.1",
            "s3cret_value-1",
        )
        assert settings.admin_chat_ids == frozenset({42, -1001234})

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
            ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081/bot"),
            ("https://api.example.org/bot{token}/test", "https://api.example.org/bot{token}/test"),
        ],
    )
    def test_a_self_hosted_api_url_becomes_the_base_url(self, raw, expected) -> None:
        """TELEGRAM_BOT_API_URL works with or without the /bot suffix."""
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_API_URL": raw}
        assert settings_from_env(env, webhook=False).base_url == expected

    @pytest.mark.parametrize(
        ("env", "webhook", "variable"),
        [
            ({}, False, "TELEGRAM_BOT_TOKEN"),
            ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, False, "TELEGRAM_BOT_TOKEN"),
            (
                {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_API_URL": "ftp://x"},
                False,
                "TELEGRAM_BOT_API_URL",
            ),
            ({"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_CHAT_IDS": "42,me"}, False, "ADMIN_CHAT_IDS"),
            ({**HOOK, "WEBHOOK_URL": ""}, True, "WEBHOOK_URL"),
            ({**HOOK, "WEBHOOK_URL": "http://bot.example.org/x"}, True, "WEBHOOK_URL"),
            ({**HOOK, "PORT": "eighty"}, True, "PORT"),
            ({**HOOK, "PORT": "70000"}, True, "PORT"),
            ({**HOOK, "WEBHOOK_SECRET": ""}, True, "WEBHOOK_SECRET"),
            ({**HOOK, "WEBHOOK_SECRET": "has space"}, True, "WEBHOOK_SECRET"),
        ],
    )
    def test_problems_name_the_variable_in_one_line(self, env, webhook, variable) -> None:
        """A missing or malformed setting says which variable, on one line, without the token."""
        with pytest.raises(SettingsError) as caught:
            settings_from_env(env, webhook=webhook)
        message = str(caught.value)
        assert message.startswith(variable)
        assert "\n" not in message
        assert TOKEN not in message

    def test_the_token_never_shows_in_repr(self) -> None:
        """Printing the settings (a log line, a failed assert) does not reveal the token."""
        assert TOKEN.split(":")[1] not in repr(settings_from_env(HOOK, webhook=True))


def message(body: dict) -> Message:
    return Message.de_json(body, None)


class TestMapping:
    @pytest.fixture
    def api(self) -> StandIn:
        return StandIn()  # not started: only its message builders are used

    def event(self, api: StandIn, text: str, chat: int = 1001, **kwargs) -> Event | None:
        body = api.push_text(chat, text, **kwargs)["message"]
        return event_from_message(message(body), bot_id=api.api.bot_id, username=api.username)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("/start", ("/start", "")),
            ("/start phishing", ("/start", "phishing")),
            ("/START@SignpostTestBot romance_fraud", ("/start", "romance_fraud")),
            ("/help@OtherBot", None),
            ("not a command", None),
        ],
    )
    def test_commands_are_parsed(self, text, expected) -> None:
        """Commands lose the @bot suffix and keep their payload; other bots' are not ours."""
        assert parse_command(text, "SignpostTestBot") == expected

    def test_private_text_is_a_text_event(self, api) -> None:
        """Anything typed in a private chat is an Event("text")."""
        assert self.event(api, "I got a weird text") == Event("text", "I got a weird text")

    def test_group_mentions_are_stripped(self, api) -> None:
        """In a group the @mention is removed and the event marked as a group one."""
        got = self.event(api, "hey @SignpostTestBot, I was scammed", chat=-100)
        assert got == Event("text", "hey I was scammed", is_group=True)

    def test_group_chatter_maps_to_nothing(self, api) -> None:
        """A group message not for the bot produces no event."""
        assert self.event(api, "lunch?", chat=-100) is None
        assert self.event(api, "ask @SomeoneElse", chat=-100) is None

    def test_a_group_photo_with_a_mention_in_its_caption_counts(self, api) -> None:
        """Captions can address the bot too, and are read without the mention."""
        body = api.push_kind(-100, "photo", caption="@SignpostTestBot is this a scam?")["message"]
        got = event_from_message(message(body), bot_id=api.api.bot_id, username=api.username)
        assert got == Event("photo", "is this a scam?", is_group=True)

    def test_service_messages_map_to_nothing(self, api) -> None:
        """Joins and leaves are not something a person said."""
        body = api.user_message(
            -100, new_chat_members=[{"id": 5, "is_bot": False, "first_name": "A"}]
        )
        assert event_from_message(message(body), bot_id=1, username="SignpostTestBot") is None

    def test_private_links_carry_a_valid_topic(self) -> None:
        """The private-chat link starts on the topic when it is a valid start parameter."""
        assert private_link("Bot", "phishing") == "https://t.me/Bot?start=phishing"
        assert private_link("Bot", None) == "https://t.me/Bot"
        assert private_link("Bot", "not valid!") == "https://t.me/Bot"

    def test_keyboards_keep_rows_and_add_the_link_last(self) -> None:
        """Button rows stay as the core made them; the private link is its own last row."""
        markup = keyboard(((Button("A", "a"), Button("B", "b")),), link="https://t.me/Bot")
        rows = markup.to_dict()["inline_keyboard"]
        assert [[b["text"] for b in row] for row in rows] == [["A", "B"], ["Message me privately"]]
        assert keyboard(()) is None


class TestHtml:
    def test_splits_land_on_paragraphs_and_stay_valid(self) -> None:
        """Each part is valid Telegram HTML, within the limit, cut at a blank line."""
        text = "\n\n".join(f"<b>Part {n}</b> " + "x " * 100 for n in range(10))
        parts = split_html(text, 500)
        assert all(len(parse_html(p)) <= 500 for p in parts)
        assert all(p.startswith("<b>Part") for p in parts)
        squash = "".join  # nothing is lost but the whitespace at the cuts
        assert squash(squash(parse_html(p) for p in parts).split()) == squash(
            parse_html(text).split()
        )

    def test_a_tag_spanning_the_cut_is_closed_and_reopened(self) -> None:
        """A blockquote longer than a message is closed in one part and reopened in the next."""
        text = "<blockquote>" + "line of text\n" * 60 + "</blockquote>"
        parts = split_html(text, 200)
        assert len(parts) > 1
        for part in parts:
            parse_html(part)
            assert part.startswith("<blockquote>")
            assert part.endswith("</blockquote>")

    def test_entities_are_never_cut(self) -> None:
        """An entity counts as one character and stays whole."""
        parts = split_html("&amp;" * 30, 7)
        assert all(parse_html(p) == "&" * len(parse_html(p)) for p in parts)
        assert sum(len(parse_html(p)) for p in parts) == 30

    def test_short_text_is_untouched(self) -> None:
        """A message within the limit is sent as it is."""
        assert split_html("<b>hi</b>") == ["<b>hi</b>"]

    def test_plain_split_keeps_special_characters(self) -> None:
        """Plain-text fallback parts keep <, > and & as typed."""
        assert split_plain("a < b & c\n\n" + "d" * 10, 10) == ["a < b & c", "d" * 10]

    def test_strip_tags_spells_out_links(self) -> None:
        """Without HTML a link would lose its address, so it is written after the label."""
        text = 'Call <b>159</b>. <a href="https://x.org/?a=1&amp;b=2">Report online</a> &amp; more'
        assert strip_tags(text) == "Call 159. Report online (https://x.org/?a=1&b=2) & more"

    def test_telegram_lets_a_stray_ampersand_through(self) -> None:
        """Telegram shows a bare & as it is; only unknown named entities are refused (strict)."""
        assert parse_html("Fish & chips") == "Fish & chips"
        with pytest.raises(HtmlError):
            parse_html("a&nbsp;b", strict_entities=True)


class TestGuards:
    def test_flood_guard_allows_20_in_10_seconds(self) -> None:
        """Twenty messages in ten seconds pass; the 21st brings the notice, then silence."""
        now = [0.0]
        guard = FloodGuard(clock=lambda: now[0])
        verdicts = [guard.check(1) for _ in range(20)]
        assert set(verdicts) == {"ok"}
        assert guard.check(1) == "notice"
        assert guard.check(1) == "ignore"
        assert guard.check(2) == "ok"
        now[0] = 61.0
        assert guard.check(1) == "ok"

    def test_flood_guard_forgets_old_messages(self) -> None:
        """Messages spread out over time never trip the guard."""
        now = [0.0]
        guard = FloodGuard(clock=lambda: now[0])
        for _ in range(100):
            now[0] += 0.6
            assert guard.check(1) == "ok"

    async def test_retry_waits_out_flood_control_and_timeouts(self, monkeypatch) -> None:
        """RetryAfter sleeps as told; time-outs back off; a success ends it."""
        monkeypatch.setenv("PTB_TIMEDELTA", "true")
        slept: list[float] = []
        outcomes = [RetryAfter(3), TimedOut(), "done"]

        async def call():
            outcome = outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        assert await with_retry(call, what="x", base_delay=0.5, sleep=sleep) == "done"
        assert slept == [3.0, 1.0]

    async def test_retry_gives_up_after_its_attempts(self) -> None:
        """Retries are bounded: an explicit GaveUp, caused by the last fault."""

        async def call():
            raise TimedOut()

        async def sleep(seconds: float) -> None:
            return None

        with pytest.raises(GaveUp) as caught:
            await with_retry(call, what="x", attempts=3, sleep=sleep)
        assert isinstance(caught.value.__cause__, TimedOut)
        assert caught.value.attempts == 3

    async def test_bad_request_is_not_retried(self) -> None:
        """Telegram saying no is final: no second try."""
        calls = []

        async def call():
            calls.append(1)
            raise BadRequest("Bad Request: chat not found")

        with pytest.raises(BadRequest):
            await with_retry(call, what="x")
        assert calls == [1]
