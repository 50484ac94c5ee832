"""Operator-facing content checks: `python -m bot validate` and `python -m bot catalog`.

Boundary: check() never prints; run_validate/run_catalog write only to the streams given.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.content.confusable import check_confusable
from bot.content.gate import build_content, gate, inspect_content
from bot.content.problem import ContentError, Problem, refusal_lines
from bot.content.safetycheck import GateSettings
from bot.core.html import visible_text
from bot.core.model import Content, Route
from bot.core.template import render

log = logging.getLogger(__name__)

__all__ = [
    "ContentError",
    "Problem",
    "catalog_dict",
    "check",
    "reply_words",
    "run_catalog",
    "run_validate",
]


def check(
    root: Path,
    *,
    contract: bool = True,
    today: date | None = None,
    settings: GateSettings | None = None,
) -> list[Problem]:
    """Return every problem the gate finds under `root`, sorted by path and line."""
    return gate(Path(root), contract=contract, today=today, settings=settings).problems


def _print_problems(problems: list[Problem], err: TextIO) -> None:
    for line in refusal_lines(problems):
        print(line, file=err)


def run_validate(
    root: Path,
    out: TextIO,
    err: TextIO,
    *,
    contract: bool = True,
    today: date | None = None,
    settings: GateSettings | None = None,
) -> int:
    """Check the content and report like a compiler; return the exit code (0 ok, 1 errors)."""
    gated = gate(Path(root), contract=contract, today=today, settings=settings)
    problems, content = gated.problems, gated.content
    if content is None:
        _print_problems(problems, err)
        return 1
    intents = content.intents.values()
    crime = sum(i.kind == "crime" for i in intents)
    print(
        f"Content OK: {len(content.intents)} intents ({crime} crime, "
        f"{len(content.intents) - crime} service), "
        f"{sum(len(i.examples) for i in intents)} examples, "
        f"{sum(len(i.keywords) for i in intents)} keywords, "
        f"{len(content.routes)} routes, {len(content.responses)} responses.",
        file=out,
    )
    if gated.tree is not None:
        # Only here, not at start-up: comparing every example with every other takes a second.
        problems = sorted({*problems, *check_confusable(gated.tree)})
    warnings = [p for p in problems if not p.is_error]
    if warnings:
        print(f"{len(warnings)} warning(s):", file=out)
        for problem in warnings:
            print(problem.format(), file=out)
    return 0


def reply_words(html: str) -> int:
    """Words the user reads in a filled-in reply: first replies must stay short on a phone."""
    return len(visible_text(html).split())


def _rendered(text: str, routes: Mapping[str, Route]) -> dict[str, object]:
    html, named = render(text, routes)
    return {"text": html, "routes": list(named)}


def catalog_dict(content: Content) -> dict[str, object]:
    """Everything the bot knows, as plain JSON-ready values with texts filled in."""
    routes = content.routes
    responses = []
    for response in sorted(content.responses.values(), key=lambda r: r.id):
        first, named = render(response.first_reply, routes)
        question = None
        if response.question is not None:
            question = {
                **_rendered(response.question.text, routes),
                "answers": [
                    {"id": a.id, "label": a.label, **_rendered(a.text, routes)}
                    for a in response.question.answers
                ],
            }
        responses.append(
            {
                "id": response.id,
                "first_reply": first,
                "first_reply_words": reply_words(first),
                "routes": list(named),
                "sections": [
                    {"id": s.id, "title": s.title, **_rendered(s.text, routes)}
                    for s in response.sections
                ],
                "question": question,
            }
        )
    return {
        "intents": [
            {
                "id": i.id,
                "kind": i.kind,
                "title": i.title,
                "description": i.description,
                "group": i.group,
                "examples": list(i.examples),
                "keywords": list(i.keywords),
            }
            for i in sorted(content.intents.values(), key=lambda i: i.id)
        ],
        "routes": [
            {
                "id": r.id,
                "name": r.name,
                "purpose": r.purpose,
                "who": r.who,
                "contacts": dict(r.contacts),
                "hours": r.hours,
                "notes": r.notes,
                "source": list(r.source),
                "reviewed": r.reviewed,
            }
            for r in sorted(routes.values(), key=lambda r: r.id)
        ],
        "responses": responses,
    }


def run_catalog(root: Path, out: TextIO, err: TextIO) -> int:
    """Print the catalog the bot would load as JSON; on errors print them and return 1.

    Like `load_content`, it does not insist on every required intent: `validate` does.
    """
    tree, problems = inspect_content(Path(root), contract=False)
    if any(p.is_error for p in problems):
        _print_problems(problems, err)
        return 1
    json.dump(catalog_dict(build_content(tree)), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0
