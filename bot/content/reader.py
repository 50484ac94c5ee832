"""Read every file under intents/ and responses/ into schema models, keeping their Docs.

Boundary: file reading and per-file shape only; rules across files live in checks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.problem import Problem
from bot.content.schema import (
    IntentModel,
    ResponseModel,
    RouteModel,
    RoutesFileModel,
    SystemModel,
    validate,
)
from bot.content.yamlload import Doc, load_yaml

log = logging.getLogger(__name__)

INTENTS_DIR = "intents"
RESPONSES_DIR = "responses"
ROUTES_FILE = "routes"
SYSTEM_FILE = "system"
FALLBACK = "fallback"


@dataclass
class Tree:
    """Everything read from one content root; invalid files are left out of the dicts."""

    intents: dict[str, tuple[Doc, IntentModel]] = field(default_factory=dict)
    responses: dict[str, tuple[Doc, ResponseModel]] = field(default_factory=dict)
    routes: dict[str, tuple[int, RouteModel]] = field(default_factory=dict)  # id -> index
    routes_doc: Doc | None = None
    routes_trusted: bool = False  # routes.yaml read well enough to judge placeholders
    broken_routes: set[str] = field(default_factory=set)  # ids of entries with errors
    system: dict[str, str] = field(default_factory=dict)
    system_doc: Doc | None = None
    intent_files: set[str] = field(default_factory=set)  # stems, valid or not
    response_files: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def _yaml_files(root: Path, folder: str, tree: Tree) -> list[Path]:
    directory = root / folder
    if not directory.is_dir():
        tree.problems.append(
            Problem(f"{folder}/", 1, f"folder is missing: expected {directory} with YAML files")
        )
        return []
    for stray in sorted(p for p in directory.glob("*.yml") if not p.name.startswith(".")):
        tree.problems.append(
            Problem(f"{folder}/{stray.name}", 1, "file is ignored: rename it to end in .yaml")
        )
    # Editors leave hidden lock and backup files next to the real ones: skip those. A folder,
    # pipe or broken link named *.yaml is kept: load_yaml names it for what it is.
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("."))


def _read(file: Path, root: Path, tree: Tree) -> Doc | None:
    doc, problems = load_yaml(file, file.relative_to(root).as_posix())
    tree.problems.extend(problems)
    if doc is not None and not isinstance(doc.data, dict):
        message = "expected keys at the top of the file (key: value lines), got a list or text"
        tree.problems.append(Problem(doc.path, 1, message))
        return None
    return doc


def _read_routes(doc: Doc, tree: Tree) -> None:
    tree.routes_doc = doc
    top, problems = validate(doc, RoutesFileModel)
    tree.problems.extend(problems)
    if top is None:
        return
    tree.routes_trusted = True
    first_line: dict[str, int] = {}
    for index, item in enumerate(top.routes):
        route, problems = validate(doc, RouteModel, data=item, prefix=("routes", index))
        tree.problems.extend(problems)
        if route is None:
            if isinstance(item.get("id"), str):
                tree.broken_routes.add(str(item["id"]))
            continue
        line = doc.line(("routes", index, "id"))
        if route.id in first_line:
            message = f"route id {route.id!r} is defined twice (first at line "
            tree.problems.append(Problem(doc.path, line, f"{message}{first_line[route.id]})"))
            continue
        first_line[route.id] = line
        tree.routes[route.id] = (index, route)


def read_tree(root: Path) -> Tree:
    """Read and shape-check every content file under `root`; never raises for bad content."""
    tree = Tree()
    for file in _yaml_files(root, INTENTS_DIR, tree):
        tree.intent_files.add(file.stem)
        doc = _read(file, root, tree)
        if doc is not None:
            model, problems = validate(doc, IntentModel)
            tree.problems.extend(problems)
            if model is not None:
                tree.intents[file.stem] = (doc, model)
    for file in _yaml_files(root, RESPONSES_DIR, tree):
        doc = _read(file, root, tree)
        if file.stem == ROUTES_FILE:
            if doc is not None:
                _read_routes(doc, tree)
            continue
        if file.stem == SYSTEM_FILE:
            if doc is not None:
                system, problems = validate(doc, SystemModel)
                tree.problems.extend(problems)
                tree.system_doc = doc
                tree.system = dict(system.texts) if system else {}
            continue
        tree.response_files.add(file.stem)
        if doc is not None:
            model, problems = validate(doc, ResponseModel)
            tree.problems.extend(problems)
            if model is not None:
                tree.responses[file.stem] = (doc, model)
    return tree
