"""Log hygiene for the Telegram channel: no token, no user text, no noise for expected faults.

Filters sit on the root logger's handlers, so they see every record whichever logger made it
(python-telegram-bot, httpx, tornado, ours), at every level:

- `RedactToken` removes the bot token from the formatted message, the exception text and the
  stack, in any letter case and URL-encoded.
- `QuietTransientFaults` turns a python-telegram-bot traceback for a fault we retry (flood wait,
  time-out, 5xx, an HTML page instead of JSON) into one WARNING line, and drops the two PTB
  lines that duplicate our own retry log. Unexpected errors keep their traceback.
- `WithholdPayloads` blanks the update PTB logs when it cannot parse one (what people wrote).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from bot.telegram.guard import fault_kind

log = logging.getLogger(__name__)

# PTB lines that repeat what with_retry (or the polling loop's own line) already says.
_DUPLICATES = (
    "Can not load invalid JSON data",  # the HTML page itself follows, with a traceback
    "Rate limit hit after maximum of",  # AIORateLimiter with max_retries=0: we retry
)
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z%]")


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # a record whose args do not fit: keep what it says
        return f"{record.msg} {record.args!r}"


class RedactToken(logging.Filter):
    """Replace the token (and its secret half) with <token> everywhere in a record."""

    def __init__(self, token: str) -> None:
        super().__init__()
        secret = token.partition(":")[2]
        forms = {token, quote(token, safe=""), secret} - {""}
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        self._pattern = re.compile(alternatives, re.IGNORECASE) if alternatives else None

    def redact(self, text: str) -> str:
        return self._pattern.sub("<token>", text) if self._pattern else text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is None:
            return True
        record.msg = self.redact(_message(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class QuietTransientFaults(logging.Filter):
    """PTB's tracebacks for faults we retry become one WARNING line; duplicates are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram"):
            return True
        if any(str(record.msg).startswith(d) for d in _DUPLICATES):
            return False
        text = _message(record)
        if "(Bootstrap" in text and "Aborting" in text:
            return False  # start-up gave up and raised: run() says why, in one line
        error = record.exc_info[1] if record.exc_info else None
        kind = fault_kind(error) if error is not None else None
        if kind is None:
            return True
        record.msg = f"{text} ({kind})"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class WithholdPayloads(logging.Filter):
    """PTB logs a whole update (with what the person wrote) when it cannot parse one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO and "Received data" in str(record.msg):
            # Blank every placeholder rather than rebuild args: PTB may pass a single dict,
            # which logging unpacks as a mapping, and a wrong count breaks the record.
            record.msg = _PLACEHOLDER.sub(
                lambda m: "%" if m.group() == "%%" else "<withheld>", str(record.msg)
            )
            record.args = None
        return True


def install_log_hygiene(token: str, handlers: list[logging.Handler] | None = None) -> None:
    """Put the filters on the given handlers (default: the root logger's), once each."""
    targets = logging.getLogger().handlers if handlers is None else handlers
    for handler in targets:
        ours = [f for f in handler.filters if isinstance(f, RedactToken | QuietTransientFaults)]
        for old in ours:
            handler.removeFilter(old)
        handler.addFilter(QuietTransientFaults())
        handler.addFilter(RedactToken(token))
