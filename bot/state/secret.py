"""The secret that turns chat ids into store keys: from BOT_STATE_SECRET or a 0600 file.

File I/O only; never reads the environment (bot/cli.py passes the variable's value in).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)

SECRET_BYTES = 32
MIN_SECRET_BYTES = 16
_PRIVATE = 0o600


def load_or_create_secret(path: Path, env_value: str | None) -> bytes:
    """Return the store secret: the variable's value, else the file, else a new random file.

    The secret keeps chat ids out of the database: without it the keys cannot be
    matched back to a chat. It must survive restarts, or saved state is orphaned.

    Args:
        path: where the secret file lives (parent folders are created).
        env_value: the value of BOT_STATE_SECRET, or None. An empty value counts as unset.

    Raises:
        OSError: the file can be neither read nor created.
    """
    if env_value:
        secret = env_value.encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            log.warning(
                "BOT_STATE_SECRET is only %d bytes; use at least %d random bytes",
                len(secret),
                MIN_SECRET_BYTES,
            )
        return secret
    try:
        secret = _read_private(path)
    except FileNotFoundError:
        return _create(path)
    if not secret:
        log.warning("secret file %s is empty; writing a new secret (saved state is lost)", path)
        return _create(path, replace=True)
    return secret


def _read_private(path: Path) -> bytes:
    """Read the file, first closing it to other users if it was open to them."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            # Anyone who can read the secret can test guessed chat ids against the keys.
            os.fchmod(fd, _PRIVATE)
            log.warning(
                "secret file %s was readable by other users (mode %o); changed it to 600",
                path,
                mode,
            )
        with os.fdopen(fd, "rb") as file:
            fd = -1
            return file.read()
    finally:
        if fd >= 0:
            os.close(fd)


def _create(path: Path, *, replace: bool = False) -> bytes:
    """Write fresh random bytes, born 0600 so there is no moment they are readable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_bytes(SECRET_BYTES)
    target = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp") if replace else path
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
    except FileExistsError:
        # Another process created it between our read and our write: use theirs.
        return _read_private(path)
    try:
        os.fchmod(fd, _PRIVATE)  # the umask may have removed bits, never added; be explicit
        os.write(fd, secret)
        os.fsync(fd)
    finally:
        os.close(fd)
    if replace:
        Path(target).replace(path)
    log.info("created a new state secret in %s", path)
    return secret
