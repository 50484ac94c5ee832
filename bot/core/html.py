"""Check text against Telegram's HTML subset, and measure it as the user will see it.

Pure: no I/O. Telegram rejects a whole message for one bad tag, so we catch it first.
"""

from __future__ import annotations

import html as _html
import logging
import re

log = logging.getLogger(__name__)

ALLOWED = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
    | {"blockquote", "tg-spoiler", "span"}
)
ALLOWED_LIST = "b, i, u, s, a href, code, pre, blockquote, tg-spoiler"
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ATTR = re.compile(r"""\s*([a-zA-Z][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?\s*""")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_ANY_TAG = re.compile(r"<[^<>]*>")
# Tags whose content Telegram shows as plain code: nothing may be nested inside.
_VERBATIM = frozenset({"code", "pre"})


def _attributes(raw: str) -> dict[str, str] | None:
    attrs: dict[str, str] = {}
    pos = 0
    while pos < len(raw):
        match = _ATTR.match(raw, pos)
        if match is None:
            return None if raw[pos:].strip() else attrs
        attrs[match.group(1).lower()] = match.group(2) or match.group(3) or ""
        pos = match.end()
    return attrs


def _open_tag_problem(name: str, raw_attrs: str) -> str | None:
    attrs = _attributes(raw_attrs)
    if attrs is None:
        return f'<{name}> has attributes Telegram cannot read: write them as name="value"'
    if name == "a":
        if set(attrs) != {"href"} or not attrs["href"].strip():
            return '<a> needs exactly one attribute, href="...", with a web address'
        return None
    if name == "span":
        if attrs != {"class": "tg-spoiler"}:
            return '<span> is only allowed as <span class="tg-spoiler">'
        return None
    extra = (
        set(attrs)
        - ({"class"} if name in ("code", "pre") else set())
        - ({"expandable"} if name == "blockquote" else set())
    )
    if extra:
        return f"<{name}> takes no attribute {sorted(extra)[0]!r}: remove it"
    return None


def html_problems(text: str) -> list[tuple[int, str]]:
    """Return (offset, message) for every Telegram HTML mistake in `text`."""
    found: list[tuple[int, str]] = []
    stack: list[tuple[str, int]] = []
    refused: set[str] = set()
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "&":
            entity = _ENTITY.match(text, pos)
            if entity is None:
                named = re.match(r"&#?\w+;", text[pos:])
                what = f"{named.group(0)!r} is an entity" if named else "'&' on its own is"
                found.append(
                    (
                        pos,
                        f"{what} not accepted by Telegram: write &amp; for '&' "
                        "(Telegram knows only &lt; &gt; &amp; &quot;)",
                    )
                )
                pos += 1
            else:
                pos = entity.end()
            continue
        if char != "<":
            pos += 1
            continue
        tag = _TAG.match(text, pos)
        if tag is None:
            found.append((pos, "'<' that starts no tag: write &lt; for a less-than sign"))
            pos += 1
            continue
        closing, name, raw_attrs = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
        pos = tag.end()
        if name not in ALLOWED:
            if closing and name in refused:
                continue
            refused.add(name)
            found.append(
                (tag.start(), f"tag <{name}> is not allowed by Telegram: use only {ALLOWED_LIST}")
            )
            continue
        if closing:
            if not stack or stack[-1][0] != name:
                expected = f"</{stack[-1][0]}> first" if stack else f"an opening <{name}>"
                found.append(
                    (
                        tag.start(),
                        f"</{name}> does not match: expected {expected} "
                        "(close tags in reverse order)",
                    )
                )
                # Treat it as closing its own tag, so one slip gives one message.
                for index in range(len(stack) - 1, -1, -1):
                    if stack[index][0] == name:
                        del stack[index]
                        break
                continue
            stack.pop()
            continue
        if stack and stack[-1][0] in _VERBATIM and (stack[-1][0], name) != ("pre", "code"):
            found.append((tag.start(), f"<{name}> cannot go inside <{stack[-1][0]}>"))
        problem = _open_tag_problem(name, raw_attrs)
        if problem:
            found.append((tag.start(), problem))
        stack.append((name, tag.start()))
    for name, start in stack:
        found.append((start, f"<{name}> is never closed: add </{name}>"))
    return sorted(found)


def visible_text(text: str) -> str:
    """The text as the user sees it: tags removed and entities turned back into characters."""
    return _html.unescape(_ANY_TAG.sub("", text))
