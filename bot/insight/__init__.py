"""Operators' views: what the bot gets wrong and why, measured quality, usage and review.

Usage counts are aggregate and review is opt-in and redacted: nothing here holds a chat id,
and nothing is finer than a day. The conversation core never imports this package;
session.handle is told about each turn through an observer callable.
"""

from __future__ import annotations
