"""`catalog --route ID`: every place a route is used, so a changed number is changed everywhere.

Boundary: reads the content files; writes only to the streams handed in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bot.content.reader import read_tree
from bot.content.yamlload import Doc, Loc
from bot.core.template import PLACEHOLDER

log = logging.getLogger(__name__)


def _texts(doc: Doc, data: object) -> Iterator[tuple[Loc, str, str]]:
    """(loc, what it is, text) for every text of a response file that may name a route."""
    if not isinstance(data, dict):
        return
    if isinstance(data.get("first_reply"), str):
        yield ("first_reply",), "first reply", data["first_reply"]
    for i, section in enumerate(data.get("sections") or []):
        if isinstance(section, dict) and isinstance(section.get("text"), str):
            yield ("sections", i, "text"), f"section {section.get('id')!s}", section["text"]
    question = data.get("question")
    if isinstance(question, dict):
        if isinstance(question.get("text"), str):
            yield ("question", "text"), "question", question["text"]
        for i, answer in enumerate(question.get("answers") or []):
            if isinstance(answer, dict) and isinstance(answer.get("text"), str):
                where = ("question", "answers", i, "text")
                yield where, f"answer {answer.get('id')!s}", answer["text"]


def route_uses(root: Path, route_id: str) -> tuple[list[str], list[str]]:
    """Lines `path:line: what ({route.key})` using the route, sorted; and the known route ids."""
    tree = read_tree(Path(root))
    uses: list[tuple[str, int, str]] = []

    def scan(doc: Doc, loc: Loc, what: str, text: str) -> None:
        for found in PLACEHOLDER.finditer(text):
            if found.group(1) == route_id:
                line = doc.text_line(loc, found.start())
                uses.append((doc.path, line, f"{what} ({found.group(0)})"))

    for doc, _model in tree.responses.values():
        for loc, what, text in _texts(doc, doc.data):
            scan(doc, loc, what, text)
    if tree.system_doc is not None:
        for key, text in tree.system.items():
            scan(tree.system_doc, ("texts", key), f"system text {key}", text)
    lines = [f"{path}:{line}: {what}" for path, line, what in sorted(set(uses))]
    return lines, sorted(tree.routes)


def run_route_uses(root: Path, route_id: str, out: TextIO, err: TextIO) -> int:
    """Print every use of `route_id`; an unknown id lists the known ones and returns 1."""
    lines, known = route_uses(root, route_id)
    if route_id not in known:
        print(f"unknown route {route_id!r}: the routes are {', '.join(known)}", file=err)
        return 1
    for line in lines:
        print(line, file=out)
    print(f"{len(lines)} use(s) of route {route_id!r}.", file=out)
    return 0
