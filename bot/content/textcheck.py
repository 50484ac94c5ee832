"""Checks on one piece of reply text: placeholders, Telegram HTML, typed numbers, length.

Pure: no I/O. Each problem points at the line inside the file where the mistake sits.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field

from bot.content.problem import Problem
from bot.content.schema import RouteModel
from bot.content.yamlload import Doc, Loc
from bot.core.html import html_problems, visible_text
from bot.core.template import KEY_NAME, PLACEHOLDER, render

log = logging.getLogger(__name__)

_LINK = re.compile(r"https?://[^\s<>\"']+|\bwww\.[^\s<>\"']+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A digit run (groups may be split by single spaces or hyphens) not glued to a word,
# a price, a decimal or a time: "0300 123 2040" yes; "£1.99", "24/7", "2,000" no.
_NUMBER = re.compile(r"(?<![\w£$€.,/:-])\d(?:[ -]?\d)*(?![\w%])")
_SHORT_NUMBERS = frozenset({"999", "101", "159", "111", "112", "105", "116123", "7726"})
_BRACES = re.compile(r"\{[^{}\n]{0,60}\}|[{}]")


@dataclass
class Catalog:
    """What the text checks need to know about routes."""

    routes: dict[str, RouteModel]
    trusted: bool = True  # False when routes.yaml itself is broken: skip unknown-route checks
    broken: set[str] = field(default_factory=set)  # route ids whose entry has errors
    by_value: dict[str, str] = field(default_factory=dict)  # contact value -> placeholder

    @classmethod
    def build(cls, routes: dict[str, RouteModel], *, trusted: bool, broken: set[str]) -> Catalog:
        by_value: dict[str, str] = {}
        for route in routes.values():
            for key, value in route.contacts.items():
                placeholder = f"{{{route.id}.{key}}}"
                by_value.setdefault(value.strip().lower().rstrip("/"), placeholder)
                digits = re.sub(r"\D", "", value)
                if digits and not re.search(r"[a-z]", value.lower()):
                    by_value.setdefault(digits, placeholder)
        return cls(routes, trusted, broken, by_value)


def _suggest(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _placeholder_problems(text: str, catalog: Catalog) -> tuple[list[tuple[int, str]], bool]:
    found: list[tuple[int, str]] = []
    complete = True
    for match in PLACEHOLDER.finditer(text):
        route_id, key = match.group(1), match.group(2)
        if text.rfind("<", 0, match.start()) > text.rfind(">", 0, match.start()):
            found.append(
                (
                    match.start(),
                    f"{match.group(0)} is inside a tag: write it on its own, "
                    "the bot turns web addresses into links itself",
                )
            )
        route = catalog.routes.get(route_id)
        if route is None:
            complete = False
            if catalog.trusted and route_id not in catalog.broken:
                found.append(
                    (
                        match.start(),
                        f"unknown route {route_id!r}"
                        f"{_suggest(route_id, sorted(catalog.routes))}: routes are defined in "
                        "responses/routes.yaml",
                    )
                )
            continue
        if key != KEY_NAME and key not in route.contacts:
            complete = False
            keys = [KEY_NAME, *route.contacts]
            found.append(
                (
                    match.start(),
                    f"route {route_id!r} has no contact {key!r}"
                    f"{_suggest(key, keys)}: it has {', '.join(keys)}",
                )
            )
    blanked = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    for match in _BRACES.finditer(blanked):
        complete = False
        found.append(
            (
                match.start(),
                f"{match.group(0)!r} is not a placeholder: write "
                "{route_id.key} in lower case with one dot, e.g. {report_fraud.web}",
            )
        )
    return found, complete


def _typed_contacts(text: str, catalog: Catalog) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    chars = list(PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text))

    def advice(shown: str, lookup: str, key: str, noun: str) -> str:
        known = catalog.by_value.get(lookup)
        where = known or f"{{route.{key}}}"
        tail = "" if known else " (add it to responses/routes.yaml first if it is new)"
        return f"{noun} {shown!r} typed into the text: write {where} instead{tail}"

    for pattern, key, noun in ((_LINK, "web", "link"), (_EMAIL, "email", "email address")):
        for match in pattern.finditer("".join(chars)):
            value = match.group(0).rstrip(".,;:!?)")
            lookup = value.lower().rstrip("/")
            found.append((match.start(), advice(value, lookup, key, noun)))
            chars[match.start() : match.end()] = " " * (match.end() - match.start())
    for match in _NUMBER.finditer("".join(chars)):
        digits = re.sub(r"\D", "", match.group(0))
        if (
            len(digits) >= 5
            or (digits.startswith("0") and len(digits) >= 3)
            or (digits in _SHORT_NUMBERS or digits in catalog.by_value)
        ):
            found.append((match.start(), advice(match.group(0), digits, "phone", "number")))
    return found


def check_text(
    doc: Doc, loc: Loc, text: str, catalog: Catalog, *, limit: int, what: str
) -> tuple[list[Problem], tuple[str, ...] | None]:
    """Check one reply text; return its problems and the routes it names (None if unsure)."""
    spots, complete = _placeholder_problems(text, catalog)
    html_spots = html_problems(text)
    spots += html_spots + _typed_contacts(text, catalog)
    problems = [Problem(doc.path, doc.text_line(loc, offset), msg) for offset, msg in spots]
    if not complete:
        return problems, None
    rendered, named = render(text, catalog.routes)  # type: ignore[arg-type]
    size = len(visible_text(rendered).strip())
    if size > limit and not html_spots:
        problems.append(
            Problem(
                doc.path,
                doc.line(loc),
                f"{what} is {size} characters once filled in, "
                f"over the {limit} limit: shorten it or move detail into a section",
            )
        )
    return problems, named


def check_label(doc: Doc, loc: Loc, text: str, *, limit: int, what: str) -> list[Problem]:
    """Check a button label: plain text, short enough for a phone screen."""
    problems = []
    if "<" in text or PLACEHOLDER.search(text) or "&" in text:
        problems.append(
            Problem(
                doc.path,
                doc.line(loc),
                f"{what} is a button label: plain text only, no tags, entities or placeholders",
            )
        )
    if len(text) > limit:
        problems.append(
            Problem(
                doc.path,
                doc.line(loc),
                f"{what} is {len(text)} characters, over the {limit} limit: shorten it",
            )
        )
    if not text.strip():
        problems.append(Problem(doc.path, doc.line(loc), f"{what} is empty: write a label"))
    return problems
