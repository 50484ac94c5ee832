"""Telegram settings read from the environment, checked before anything connects.

Pure: reads only the mapping it is given (cli.py passes os.environ). Every problem is a
SettingsError whose message is one line naming the variable, so the operator sees what to fix
without a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,60}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SettingsError(ValueError):
    """A missing or malformed setting; str() is one line that names the variable."""


@dataclass(frozen=True)
class TelegramSettings:
    """Everything the adapter needs to connect; built by settings_from_env or by tests."""

    token: str
    base_url: str | None = None  # python-telegram-bot base_url: ".../bot" (token appended)
    base_file_url: str | None = None
    webhook: bool = False
    webhook_url: str = ""
    webhook_path: str = ""
    listen: str = "0.0.0.0"  # a web dyno must listen on every interface
    port: int = 0
    secret: str = ""
    admin_chat_ids: frozenset[int] = frozenset()
    # Tuning, not read from the environment; tests and the loopback shorten them.
    request_timeout: float = 10.0
    poll_timeout: float = 10.0
    rate_limit: bool = True
    concurrency: int = 32  # updates in flight at once (one at a time within a chat); the
    # rate limiter keeps to Telegram's ~30 messages a second, and a reply stuck in a 10 s
    # time-out or a flood wait must not stall everyone else (benchmarks/soak.py: at 4, a
    # 15% fault share left half the messages unanswered after a minute)
    retry_attempts: int = 5
    retry_base_delay: float = 0.5

    def __repr__(self) -> str:
        # Never print the token, even in a debugger or a failing test's assertion.
        return f"TelegramSettings(webhook={self.webhook}, base_url={self.base_url!r}, ...)"


def settings_from_env(env: Mapping[str, str], *, webhook: bool) -> TelegramSettings:
    """Read and check the TELEGRAM_* and WEBHOOK_* variables.

    Raises:
        SettingsError: the first variable that is missing or malformed, named in one line.
    """
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set: ask @BotFather for a token (see docs/telegram.md)"
        )
    if not _TOKEN.match(token):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token "
            "(expected digits, a colon, then about 35 letters, digits, - or _)"
        )
    base_url, file_url = _api_urls(env.get("TELEGRAM_BOT_API_URL", "").strip())
    admins = _admin_ids(env.get("ADMIN_CHAT_IDS", ""))
    if not webhook:
        return TelegramSettings(token, base_url, file_url, admin_chat_ids=admins)
    url = env.get("WEBHOOK_URL", "").strip()
    if not url:
        raise SettingsError(
            "WEBHOOK_URL is not set: the public https:// address Telegram posts to"
        )
    parts = urlsplit(url)
    local_http = parts.scheme == "http" and base_url is not None
    if not parts.netloc or (parts.scheme != "https" and not local_http):
        raise SettingsError(
            f"WEBHOOK_URL must be an https:// address (http:// only with a self-hosted "
            f"TELEGRAM_BOT_API_URL), got {url!r}"
        )
    port_text = env.get("PORT", "").strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"PORT must be a port number from 1 to 65535, got {port_text!r}")
    secret = env.get("WEBHOOK_SECRET", "").strip()
    if not _SECRET.match(secret):
        raise SettingsError(
            "WEBHOOK_SECRET must be set to 1-256 letters, digits, - or _ (make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return TelegramSettings(
        token,
        base_url,
        file_url,
        webhook=True,
        webhook_url=url,
        webhook_path=parts.path.lstrip("/"),
        listen=env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
        port=int(port_text),
        secret=secret,
        admin_chat_ids=admins,
    )


def _api_urls(raw: str) -> tuple[str | None, str | None]:
    """Accept http://host:port, http://host:port/bot or a {token} template."""
    if not raw:
        return None, None
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(
            f"TELEGRAM_BOT_API_URL must be an http:// or https:// address, got {raw!r}"
        )
    if "{token}" in raw:
        return raw, raw.replace("/bot{token}", "/file/bot{token}")
    root = raw.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def _admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            ids.add(int(item))
        except ValueError:
            raise SettingsError(
                f"ADMIN_CHAT_IDS must be chat ids separated by commas, got {item!r}"
            ) from None
    return frozenset(ids)
