"""BOT_REVIEW_UNMATCHED and BOT_REVIEW_DAYS, checked once at start-up with pydantic.

As with bot.state.settings, a wrong value stops the bot with one line naming the variable.
Only bot/cli.py hands the environment in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.insight.review import DEFAULT_DAYS, MAX_DAYS
from bot.state.settings import SettingsError

log = logging.getLogger(__name__)

ALLOWED: dict[str, str] = {
    "BOT_REVIEW_UNMATCHED": "0 (off, the default) or 1 (keep redacted unmatched messages)",
    "BOT_REVIEW_DAYS": f"a whole number of days from 1 to {MAX_DAYS} (default {DEFAULT_DAYS})",
}


class InsightSettings(BaseModel):
    """Whether unmatched messages are kept for review, and for how many days."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    review: Annotated[bool, Field(alias="BOT_REVIEW_UNMATCHED")] = False
    review_days: Annotated[int, Field(alias="BOT_REVIEW_DAYS", ge=1, le=MAX_DAYS)] = DEFAULT_DAYS

    @field_validator("review", mode="before")
    @classmethod
    def _zero_or_one(cls, value: object) -> bool:
        if value in ("0", "", 0, False):
            return False
        if value in ("1", 1, True):
            return True
        raise ValueError("not 0 or 1")

    @field_validator("review_days", mode="before")
    @classmethod
    def _whole(cls, value: object) -> object:
        if isinstance(value, str):
            if not (value.isascii() and value.isdigit()):
                raise ValueError("not a whole number")
            return int(value)
        return value


def insight_from_env(environ: Mapping[str, str]) -> InsightSettings:
    """Check the review settings; SettingsError names the wrong one and what it may be."""
    values = {k: v for k, v in environ.items() if k in ALLOWED}
    try:
        return InsightSettings.model_validate(values)
    except ValidationError as error:
        name = str(error.errors()[0]["loc"][0])
        raise SettingsError(
            f"{name}={values.get(name, '')!r} is not allowed: use {ALLOWED[name]}"
        ) from None
