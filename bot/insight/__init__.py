"""Tools that show operators what the bot gets wrong and why: misses, explanations, warnings."""

from __future__ import annotations
