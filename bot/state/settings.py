"""The state store's environment settings, checked once at start-up with pydantic.

A wrong value stops the bot with one line naming the variable and what it may be, instead
of a traceback later or, worse, a value like `nan` that quietly stops expiry. Only bot/cli.py
hands the environment in; nothing here reads os.environ itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

log = logging.getLogger(__name__)

DEFAULT_TTL = 1800.0
MAX_TTL = 86_400.0  # a day: longer than anyone needs to pick a conversation up again
MIN_SECRET_CHARS = 16
APP_DIR = "cyber-signpost"
SECRET_NAME = "state.secret"

# What each variable may hold, said the way the error line says it.
ALLOWED: dict[str, str] = {
    "BOT_STATE_TTL": f"a number of seconds from 1 to {MAX_TTL:.0f} (default {DEFAULT_TTL:.0f})",
    "BOT_DB": "a path to an SQLite file (not a folder), or unset",
    "BOT_STATE_SECRET": f"at least {MIN_SECRET_CHARS} characters of text, or unset",
    "BOT_SECRET_FILE": "a path to a file (not a folder), or unset",
    "XDG_CONFIG_HOME": "an absolute folder path (anything else is ignored)",
}


class SettingsError(ValueError):
    """A setting is wrong; str() is the one line to show the operator."""


def _file_path(value: str | None) -> Path | None:
    if value is None:
        return None
    if not value or "\0" in value:
        raise ValueError("empty or holds a NUL byte")
    path = Path(value)
    if path.is_dir():
        raise ValueError("is a folder")
    return path


class StateSettings(BaseModel):
    """BOT_STATE_TTL, BOT_DB, BOT_STATE_SECRET and BOT_SECRET_FILE, each checked."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    ttl: Annotated[float, Field(alias="BOT_STATE_TTL", ge=1, le=MAX_TTL, allow_inf_nan=False)] = (
        DEFAULT_TTL
    )
    db: Annotated[Path | None, Field(alias="BOT_DB")] = None
    state_secret: Annotated[str | None, Field(alias="BOT_STATE_SECRET", repr=False)] = None
    secret_file: Annotated[Path | None, Field(alias="BOT_SECRET_FILE")] = None
    config_home: Annotated[Path | None, Field(alias="XDG_CONFIG_HOME")] = None

    @field_validator("db", "secret_file", mode="before")
    @classmethod
    def _a_file(cls, value: str | None) -> Path | None:
        return _file_path(value)

    @field_validator("state_secret", mode="before")
    @classmethod
    def _a_secret(cls, value: str | None) -> str | None:
        if not value:
            return None  # empty counts as unset, as bot.state.secret documents
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("not valid UTF-8") from None
        if len(value) < MIN_SECRET_CHARS:
            raise ValueError("too short")
        return value

    @field_validator("config_home", mode="before")
    @classmethod
    def _a_folder(cls, value: str | None) -> Path | None:
        if not value or "\0" in value or not Path(value).is_absolute():
            return None  # the XDG spec says a relative value is to be ignored
        return Path(value)

    def secret_path(self, db_path: Path | None) -> Path:
        """Where the generated secret lives: BOT_SECRET_FILE, else the user's config folder.

        Kept out of the data folder so that a copy of the database alone (a backup, a shared
        volume) cannot be used to test guessed chat ids against its keys.
        """
        if self.secret_file is not None:
            return self.secret_file
        if db_path is not None:
            legacy = db_path.parent / SECRET_NAME
            if legacy.is_file():
                log.warning(
                    "using the secret %s next to the database; move it out of the data folder "
                    "and set BOT_SECRET_FILE (or BOT_STATE_SECRET)",
                    legacy,
                )
                return legacy
        home = self.config_home or Path.home() / ".config"
        return home / APP_DIR / SECRET_NAME


def settings_from_env(environ: Mapping[str, str]) -> StateSettings:
    """Check the state settings; SettingsError names the first wrong one and what it may be."""
    names = set(ALLOWED)
    values = {k: v for k, v in environ.items() if k in names}
    try:
        return StateSettings.model_validate(values)
    except ValidationError as error:
        name = str(error.errors()[0]["loc"][0])
        shown = "" if name == "BOT_STATE_SECRET" else f"={values.get(name, '')!r}"
        raise SettingsError(f"{name}{shown} is not allowed: use {ALLOWED[name]}") from None
