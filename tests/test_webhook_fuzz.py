"""Whatever is POSTed to the webhook, the bot answers 2xx or 4xx and keeps serving.

Hypothesis sends random bytes, random JSON and update-shaped JSON with wrong-typed fields to
the real guarded webhook server (the real engine behind the real adapter, the stand-in as
Telegram). With the secret: never a 5xx or a dropped connection, an accepted update is
answered or ignored without the adapter raising, and a sound update is answered afterwards.
Without it: 403 from the headers alone, before the body is sent.

The examples run in a worker thread with blocking HTTP, so the bot keeps its event loop.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.engine import Engine
from bot.session import LiveEngine, make_handler
from bot.state.store import MemoryStore
from bot.telegram.standin.loopback import WEBHOOK_SECRET, LoopbackTelegram
from bot.telegram.standin.server import DEFAULT_TOKEN

ROOT = Path(__file__).resolve().parent.parent
BOT_ID = int(DEFAULT_TOKEN.split(":")[0])
PRIVATE = 5005
GROUP = -1_001_000_000_005
LATER = 7007  # the chat that checks the bot still answers
JSON_HEADERS = {"Content-Type": "application/json"}
DEEP = "<deep>"  # replaced by 1,000 nested lists after encoding (json.dumps would recurse)


@pytest.fixture
async def tg(engine: Engine):
    store = MemoryStore()
    live = LiveEngine(engine, ROOT)
    handler = make_handler(live, store)
    async with LoopbackTelegram(handler, store, webhook=True, turn_timeout=10) as loop:
        for chat in (PRIVATE, GROUP, LATER):  # so the bot's answers to forged updates land
            loop.standin.api.chat(chat, create=True)
        yield loop


# ------------------------------------------------------------ what is sent


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Sam"}


def _message(chat: dict[str, Any], text: str, **more: Any) -> dict[str, Any]:
    return {"message_id": 7, "date": 1_700_000_000, "chat": chat, "text": text, **more}


_PRIVATE_CHAT = {"id": PRIVATE, "type": "private", "first_name": "Sam"}
_GROUP_CHAT = {"id": GROUP, "type": "supergroup", "title": "Neighbours"}
_MENTION = "@SignpostTestBot"
_BOT_SAID = {
    "message_id": 3,
    "date": 1_700_000_000,
    "chat": _GROUP_CHAT,
    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Signpost"},
    "text": "Which bank?",
}
TEMPLATES: list[dict[str, Any]] = [
    {"message": _message(_PRIVATE_CHAT, "someone hacked my email", **{"from": _user(PRIVATE)})},
    {"edited_message": _message(_PRIVATE_CHAT, "/start phishing", edit_date=1_700_000_100)},
    {
        "message": _message(
            _GROUP_CHAT,
            f"{_MENTION} a scam text",
            entities=[{"type": "mention", "offset": 0, "length": len(_MENTION)}],
            reply_to_message=_BOT_SAID,
            **{"from": _user(7005)},
        )
    },
    {
        "message": {
            **_message(_PRIVATE_CHAT, ""),
            "text": None,
            "photo": [{"file_id": "p", "file_unique_id": "u", "width": 9, "height": 9}],
            "caption": "is this a fake parcel text?",
            "caption_entities": [{"type": "bold", "offset": 0, "length": 2}],
        }
    },
    {
        "callback_query": {
            "id": "q1",
            "from": _user(PRIVATE),
            "chat_instance": "c",
            "data": "menu",
            "message": {**_BOT_SAID, "chat": _PRIVATE_CHAT},
        }
    },
    {"my_chat_member": {"chat": _GROUP_CHAT, "from": _user(7005), "date": 1_700_000_000}},
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63)
    | st.integers(max_value=-(2**63))
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "\ud83d", "private", "supergroup", "mention", DEEP])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=25,
)


def encode(value: Any) -> bytes:
    deep = "[" * 1000 + "]" * 1000
    return json.dumps(value).replace(json.dumps(DEEP), deep).encode()


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if at:
        yield at
    if isinstance(value, dict | list):
        for key, inner in value.items() if isinstance(value, dict) else enumerate(value):
            yield from _paths(inner, (*at, key))


@st.composite
def update_shaped(draw: st.DrawFn) -> bytes:
    """A real-looking update, then up to three fields replaced by anything, or dropped."""
    update = copy.deepcopy(draw(st.sampled_from(TEMPLATES)))
    update["update_id"] = draw(st.integers(10**6, 10**9))
    if "message" in update and update["message"].get("text"):
        update["message"]["text"] += " " + draw(st.text(max_size=30))
    for _ in range(draw(st.integers(0, 3))):
        places = list(_paths(update))
        if not places:  # everything deleted already
            break
        where = draw(st.sampled_from(places))
        parent = update
        for key in where[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(json_values)
    return encode(update)


any_body = st.one_of(
    st.binary(max_size=200),
    json_values.map(encode),
    update_shaped(),
    update_shaped(),
)


# ------------------------------------------------------------ how it is sent


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def _handled(tg: LoopbackTelegram) -> int:
    return sum(len(replies) for replies in tg.replies.values()) + len(tg.standin.calls)


def post_headers_only(url: str, secret: str | None, length: int) -> int:
    """Send only the headers of a POST announcing `length` bytes; return the status."""
    parts = urlsplit(url)
    head = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    head += ["Content-Type: application/json", f"Content-Length: {length}"]
    if secret is not None:
        head.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        answer = sock.recv(4096)  # a time-out here means the server waited for the body
    return int(answer.split()[1])


async def assert_still_answers(tg: LoopbackTelegram) -> None:
    before = len(tg.standin.sent(LATER))
    tg.standin.push_text(LATER, "someone hacked my facebook and changed the password")
    await tg.standin.wait_sent(LATER, before + 1, 10)
    assert tg.standin.webhook_statuses[-1] == 200
    assert any(reply.intent == "account_hacking" for reply in tg.replies[LATER])


# ------------------------------------------------------------ properties


async def test_any_body_with_the_secret_is_answered_2xx_or_4xx_and_never_crashes(
    tg: LoopbackTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """Never a 5xx or a dropped connection; accepted updates are handled without a fault."""
    caplog.set_level(logging.WARNING)
    loop = asyncio.get_running_loop()
    url = tg.standin.api.webhook["url"]
    statuses: set[int] = set()
    headers = {**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}

    @settings(max_examples=40, deadline=None)
    @given(body=any_body)
    @example(body=b"\xff\xfe{")
    @example(body=b"")
    @example(body=b'{"update_id": 1' + b"9" * 5000 + b"}")
    @example(body=encode({"update_id": "x", "message": [1, 2]}))
    @example(body=encode({"update_id": 10**30, "message": TEMPLATES[0]["message"]}))
    @example(body=encode([DEEP]))
    @example(body=encode({"update_id": 11, "message": {**TEMPLATES[0]["message"], "text": 5}}))
    @example(
        body=encode({"update_id": 12, "message": _message({**_PRIVATE_CHAT, "id": "x"}, "hi")})
    )
    def post_anything(body: bytes) -> None:
        response = httpx.post(url, content=body, headers=headers, timeout=10)
        statuses.add(response.status_code)
        assert response.status_code // 100 in {2, 4}
        if response.status_code == 200:  # accepted: wait until the adapter is done with it
            update_id = json.loads(body)["update_id"]
            asyncio.run_coroutine_threadsafe(tg.wait_done(update_id), loop).result(15)
        assert _errors(caplog) == []

    await asyncio.to_thread(post_anything)
    assert {200, 400} <= statuses  # both sound and broken updates were among those sent
    await assert_still_answers(tg)
    assert _errors(caplog) == []


secrets = (
    st.none()
    | st.sampled_from(["", WEBHOOK_SECRET.upper(), WEBHOOK_SECRET[:-1], WEBHOOK_SECRET + "x"])
    | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40).filter(
        lambda s: s != WEBHOOK_SECRET
    )
)


async def test_a_wrong_or_absent_secret_is_refused_before_the_body(tg: LoopbackTelegram) -> None:
    """403 comes back on the headers alone, every time, and nothing reaches the bot."""
    url = tg.standin.api.webhook["url"]
    handled = _handled(tg)

    @settings(max_examples=40, deadline=None)
    @given(body=any_body, secret=secrets)
    def forge(body: bytes, secret: str | None) -> None:
        assert post_headers_only(url, secret, len(body) + 1) == 403  # the body is never sent

    await asyncio.to_thread(forge)
    assert _handled(tg) == handled
    await assert_still_answers(tg)


# ------------------------------------------------------------ the bugs it found

BROKEN = {
    "not UTF-8": b"\xff\xfe{",
    "not JSON": b"{'update_id': 1}",
    "empty": b"",
    "100,000-deep list": b"[" * 100_000 + b"]" * 100_000,
    "text a number": encode({"update_id": 21, "message": {**TEMPLATES[0]["message"], "text": 5}}),
    "chat id a string": encode(
        {"update_id": 22, "message": _message({**_PRIVATE_CHAT, "id": "abc"}, "my secret words")}
    ),
    "entity offset a string": encode(
        {
            "update_id": 23,
            "message": _message(
                _PRIVATE_CHAT,
                "my secret words",
                entities=[{"type": "bold", "offset": "0", "length": 2}],
            ),
        }
    ),
    "button data a number": encode(
        {"update_id": 24, "callback_query": {**TEMPLATES[4]["callback_query"], "data": 5}}
    ),
    "message without a chat": encode(
        {"update_id": 25, "edited_message": {"message_id": 7, "date": 0, "text": "/start"}}
    ),
    "update_id a float": encode({"update_id": 2.5, "message": TEMPLATES[0]["message"]}),
}


@pytest.mark.parametrize("body", BROKEN.values(), ids=BROKEN.keys())
async def test_a_broken_body_gets_400_reaches_nobody_and_logs_no_words(
    tg: LoopbackTelegram, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    """These got 500 (not JSON) or crashed the adapter (wrong types); now a plain 400."""
    caplog.set_level(logging.DEBUG)
    handled = _handled(tg)
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            tg.standin.api.webhook["url"],
            content=body,
            headers={**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        )
    assert response.status_code == 400
    await asyncio.sleep(0.1)  # give a wrongly queued update the time to reach the adapter
    assert _handled(tg) == handled
    assert _errors(caplog) == []
    assert "webhook: refused" in caplog.text
    assert "secret words" not in caplog.text
    assert "hacked my email" not in caplog.text
    await assert_still_answers(tg)
