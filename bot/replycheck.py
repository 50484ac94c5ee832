"""Checks on one response file: ids, reply texts, button labels and data, routes named.

Pure: no I/O; text-level rules live in textcheck.
"""

from __future__ import annotations

import logging

from bot import contract as c
from bot.problem import Problem
from bot.schema import ResponseModel, RouteModel
from bot.textcheck import Catalog, check_label, check_text
from bot.yamlload import Doc

log = logging.getLogger(__name__)


def _example_placeholder(route: RouteModel | None, route_id: str) -> str:
    key = next(iter(route.contacts), "phone") if route else "phone"
    return f"{{{route_id}.{key}}}"


def _callback(doc: Doc, line: int, data: str) -> list[Problem]:
    size = len(data.encode())
    if size <= c.MAX_CALLBACK_BYTES:
        return []
    message = f"button data {data!r} is {size} bytes, over Telegram's {c.MAX_CALLBACK_BYTES}"
    return [Problem(doc.path, line, f"{message}: use a shorter id")]


def check_response(
    catalog: Catalog, stem: str, doc: Doc, r: ResponseModel, *, crime: bool
) -> list[Problem]:
    """Check one response file: ids, texts, labels, buttons and the routes it must name."""
    p: list[Problem] = []
    if r.id != stem:
        p.append(
            Problem(
                doc.path,
                doc.line(("id",)),
                f"id {r.id!r} does not match the file name: expected id: {stem}",
            )
        )
    found, named = check_text(
        doc, ("first_reply",), r.first_reply, catalog, limit=c.MAX_FIRST_REPLY, what="first_reply"
    )
    p += found
    required = list(c.MUST_MENTION.get(stem, ()))
    if crime and c.SUPPORT_ROUTE not in required:
        required.append(c.SUPPORT_ROUTE)
    if named is not None:
        for route_id in required:
            if route_id not in named:
                route = catalog.routes.get(route_id)
                p.append(
                    Problem(
                        doc.path,
                        doc.line(("first_reply",)),
                        f"first_reply must name {route_id} with a contact placeholder "
                        f"such as {_example_placeholder(route, route_id)}",
                    )
                )
    seen: dict[str, int] = {}
    for i, section in enumerate(r.sections):
        loc = ("sections", i)
        line = doc.line((*loc, "id"))
        if section.id in seen:
            p.append(
                Problem(
                    doc.path,
                    line,
                    f"section id {section.id!r} is used twice "
                    f"(first at line {seen[section.id]}): give each section its own id",
                )
            )
        seen.setdefault(section.id, line)
        p += check_label(
            doc, (*loc, "title"), section.title, limit=c.MAX_SECTION_TITLE, what="section title"
        )
        p += check_text(
            doc,
            (*loc, "text"),
            section.text,
            catalog,
            limit=c.MAX_SECTION_TEXT,
            what="section text",
        )[0]
        p += _callback(doc, line, f"section:{stem}:{section.id}")
    if r.question is not None:
        q = r.question
        p += check_text(
            doc,
            ("question", "text"),
            q.text,
            catalog,
            limit=c.MAX_FIRST_REPLY,
            what="question text",
        )[0]
        ids: dict[str, int] = {}
        for i, answer in enumerate(q.answers):
            loc = ("question", "answers", i)
            line = doc.line((*loc, "id"))
            if answer.id in ids:
                p.append(
                    Problem(
                        doc.path,
                        line,
                        f"answer id {answer.id!r} is used twice (first at line {ids[answer.id]})",
                    )
                )
            ids.setdefault(answer.id, line)
            p += check_label(
                doc, (*loc, "label"), answer.label, limit=c.MAX_BUTTON_LABEL, what="answer label"
            )
            p += check_text(
                doc,
                (*loc, "text"),
                answer.text,
                catalog,
                limit=c.MAX_ANSWER_TEXT,
                what="answer text",
            )[0]
            p += _callback(doc, line, f"answer:{stem}:{answer.id}")
        missing = [a for a in c.REQUIRED_ANSWERS if a not in ids]
        if missing:
            p.append(
                Problem(
                    doc.path,
                    doc.line(("question", "answers")),
                    f"question answers must include {' and '.join(repr(a) for a in missing)}"
                    f" (ids: {', '.join(c.ANSWER_IDS)})",
                )
            )
    return p
