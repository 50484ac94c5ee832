"""Operators' views: what the bot gets wrong and why, measured quality, usage, review."""

from __future__ import annotations
