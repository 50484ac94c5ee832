"""TEST DOUBLE: a strict Telegram Bot API stand-in on 127.0.0.1, and a loopback driver.

Used by `python -m bot test --telegram`, the tests and the benchmarks so the real
python-telegram-bot stack runs over real HTTP without reaching Telegram. Not for production.
"""

from __future__ import annotations
