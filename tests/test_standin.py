"""The Bot API stand-in is as strict as Telegram, checked with plain HTTP (no telegram library)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from bot.telegram.standin.control import CONFLICT, StandIn


@pytest.fixture
async def api():
    async with StandIn() as standin:
        standin.push_text(1001, "hello")  # the chat exists once the user has written
        yield standin


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def call(http: httpx.AsyncClient, api: StandIn, method: str, **params) -> httpx.Response:
    return await http.post(f"{api.base_url}{api.token}/{method}", json=params)


class TestProtocol:
    async def test_get_me_answers_with_the_bot(self, api, http) -> None:
        """getMe returns the bot user, as PTB needs it at start-up."""
        response = await call(http, api, "getMe")
        body = response.json()
        assert body["ok"] is True
        assert body["result"]["username"] == "SignpostTestBot"
        assert body["result"]["is_bot"] is True

    async def test_a_wrong_token_is_unauthorized(self, api, http) -> None:
        """A token the stand-in does not know gets Telegram's 401."""
        response = await http.post(f"{api.base_url}999:nope/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    async def test_an_unknown_method_is_not_found(self, api, http) -> None:
        """Unknown methods answer 404 Not Found."""
        response = await call(http, api, "sendTelepathy")
        assert response.status_code == 404

    async def test_form_bodies_are_read_like_json(self, api, http) -> None:
        """PTB posts form fields with JSON-encoded objects; the keyboard is parsed from them."""
        markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "answer:yes"}]]}
        form = {"chat_id": "1001", "text": "<b>Hi</b>", "parse_mode": "HTML"}
        form["reply_markup"] = json.dumps(markup)
        response = await http.post(f"{api.base_url}{api.token}/sendMessage", data=form)
        assert response.json()["result"]["text"] == "Hi"
        assert api.sent(1001)[-1].reply_markup == markup

    async def test_long_polling_waits_for_an_update(self, api, http) -> None:
        """getUpdates with a timeout returns as soon as an update arrives."""
        first = (await call(http, api, "getUpdates")).json()["result"]
        offset = first[-1]["update_id"] + 1
        started = time.monotonic()
        poll = asyncio.ensure_future(call(http, api, "getUpdates", offset=offset, timeout=5))
        await asyncio.sleep(0.1)
        api.push_text(1001, "later")
        updates = (await poll).json()["result"]
        assert [u["message"]["text"] for u in updates] == ["later"]
        assert time.monotonic() - started < 2

    async def test_an_offset_confirms_updates(self, api, http) -> None:
        """Updates below the offset are gone for good."""
        first = (await call(http, api, "getUpdates")).json()["result"]
        offset = first[-1]["update_id"] + 1
        again = await call(http, api, "getUpdates", offset=offset, timeout=0)
        assert again.json()["result"] == []

    async def test_a_second_poller_terminates_the_first(self, api, http) -> None:
        """Two bots polling one token: the older poll gets Telegram's 409 Conflict."""
        await call(http, api, "getUpdates", offset=999)
        older = asyncio.ensure_future(call(http, api, "getUpdates", offset=999, timeout=5))
        await asyncio.sleep(0.1)
        newer = asyncio.ensure_future(call(http, api, "getUpdates", offset=999, timeout=0))
        assert (await older).json()["description"] == CONFLICT
        assert (await newer).status_code == 200

    async def test_polling_is_refused_while_a_webhook_is_set(self, api, http) -> None:
        """getUpdates conflicts with an active webhook, as on Telegram."""
        await call(http, api, "setWebhook", url="https://example.org/hook")
        response = await call(http, api, "getUpdates")
        assert response.status_code == 409
        info = (await call(http, api, "getWebhookInfo")).json()["result"]
        assert info["url"] == "https://example.org/hook"

    async def test_a_webhook_must_be_https(self, api, http) -> None:
        """Plain http is refused except on 127.0.0.1 (the self-hosted, local case)."""
        response = await call(http, api, "setWebhook", url="http://example.org/hook")
        assert response.json()["description"].startswith("Bad Request: bad webhook")


class TestStrictness:
    @pytest.mark.parametrize(
        ("text", "description"),
        [
            ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
            ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
            ("a </b>", "Unexpected end tag at byte offset 2"),
            ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
            ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
            ("&nbsp;hi", 'unsupported HTML entity "&nbsp;" at byte offset 0'),
        ],
    )
    async def test_invalid_html_is_refused(self, api, http, text, description) -> None:
        """HTML Telegram cannot parse gets its "can't parse entities" error."""
        response = await call(http, api, "sendMessage", chat_id=1001, text=text, parse_mode="HTML")
        assert response.status_code == 400
        expected = f"Bad Request: can't parse entities: {description}"
        assert response.json() == {"ok": False, "error_code": 400, "description": expected}

    async def test_entities_and_tags_that_telegram_accepts_pass(self, api, http) -> None:
        """Valid Telegram HTML is accepted and shown as its visible text."""
        text = (
            '<b>Call</b> &lt;159&gt; &amp; <a href="https://x.org/?a=1&amp;b=2">go</a> &#128222;'
        )
        response = await call(http, api, "sendMessage", chat_id=1001, text=text, parse_mode="HTML")
        assert response.json()["result"]["text"] == "Call <159> & go 📞"

    async def test_text_over_4096_characters_is_refused(self, api, http) -> None:
        """4,096 visible characters pass; one more is "message is too long"."""
        ok = await call(
            http,
            api,
            "sendMessage",
            chat_id=1001,
            text="<b>" + "x" * 4096 + "</b>",
            parse_mode="HTML",
        )
        too_long = await call(http, api, "sendMessage", chat_id=1001, text="x" * 4097)
        assert ok.status_code == 200
        assert too_long.json()["description"] == "Bad Request: message is too long"

    async def test_button_data_over_64_bytes_is_refused(self, api, http) -> None:
        """callback_data is limited to 64 bytes (not characters)."""
        data = "é" * 33  # 66 bytes
        markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
        response = await call(
            http, api, "sendMessage", chat_id=1001, text="t", reply_markup=markup
        )
        assert response.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"

    async def test_unknown_chats_are_not_found(self, api, http) -> None:
        """A chat nobody has opened cannot be written to."""
        response = await call(http, api, "sendMessage", chat_id=555, text="hi")
        assert response.json()["description"] == "Bad Request: chat not found"

    async def test_removing_a_keyboard_twice_is_not_modified(self, api, http) -> None:
        """editMessageReplyMarkup with nothing to change is refused, as Telegram does."""
        markup = {"inline_keyboard": [[{"text": "x", "callback_data": "d"}]]}
        sent = await call(http, api, "sendMessage", chat_id=1001, text="t", reply_markup=markup)
        message_id = sent.json()["result"]["message_id"]
        first = await call(
            http, api, "editMessageReplyMarkup", chat_id=1001, message_id=message_id
        )
        second = await call(
            http, api, "editMessageReplyMarkup", chat_id=1001, message_id=message_id
        )
        assert first.status_code == 200
        assert second.json()["description"].startswith("Bad Request: message is not modified")

    async def test_a_callback_can_be_answered_once(self, api, http) -> None:
        """answerCallbackQuery for an answered or unknown query id is refused."""
        sent = await call(
            http,
            api,
            "sendMessage",
            chat_id=1001,
            text="t",
            reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]},
        )
        api.press(1001, "Go")
        query_id = next(iter(api.api.open_queries))
        assert sent.status_code == 200
        assert (
            await call(http, api, "answerCallbackQuery", callback_query_id=query_id)
        ).status_code == 200
        again = await call(http, api, "answerCallbackQuery", callback_query_id=query_id)
        assert again.json()["description"].startswith("Bad Request: query is too old")

    async def test_delete_messages_skips_missing_ids_and_caps_at_100(self, api, http) -> None:
        """deleteMessages removes what exists, ignores what is gone, and takes 100 ids at most."""
        ok = await call(http, api, "deleteMessages", chat_id=1001, message_ids=[1, 77])
        too_many = await call(
            http, api, "deleteMessages", chat_id=1001, message_ids=list(range(1, 102))
        )
        single = await call(http, api, "deleteMessage", chat_id=1001, message_id=1)
        assert ok.json()["result"] is True
        assert api.visible(1001) == []
        assert too_many.status_code == 400
        assert single.json()["description"] == "Bad Request: message to delete not found"

    async def test_chat_actions_must_be_known(self, api, http) -> None:
        """sendChatAction takes only Telegram's action names."""
        good = await call(http, api, "sendChatAction", chat_id=1001, action="typing")
        bad = await call(http, api, "sendChatAction", chat_id=1001, action="dancing")
        assert (good.status_code, bad.status_code) == (200, 400)

    async def test_command_names_are_checked(self, api, http) -> None:
        """setMyCommands refuses names Telegram would refuse."""
        bad = await call(
            http, api, "setMyCommands", commands=[{"command": "Start!", "description": "x"}]
        )
        assert bad.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"


class TestFaults:
    async def test_429_carries_retry_after(self, api, http) -> None:
        """An injected flood wait answers like Telegram, then the method works again."""
        api.fail("getMe", status=429, retry_after=3)
        first = await call(http, api, "getMe")
        second = await call(http, api, "getMe")
        assert first.status_code == 429
        assert first.json()["parameters"] == {"retry_after": 3}
        assert second.status_code == 200

    async def test_502_is_a_bad_gateway(self, api, http) -> None:
        """An injected 502 answers Bad Gateway once."""
        api.fail("getMe", status=502)
        assert (await call(http, api, "getMe")).status_code == 502
        assert (await call(http, api, "getMe")).status_code == 200

    async def test_a_hang_never_answers(self, api, http) -> None:
        """An injected hang holds the request until the client gives up."""
        api.hang("getMe", 2)
        with pytest.raises(httpx.ReadTimeout):
            await http.post(f"{api.base_url}{api.token}/getMe", timeout=0.2)
        assert (await call(http, api, "getMe")).status_code == 200

    async def test_wait_sent_times_out(self, api) -> None:
        """Waiting for messages that never come raises TimeoutError."""
        with pytest.raises(TimeoutError):
            await api.wait_sent(1001, 1, 0.05)
