"""Checks on one response file: ids, reply texts, button labels and data, routes named.

Pure: no I/O; text-level rules live in textcheck.
"""

from __future__ import annotations

import logging

from bot.content import contract as c
from bot.content.problem import Problem
from bot.content.schema import ResponseModel, RouteModel
from bot.content.textcheck import Catalog, check_label, check_text
from bot.content.yamlload import Doc
from bot.core.age import BANDS

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
    if named is not None and r.question is not None and r.question.kind == "age":
        # An age question comes before the routes: the answers name them.
        for answer in r.question.answers:
            # Problems in the answer's own text are reported below, once.
            more = check_text(
                doc, ("question",), answer.text, catalog, limit=c.MAX_MESSAGE, what=""
            )[1]
            named = (*named, *(more or ()))
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
        p += _check_item(
            doc,
            catalog,
            ("sections", i),
            f"section:{stem}",
            section.id,
            seen,
            label=("title", section.title, c.MAX_SECTION_TITLE, "section title"),
            text=(section.text, c.MAX_SECTION_TEXT, "section text"),
            advice=": give each section its own id",
        )
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
            p += _check_item(
                doc,
                catalog,
                ("question", "answers", i),
                f"answer:{stem}",
                answer.id,
                ids,
                label=("label", answer.label, c.MAX_BUTTON_LABEL, "answer label"),
                text=(answer.text, c.MAX_ANSWER_TEXT, "answer text"),
            )
        wanted = BANDS if q.kind == "age" else c.REQUIRED_ANSWERS
        allowed = BANDS if q.kind == "age" else c.ANSWER_IDS
        for i, answer in enumerate(q.answers):
            if answer.id not in allowed:
                p.append(
                    Problem(
                        doc.path,
                        doc.line(("question", "answers", i, "id")),
                        f"a {q.kind} question's answer ids are {', '.join(allowed)}",
                    )
                )
        missing = [a for a in wanted if a not in ids]
        if missing:
            p.append(
                Problem(
                    doc.path,
                    doc.line(("question", "answers")),
                    f"question answers must include {' and '.join(repr(a) for a in missing)}"
                    f" (ids: {', '.join(allowed)})",
                )
            )
    return p


def _check_item(
    doc: Doc,
    catalog: Catalog,
    loc: tuple[str | int, ...],
    data_prefix: str,
    item_id: str,
    seen: dict[str, int],
    *,
    label: tuple[str, str, int, str],
    text: tuple[str, int, str],
    advice: str = "",
) -> list[Problem]:
    """Check one section or answer: unique id, button label, text, and button data size."""
    p: list[Problem] = []
    line = doc.line((*loc, "id"))
    kind = data_prefix.split(":", 1)[0]
    if item_id in seen:
        p.append(
            Problem(
                doc.path,
                line,
                f"{kind} id {item_id!r} is used twice (first at line {seen[item_id]}){advice}",
            )
        )
    seen.setdefault(item_id, line)
    key, value, limit, what = label
    p += check_label(doc, (*loc, key), value, limit=limit, what=what)
    body, body_limit, body_what = text
    p += check_text(doc, (*loc, "text"), body, catalog, limit=body_limit, what=body_what)[0]
    p += _callback(doc, line, f"{data_prefix}:{item_id}")
    return p
