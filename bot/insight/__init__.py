"""Operators' views of the bot: measured quality and usage, as pages a manager can read."""

from __future__ import annotations
