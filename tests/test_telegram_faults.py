"""Telegram's transient faults never lose a reply: bounded retries, quiet one-line logs.

The stand-in injects faults on a fixed schedule (the nth call of a method), so every test is
deterministic; sleeps are injected in the unit tests and kept short in the loopback ones.
"""

from __future__ import annotations

import datetime as dtm
import io
import logging

import httpx
import pytest
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.core.model import Event, Reply
from bot.state.store import MemoryStore
from bot.telegram.guard import GaveUp, fault_kind, with_retry
from bot.telegram.loghygiene import install_log_hygiene
from bot.telegram.standin.control import Fault, StandIn
from bot.telegram.standin.loopback import LoopbackTelegram


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def flood(seconds: int) -> RetryAfter:
    return RetryAfter(dtm.timedelta(seconds=seconds))


class Clock:
    """A clock that only moves when the retry loop sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def failing(*outcomes: object):
    """A call that raises the given faults in turn, then returns "sent"."""
    queue = list(outcomes)

    async def call() -> str:
        if queue:
            raise queue.pop(0)  # type: ignore[misc]
        return "sent"

    return call


class TestRetryRules:
    @pytest.mark.parametrize(
        ("error", "kind"),
        [
            (lambda: flood(2), "flood wait"),
            (lambda: TimedOut(), "timed out"),
            (
                lambda: NetworkError("httpx.ConnectError: All connection attempts failed"),
                "network error",
            ),
            (
                lambda: NetworkError(
                    "Bad Gateway (502). Parsing the server response b'<html>' failed"
                ),
                "HTTP 502",
            ),
            (lambda: NetworkError("Service Unavailable"), "HTTP 503"),
            (lambda: TelegramError("Invalid server response"), "invalid response"),
            (lambda: BadRequest("Bad Request: chat not found"), None),
            (lambda: Forbidden("Forbidden: bot was blocked by the user"), None),
            (lambda: TelegramError("something new"), None),
            (lambda: ValueError("a bug"), None),
        ],
    )
    def test_transient_faults_are_named_and_others_are_not(self, error, kind) -> None:
        """Only faults a retry can cure are retried; a plain invalid answer counts as one."""
        assert fault_kind(error()) == kind

    async def test_every_transient_kind_is_retried_until_sent(self) -> None:
        """Flood wait (as long as asked), time-out, network, 5xx and a non-JSON answer."""
        clock = Clock()
        call = failing(
            flood(3),
            TimedOut(),
            TelegramError("Invalid server response"),
            NetworkError("Bad Gateway (502)"),
        )
        result = await with_retry(
            call, what="sendMessage", base_delay=0.5, sleep=clock.sleep, clock=clock
        )
        assert result == "sent"
        assert clock.slept == [3.0, 1.0, 2.0, 4.0]

    async def test_attempts_are_bounded_with_one_error_line(self, caplog) -> None:
        """Five faults in a row: five attempts, then a logged GaveUp, never silence."""
        clock = Clock()
        with pytest.raises(GaveUp):
            await with_retry(
                failing(*[TimedOut()] * 9), what="sendMessage", sleep=clock.sleep, clock=clock
            )
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert errors == ["sendMessage: timed out on attempt 5; giving up after 7.5s"]
        assert len(clock.slept) == 4

    async def test_total_wait_is_bounded(self) -> None:
        """A flood wait longer than the budget left is not waited out: give up at once."""
        clock = Clock()
        with pytest.raises(GaveUp) as caught:
            await with_retry(
                failing(flood(20), flood(50)),
                what="sendMessage",
                budget=60,
                sleep=clock.sleep,
                clock=clock,
            )
        assert clock.slept == [20.0]
        assert caught.value.attempts == 2

    async def test_bad_request_and_forbidden_are_never_retried(self) -> None:
        for error in (BadRequest("Bad Request: can't parse entities"), Forbidden("blocked")):
            clock = Clock()
            with pytest.raises(type(error)):
                await with_retry(
                    failing(error), what="sendMessage", sleep=clock.sleep, clock=clock
                )
            assert clock.slept == []

    async def test_each_retry_is_one_warning_line(self, caplog) -> None:
        """Method, fault kind and attempt, on one line, with no traceback."""
        clock = Clock()
        await with_retry(
            failing(flood(1), NetworkError("Gateway Timeout (504)")),
            what="sendMessage",
            sleep=clock.sleep,
            clock=clock,
        )
        lines = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]
        assert lines == [
            ("WARNING", "sendMessage: flood wait 1s on attempt 1; retrying in 1.0s", None),
            ("WARNING", "sendMessage: HTTP 504 on attempt 2; retrying in 1.0s", None),
        ]


class TestFaultSchedule:
    async def test_the_nth_call_gets_its_fault_and_the_rest_pass(self) -> None:
        """A schedule names calls by method and number; two in a row hit one reply twice."""
        async with StandIn() as api, httpx.AsyncClient() as http:
            api.schedule(("getMe", 2, Fault.html(502)), ("getMe", 3, Fault.too_many(7)))
            url = f"{api.base_url}{api.token}/getMe"
            responses = [await http.post(url) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 502, 429, 200]
        assert responses[1].headers["content-type"] == "text/html"
        assert "<h1>502 Bad Gateway</h1>" in responses[1].text
        assert responses[2].json()["parameters"] == {"retry_after": 7}
        assert [c.status for c in api.calls_of("getMe")] == [200, 502, 429, 200]

    @pytest.mark.parametrize("status", [502, 503, 504])
    async def test_html_error_pages(self, status) -> None:
        async with StandIn() as api, httpx.AsyncClient() as http:
            api.schedule(("getMe", 1, Fault.html(status)))
            response = await http.post(f"{api.base_url}{api.token}/getMe")
        assert response.status_code == status
        assert response.text.startswith("<html>")

    async def test_dropped_slow_and_echoing_answers(self) -> None:
        async with StandIn() as api, httpx.AsyncClient() as http:
            url = f"{api.base_url}{api.token}/getMe"
            api.schedule(
                ("getMe", 1, Fault.drop()),
                ("getMe", 2, Fault.slow(0.3)),
                ("getMe", 3, Fault.echo(404)),
            )
            with pytest.raises(httpx.RemoteProtocolError):
                await http.post(url)
            with pytest.raises(httpx.ReadTimeout):
                await http.post(url, timeout=0.1)
            echoed = await http.post(url)
        assert echoed.status_code == 404
        assert api.token in echoed.text

    async def test_a_seeded_share_is_the_same_every_run(self) -> None:
        """The soak's random share is reproducible: same seed, same faulted calls."""
        seen = []
        for _ in range(2):
            async with StandIn() as api, httpx.AsyncClient() as http:
                api.faults.share(0.3, [Fault.html(502)], methods=["getMe"], seed=7)
                for _ in range(20):
                    await http.post(f"{api.base_url}{api.token}/getMe")
                seen.append([n for _, n, _ in api.faults.injected])
        assert seen[0] == seen[1]
        assert 2 <= len(seen[0]) <= 12


async def echo(chat_id: int, event: Event) -> list[Reply]:
    if event.text.startswith("help"):
        return [Reply(f"Call 999 now ({event.text})", safety=True)]
    return [Reply(f"reply to {event.text}")]


def fifteen_percent() -> list[tuple[str, int, Fault]]:
    """Six faults in 40 messages (15%), every kind, two of them in a row on one reply."""
    return [
        ("sendMessage", 3, Fault.html(502)),
        ("sendMessage", 4, Fault.too_many(1)),  # the same reply, again
        ("sendMessage", 9, Fault.html(503)),
        ("sendMessage", 15, Fault.hang(0.6)),  # the bot times out after 0.3 s
        ("sendMessage", 21, Fault.html(504)),
        ("sendMessage", 27, Fault.drop()),
        ("sendMessage", 33, Fault.html(200)),  # a 200 carrying a proxy page: invalid answer
        ("sendMessage", 40, Fault.json_error(500)),
    ]


class TestNoReplyIsLost:
    async def test_every_message_is_answered_under_injected_faults(self) -> None:
        """40 people, faults on 8 of 46 reply calls: each gets their reply exactly once."""
        out = io.StringIO()
        handler = logging.StreamHandler(out)
        handler.setLevel(logging.WARNING)
        root = logging.getLogger()
        root.addHandler(handler)
        try:
            async with LoopbackTelegram(echo, MemoryStore(), request_timeout=0.3) as tg:
                install_log_hygiene(tg.standin.token, [handler])
                tg.standin.schedule(*fifteen_percent())
                for n in range(40):
                    await tg.send_text(3000 + n, f"message {n}")
                texts = {n: [m.text for m in tg.standin.sent(3000 + n)] for n in range(40)}
                injected = len(tg.standin.faults.injected)
        finally:
            root.removeHandler(handler)
        assert texts == {n: [f"reply to message {n}"] for n in range(40)}
        assert injected == 8
        log_lines = out.getvalue().splitlines()
        assert "Traceback" not in out.getvalue()
        assert len(log_lines) == 8, log_lines  # one WARNING per fault
        assert all("sendMessage: " in line and "attempt" in line for line in log_lines)

    async def test_a_crisis_reply_outlasts_an_outage_that_ends_a_normal_one(self, caplog):
        """Five failures in a row: the ordinary reply is given up (logged), the 999 one sent."""
        async with LoopbackTelegram(echo, MemoryStore()) as tg:
            tg.standin.fail("sendMessage", status=502, times=5)
            await tg.send_text(4001, "hello")
            tg.standin.fail("sendMessage", status=502, times=5)
            await tg.send_text(4002, "help me")
            normal, crisis = tg.standin.sent(4001), tg.standin.sent(4002)
        assert normal == []
        assert [StandIn.plain(m) for m in crisis] == ["Call 999 now (help me)"]
        gave_up = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(gave_up) == 1
        assert gave_up[0].startswith("sendMessage: HTTP 502 on attempt 5; giving up after")


class TestLogHygiene:
    TOKEN = "123456789:AAHstandinTOKENforTESTSonly_abcdefgh"

    def emit(self, *records: tuple) -> str:
        out = io.StringIO()
        handler = logging.StreamHandler(out)
        install_log_hygiene(self.TOKEN, [handler])
        logger = logging.getLogger("telegram.ext.Updater")
        logger.addHandler(handler)
        try:
            for level, msg, args, exc in records:
                logger.log(level, msg, *args, exc_info=exc)
        finally:
            logger.removeHandler(handler)
        return out.getvalue()

    def test_the_token_is_redacted_in_any_case_and_url_encoded(self) -> None:
        lower = self.TOKEN.lower()
        try:
            raise ValueError(f"bad url /bot{self.TOKEN.upper()}/getMe")
        except ValueError as err:
            error = err
        text = self.emit(
            (logging.ERROR, "token %s", (lower,), None),
            (
                logging.ERROR,
                "url %s",
                ("/bot123456789%3AAAHstandinTOKENforTESTSonly_abcdefgh",),
                None,
            ),
            (logging.ERROR, "boom", (), error),
        )
        assert "123456789:" not in text.lower().replace("123456789:<token>", "")
        assert "standintoken" not in text.lower()
        assert text.count("<token>") == 3

    def test_a_transient_traceback_becomes_one_warning_line(self) -> None:
        text = self.emit(
            (logging.ERROR, "Exception happened while polling for updates.", (), TimedOut())
        )
        assert text.splitlines() == ["Exception happened while polling for updates. (timed out)"]

    def test_an_unexpected_error_keeps_its_traceback(self) -> None:
        try:
            raise TelegramError("something new")
        except TelegramError as err:
            text = self.emit((logging.ERROR, "Exception happened", (), err))
        assert "Traceback (most recent call last)" in text

    def test_withheld_payloads_format_cleanly(self, capsys) -> None:
        """A dict argument (PTB's unparsable update) must not break the record."""
        from bot.telegram.app import quiet_loggers

        quiet_loggers()
        out = io.StringIO()
        handler = logging.StreamHandler(out)
        logger = logging.getLogger("telegram.ext.Updater")
        logger.addHandler(handler)
        try:
            logger.critical(
                "Received data was *not* processed! Received data was: %r",
                {"update_id": 1, "message": {"text": "my private words"}},
            )
            logger.critical("Received data %s from %s", "secret words", "someone")
        finally:
            logger.removeHandler(handler)
        assert "Logging error" not in capsys.readouterr().err
        assert out.getvalue().splitlines() == [
            "Received data was *not* processed! Received data was: <withheld>",
            "Received data <withheld> from <withheld>",
        ]
