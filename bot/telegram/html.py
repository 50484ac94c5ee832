"""Telegram's HTML subset: check it as Telegram does, split long messages, strip to plain text.

Pure: no I/O, no telegram import. The checker follows the rules of Telegram's own parser
(tdlib's parse_html) so the stand-in rejects what Telegram rejects; the splitter and the
stripper are what the adapter uses before and after sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEXT = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH, counted after parsing

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{0,31}));")
_ATTR = re.compile(r"""\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; str() is Telegram's description after the prefix."""


def _offset(text: str, index: int) -> int:
    # Telegram reports UTF-8 byte offsets, not character positions.
    return len(text[:index].encode("utf-8"))


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexa, name = match.groups()
    if name is not None:
        return NAMED_ENTITIES.get(name)
    code = int(decimal) if decimal is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(text: str, *, strict_entities: bool = False) -> str:
    """Return the visible text of Telegram HTML, or raise HtmlError as Telegram would.

    Telegram shows an unknown named entity such as ``&nbsp;`` literally; with
    ``strict_entities`` it is an error instead, because content that relies on it is a bug.
    """
    out: list[str] = []
    stack: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            match = _ENTITY.match(text, i)
            decoded = _decode_entity(match) if match else None
            if decoded is None:
                if strict_entities and match:
                    raise HtmlError(
                        f'unsupported HTML entity "{match.group(0)}" at byte offset '
                        f"{_offset(text, i)}"
                    )
                out.append("&")
                i += 1
                continue
            out.append(decoded)
            i = match.end()  # type: ignore[union-attr]
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        end = text.find(">", i)
        if text.startswith("</", i):
            if end < 0:
                raise HtmlError(f"Unclosed end tag at byte offset {_offset(text, i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {_offset(text, i)}")
            if name and name != stack[-1]:
                raise HtmlError(
                    f"Unmatched end tag at byte offset {_offset(text, i)}, "
                    f'expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
            i = end + 1
            continue
        name_match = re.match(r"<([a-zA-Z][a-zA-Z0-9-]*)", text[i:])
        if name_match is None:
            raise HtmlError(f'Unsupported start tag "" at byte offset {_offset(text, i)}')
        name = name_match.group(1).lower()
        if name not in SUPPORTED_TAGS:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {_offset(text, i)}')
        if end < 0:
            raise HtmlError(f"Unclosed start tag at byte offset {_offset(text, i)}")
        attrs = _parse_attrs(text[i + name_match.end() : end], name, text, i)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_offset(text, i)}'
            )
        stack.append(name)
        i = end + 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _parse_attrs(raw: str, tag: str, text: str, at: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    raw = raw.rstrip("/ \t\r\n")
    while pos < len(raw):
        match = _ATTR.match(raw, pos)
        if match is None or match.end() == pos:
            raise HtmlError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_offset(text, at)}"
            )
        value = match.group(2) or ""
        if value[:1] in {'"', "'"}:
            value = value[1:-1]
        attrs[match.group(1).lower()] = value
        pos = match.end()
    return attrs


# ---------------------------------------------------------------- splitting


@dataclass(frozen=True)
class _Atom:
    raw: str
    visible: int  # characters this atom shows (0 for tags)
    tag: str | None = None  # lower-case tag name for tags
    closing: bool = False


_TOKEN = re.compile(r"<[^>]*>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);|.", re.S)


def _atoms(html: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _TOKEN.finditer(html):
        raw = match.group(0)
        if raw.startswith("<") and len(raw) > 1:
            closing = raw.startswith("</")
            name = re.match(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)", raw)
            atoms.append(_Atom(raw, 0, name.group(1).lower() if name else "", closing))
        else:
            atoms.append(_Atom(raw, 1))
    return atoms


def visible_length(html: str) -> int:
    """Count the characters Telegram will count: tags are free, an entity is one."""
    return sum(atom.visible for atom in _atoms(html))


def split_html(html: str, limit: int = MAX_TEXT) -> list[str]:
    """Split HTML into parts of at most `limit` visible characters, each valid on its own.

    Cuts at a blank line if one fits, else at a line end, else at a space; tags open at
    a cut are closed at the end of one part and opened again at the start of the next.
    """
    if visible_length(html) <= limit:
        return [html]
    atoms = _atoms(html)
    parts: list[str] = []
    stack: list[_Atom] = []
    i = 0
    while i < len(atoms):
        while i < len(atoms) and atoms[i].raw in {" ", "\n"}:
            i += 1
        if i >= len(atoms):
            break
        end = _cut(atoms, i, limit)
        prefix = "".join(atom.raw for atom in stack)
        body = "".join(atom.raw for atom in atoms[i:end])
        for atom in atoms[i:end]:
            _track(stack, atom)
        suffix = "".join(f"</{atom.tag}>" for atom in reversed(stack))
        part = (prefix + body).rstrip() + suffix
        if visible_length(part.strip()) > 0 and _has_text(part):
            parts.append(part)
        i = end
    return parts


def _has_text(part: str) -> bool:
    return any(atom.visible and not atom.raw.isspace() for atom in _atoms(part))


def _track(stack: list[_Atom], atom: _Atom) -> None:
    if atom.tag is None:
        return
    if not atom.closing:
        stack.append(atom)
    elif stack and stack[-1].tag == atom.tag:
        stack.pop()


def _cut(atoms: list[_Atom], start: int, limit: int) -> int:
    """Return the index after the last atom of the part that starts at `start`."""
    visible = 0
    j = start
    paragraph = line = space = 0
    while j < len(atoms) and visible + atoms[j].visible <= limit:
        visible += atoms[j].visible
        j += 1
        raw = atoms[j - 1].raw
        if raw == "\n" and j - 2 >= start and atoms[j - 2].raw == "\n":
            paragraph = j
        elif raw == "\n":
            line = j
        elif raw == " ":
            space = j
    if j >= len(atoms):
        return len(atoms)
    return paragraph or line or space or max(j, start + 1)


def split_plain(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split plain text at the same boundaries as split_html."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return [unescape(part) for part in split_html(escaped, limit)]


# ---------------------------------------------------------------- stripping

_LINK = re.compile(r"<a\s[^>]*?href\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)[^>]*>(.*?)</a\s*>", re.S)


def unescape(text: str) -> str:
    """Decode the entities Telegram decodes, leaving anything else as it is."""

    def decode(match: re.Match[str]) -> str:
        decoded = _decode_entity(match)
        return match.group(0) if decoded is None else decoded

    return _ENTITY.sub(decode, text)


def strip_tags(html: str) -> str:
    """Turn Telegram HTML into plain text, keeping link targets readable: "label (url)"."""

    def link(match: re.Match[str]) -> str:
        raw_url = match.group(1).strip("\"'")
        label = match.group(2)
        url = unescape(raw_url)
        if url in unescape(re.sub(r"<[^>]*>", "", label)) or url.startswith("tg://"):
            return label
        return f"{label} ({raw_url})"

    without_links = _LINK.sub(link, html)
    return unescape(re.sub(r"<[^>]*>", "", without_links))
