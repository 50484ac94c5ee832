"""Load intents/ and responses/ into one immutable, validated Content value.

Boundary: reads files (through bot.reader); refuses content with errors by raising
ContentError, so a running bot keeps its old content when a reload fails.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from bot.checks import check_tree
from bot.contract import CRIME_GROUPS
from bot.model import Answer, Content, Intent, Question, Response, Route, SafetyRules, Section
from bot.problem import ContentError, Problem
from bot.reader import Tree, read_tree
from bot.template import PLACEHOLDER, render

log = logging.getLogger(__name__)

__all__ = [
    "CRIME_GROUPS",
    "PLACEHOLDER",
    "ContentError",
    "Problem",
    "build_content",
    "inspect_content",
    "load_content",
    "render",
]


def inspect_content(
    root: Path, *, contract: bool = True, today: date | None = None
) -> tuple[Tree, list[Problem]]:
    """Read `root` and collect every problem, sorted by path and line."""
    tree = read_tree(Path(root))
    if not all((Path(root) / folder).is_dir() for folder in ("intents", "responses")):
        # Wrong --content folder: dozens of "required intent is missing" lines would only
        # bury the line that says what is wrong.
        return tree, sorted(set(tree.problems))
    problems = [*tree.problems, *check_tree(tree, contract=contract, today=today)]
    return tree, sorted(set(problems))


def build_content(tree: Tree) -> Content:
    """Turn a checked Tree into the frozen dataclasses the engine uses."""
    intents = {}
    for _doc, m in tree.intents.values():
        safety = None
        if m.safety is not None:
            safety = SafetyRules(
                tuple(m.safety.triggers), tuple(m.safety.blockers), tuple(m.safety.together)
            )
        intents[m.id] = Intent(
            id=m.id,
            kind=m.kind,
            title=m.title,
            description=m.description,
            group=m.group,
            examples=tuple(m.examples),
            keywords=tuple(m.keywords),
            safety=safety,
        )
    responses = {}
    for _doc, r in tree.responses.values():
        question = None
        if r.question is not None:
            answers = tuple(Answer(a.id, a.label, a.text) for a in r.question.answers)
            question = Question(r.question.text, answers)
        sections = tuple(Section(s.id, s.title, s.text) for s in r.sections)
        responses[r.id] = Response(r.id, r.first_reply, sections, question, r.quick_exit)
    routes = {
        route.id: Route(
            id=route.id,
            name=route.name,
            purpose=route.purpose,
            who=route.who,
            contacts=dict(route.contacts),
            hours=route.hours,
            notes=route.notes,
            source=tuple(route.source),
            reviewed=route.reviewed,
        )
        for _index, route in tree.routes.values()
    }
    return Content(intents=intents, responses=responses, routes=routes, system=dict(tree.system))


def load_content(root: Path, *, contract: bool = False) -> Content:
    """Load and check the content under `root`; raise ContentError if anything is wrong.

    Warnings (such as a route due for review) do not block loading. The contract (every
    required intent and route present) is enforced by `python -m bot validate`, and here
    only with `contract=True`, so a bot can run while content is still being written.
    """
    tree, problems = inspect_content(root, contract=contract)
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    for problem in problems:
        log.warning("%s", problem.format())
    return build_content(tree)
