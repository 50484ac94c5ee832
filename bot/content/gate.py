"""Load intents/ and responses/ into one immutable, validated Content value.

Boundary: reads files (through bot.content.reader). `gate` is the one set of checks that
`python -m bot validate`, start-up and every reload run; `load_content` raises ContentError
when the gate refuses, so a running bot keeps its old content when a reload fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.content.checks import check_tree
from bot.content.contract import CRIME_GROUPS
from bot.content.problem import ContentError, Problem
from bot.content.reader import Tree, read_tree
from bot.content.safetycheck import GateSettings, check_safety_content, check_safety_rules
from bot.core.model import Answer, Content, Intent, Question, Response, Route, SafetyRules, Section
from bot.core.template import PLACEHOLDER, render

log = logging.getLogger(__name__)

__all__ = [
    "CRIME_GROUPS",
    "PLACEHOLDER",
    "ContentError",
    "Gated",
    "Problem",
    "build_content",
    "gate",
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
    problems = [
        *tree.problems,
        *check_tree(tree, contract=contract, today=today),
        *check_safety_rules(tree, contract=contract),
    ]
    return tree, sorted(set(problems))


def build_content(tree: Tree) -> Content:
    """Turn a checked Tree into the frozen dataclasses the engine uses."""
    intents = {}
    for _doc, m in tree.intents.values():
        safety = None
        if m.safety is not None:
            safety = SafetyRules(
                tuple(m.safety.triggers),
                tuple(m.safety.blockers),
                tuple(m.safety.together),
                tuple(m.safety.anywhere),
                tuple(m.safety.resolved),
                tuple(m.safety.urging),
                tuple(m.safety.agreeing),
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
            question = Question(r.question.text, answers, r.question.kind)
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


@dataclass(frozen=True)
class Gated:
    """What the gate decided: the content to serve (None when refused) and every problem."""

    content: Content | None
    problems: list[Problem]
    tree: Tree | None = None  # what was read, for checks only `validate` runs

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def gate(
    root: Path,
    *,
    contract: bool = True,
    today: date | None = None,
    settings: GateSettings | None = None,
) -> Gated:
    """The one content gate: validate, start-up and every reload call exactly this.

    `contract=False` is for small test catalogs only: it skips the required intents, routes,
    system texts and the crisis recall that real content must have. Never raises.
    """
    try:
        tree, problems = inspect_content(Path(root), contract=contract, today=today)
        if any(p.is_error for p in problems):
            return Gated(None, problems, tree)
        content = build_content(tree)
        settings = settings or GateSettings.load()
        problems = sorted(
            {*problems, *check_safety_content(tree, content, settings, contract=contract)}
        )
    except Exception as error:  # an operator must see a message, never a traceback
        log.debug("content checks crashed", exc_info=True)
        message = (
            f"the checks stopped with an internal error ({type(error).__name__}: {error}): "
            "the content was not loaded; please report this to the developers"
        )
        return Gated(None, [Problem(str(root), 1, message)])
    return Gated(None if any(p.is_error for p in problems) else content, problems, tree)


def load_content(root: Path, *, contract: bool = True) -> Content:
    """Load `root` through the gate; raise ContentError if it refuses. Warnings are logged."""
    gated = gate(root, contract=contract)
    if gated.content is None:
        raise ContentError(gated.problems)
    for problem in gated.problems:
        log.warning("%s", problem.format())
    return gated.content
