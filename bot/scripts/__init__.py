"""Scripted conversations: the YAML format, the runner (console or Telegram) and reports."""

from __future__ import annotations
