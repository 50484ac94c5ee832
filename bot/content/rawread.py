"""Read a content file's text safely: never open what is not a regular file, never read huge ones.

Boundary: file-system reads only; every failure comes back as a Problem in plain words.
"""

from __future__ import annotations

import errno
import logging
import stat
from pathlib import Path

from yaml.reader import Reader

from bot.content.problem import Problem

log = logging.getLogger(__name__)

MAX_BYTES = 1_000_000

_CONTROL_NAMES = {
    "\x00": "a NUL character (U+0000)",
    "\x0b": "a vertical tab (U+000B, the soft line break Word makes with Shift+Enter)",
    "\x0c": "a form feed (U+000C, a Word page break)",
}


def _decode(raw: bytes, path: str, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start : exc.start + 1].hex()
        problems.append(
            Problem(path, line, f"file is not UTF-8 text (byte 0x{byte}): save it as UTF-8")
        )
        return None


def _control_character(text: str, path: str) -> Problem | None:
    """Name the first character YAML refuses, such as Word's soft line break."""
    found = Reader.NON_PRINTABLE.search(text)
    if found is None:
        return None
    char = found.group(0)
    name = _CONTROL_NAMES.get(char, f"an invisible control character (U+{ord(char):04X})")
    line = text.count("\n", 0, found.start()) + 1
    return Problem(
        path,
        line,
        f"the line contains {name}: it probably came from pasting from Word; delete it "
        "and type the line break or space again",
    )


def file_kind(file: Path) -> str | None:
    """Why `file` cannot be read as a content file, or None for a regular file.

    Uses stat only, so a named pipe is named and never opened (opening one blocks).
    """
    try:
        mode = file.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that points back to itself (a loop): replace it"
        if not file.exists() and file.is_symlink():
            return "is a symbolic link to a file that does not exist: replace it"
        return f"cannot be read ({exc.strerror or exc}): check the file and its permissions"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file: rename or remove the folder"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file: remove it and save the content as a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a device or socket): remove it"
    return None


def _read_bytes(file: Path, path: str) -> tuple[bytes | None, list[Problem]]:
    kind = file_kind(file)
    if kind is not None:
        return None, [Problem(path, 1, kind)]
    size = file.stat().st_size
    if size > MAX_BYTES:
        message = f"file is {size:,} bytes, over the 1 MB limit: split it or remove text"
        return None, [Problem(path, 1, message)]
    try:
        with file.open("rb", buffering=0) as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        what = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or exc
        message = (
            f"cannot read the file ({what}): check that the bot's user may read it "
            "(for example chmod a+r)"
        )
        return None, [Problem(path, 1, message)]
    if len(raw) > MAX_BYTES:  # it grew after the size check
        return None, [Problem(path, 1, "file is over the 1 MB limit: split it or remove text")]
    return raw, []


def read_text(file: Path, path: str) -> tuple[str | None, list[Problem]]:
    """The decoded text of `file`, or None and the problems that stopped it being read."""
    raw, problems = _read_bytes(file, path)
    if raw is None:
        return None, problems
    text = _decode(raw, path, problems)
    if text is None:
        return None, problems
    control = _control_character(text, path)
    if control is not None:
        return None, [control]
    return text, []
