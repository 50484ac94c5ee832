"""Rules across fields and files: pairs, ids, limits, routes, duplicates and the contract.

Pure: works on an already-read Tree; no I/O.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date

from bot.content import contract as c
from bot.content.problem import Problem
from bot.content.reader import FALLBACK, INTENTS_DIR, RESPONSES_DIR, ROUTES_FILE, Tree
from bot.content.replycheck import check_response
from bot.content.schema import IntentModel
from bot.content.textcheck import Catalog, check_label, check_text
from bot.content.yamlload import Doc
from bot.core.compose import DEFAULT_TEXTS

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTACT_KEY = re.compile(r"^[a-z0-9_]+$")
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() refuses, as one pattern


def normalise_example(text: str) -> str:
    """Compare examples ignoring case, punctuation and spacing ("don't" == "dont")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _APOSTROPHES.sub("", folded)
    return " ".join(_NOT_ALNUM.sub(" ", folded).split())


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


def _check_intent(doc: Doc, stem: str, m: IntentModel) -> list[Problem]:
    p: list[Problem] = []

    def add(loc: tuple[str | int, ...], message: str) -> None:
        p.append(Problem(doc.path, doc.line(loc), message))

    if m.id != stem:
        add(("id",), f"id {m.id!r} does not match the file name: expected id: {stem}")
    if m.kind == "crime" and m.group is None:
        add(("kind",), f"crime intents need a 'group': one of {', '.join(c.CRIME_GROUPS)}")
    elif m.kind == "crime" and m.group not in c.CRIME_GROUPS:
        add(("group",), f"unknown group {m.group!r}: expected one of {', '.join(c.CRIME_GROUPS)}")
    elif m.kind != "crime" and m.group is not None:
        add(("group",), f"'group' is only for crime intents: remove it from this {m.kind} intent")
    if m.safety is not None and stem not in c.SAFETY_INTENTS:
        add(("safety",), "a 'safety' block is only allowed in emergency and self_harm_crisis")
    for field in ("together", "anywhere"):
        for i, rule in enumerate(getattr(m.safety, field) if m.safety else []):
            groups = [g for g in rule.split(" + ") if g.strip()]
            if len(groups) < 2 or any(" " in g.strip() for g in groups):
                add(
                    ("safety", field, i),
                    f"{'an' if field == 'anywhere' else 'a'} '{field}' rule needs two or more "
                    "groups of single words separated by "
                    "' + ', for example: courier|taxi + now|tonight",
                )
    p += check_label(doc, ("title",), m.title, limit=c.MAX_TITLE, what="title")
    minimum = c.MIN_EXAMPLES[m.kind]
    if len(m.examples) < minimum:
        add(
            ("examples",),
            f"{m.kind} intents need at least {minimum} examples, "
            f"found {len(m.examples)}: add more ways people would say it",
        )
    for i, keyword in enumerate(m.keywords):
        if keyword != keyword.lower() or not keyword.strip():
            add(("keywords", i), f"keyword {keyword!r} must be lower case and not empty")
    for i, example in enumerate(m.examples):
        if not normalise_example(example):
            add(("examples", i), "example is empty: write a message or remove the line")
    return p


def _check_examples(tree: Tree) -> list[Problem]:
    places: dict[str, list[tuple[Doc, int, str]]] = {}
    for stem, (doc, m) in tree.intents.items():
        for i, example in enumerate(m.examples):
            key = normalise_example(example)
            if key:
                places.setdefault(key, []).append((doc, doc.line(("examples", i)), stem))
    p: list[Problem] = []
    for spots in places.values():
        for n, (doc, line, stem) in enumerate(spots):
            others = [s for s in spots if s is not spots[n]]
            if not others:
                continue
            other_doc, other_line, other_stem = others[0]
            text = next(
                e
                for i, e in enumerate(tree.intents[stem][1].examples)
                if doc.line(("examples", i)) == line
            )
            if other_stem == stem:
                message = f"example {text!r} is repeated (also at line {other_line}): remove one"
            else:
                message = (
                    f"example {text!r} is also in {other_doc.path}:{other_line}: "
                    "keep it in one intent only"
                )
            p.append(Problem(doc.path, line, message))
    return p


def _check_routes(tree: Tree, today: date) -> list[Problem]:
    doc = tree.routes_doc
    if doc is None:
        return []
    p: list[Problem] = []
    limit = _months_before(today, c.REVIEW_MONTHS)
    for index, route in tree.routes.values():

        def add(field: str, message: str, severity: str = "error", index: int = index) -> None:
            loc = ("routes", index, field)
            p.append(Problem(doc.path, doc.line(loc), message, severity))  # type: ignore[arg-type]

        for key, value in route.contacts.items():
            if not _CONTACT_KEY.match(key):
                add("contacts", f"contact key {key!r} must be lower case letters, digits and _")
            elif not value.strip():
                add("contacts", f"contact {key!r} of route {route.id!r} is empty")
        if not route.source:
            add(
                "source",
                "source must list at least one web address where the facts were "
                "checked (https://...)",
            )
        for i, url in enumerate(route.source):
            if not re.match(r"^https?://\S+$", url.strip()):
                p.append(
                    Problem(
                        doc.path,
                        doc.line(("routes", index, "source", i)),
                        f"source {url!r} is not a web address: expected https://...",
                    )
                )
        if not _ISO_DATE.match(route.reviewed):
            add(
                "reviewed",
                f"reviewed {route.reviewed!r} is not a date: write it as "
                "YYYY-MM-DD, e.g. 2026-01-31",
            )
            continue
        try:
            reviewed = date.fromisoformat(route.reviewed)
        except ValueError:
            add("reviewed", f"reviewed {route.reviewed!r} is not a real date: expected YYYY-MM-DD")
            continue
        if reviewed < limit:
            add(
                "reviewed",
                f"route {route.id!r} was last reviewed on {route.reviewed}, over "
                f"{c.REVIEW_MONTHS} months ago: check it against its source and update "
                "'reviewed'",
                "warning",
            )
    return p


def _check_pairs(tree: Tree) -> list[Problem]:
    p: list[Problem] = []
    # Negative intents only teach the matcher what is out of scope; they never get a reply.
    negative = {s for s, (_doc, m) in tree.intents.items() if m.kind == "negative"}
    # A file that could not be read already has its own message; its kind is unknown, so
    # calling it unpaired would only send the operator after a second, false problem.
    unread = tree.intent_files - set(tree.intents)
    for stem in sorted(tree.intent_files - tree.response_files - negative - unread):
        p.append(
            Problem(
                f"{INTENTS_DIR}/{stem}.yaml",
                1,
                f"intent {stem!r} has no response: create {RESPONSES_DIR}/{stem}.yaml",
            )
        )
    for stem in sorted(tree.response_files - tree.intent_files - c.STANDALONE_RESPONSES):
        p.append(
            Problem(
                f"{RESPONSES_DIR}/{stem}.yaml",
                1,
                f"response {stem!r} has no intent: "
                f"create {INTENTS_DIR}/{stem}.yaml, or remove this file",
            )
        )
    return p


def _check_contract(tree: Tree) -> list[Problem]:
    p: list[Problem] = []
    for kind, ids in (("crime", c.REQUIRED_CRIME), ("service", c.REQUIRED_SERVICE)):
        for intent_id in ids:
            if intent_id in c.SAFETY_INTENTS and intent_id not in tree.intent_files:
                continue  # bot.content.safetycheck says what a missing safety intent costs
            if intent_id not in tree.intent_files:
                p.append(
                    Problem(
                        f"{INTENTS_DIR}/{intent_id}.yaml",
                        1,
                        f"required {kind} intent {intent_id!r} is missing: create this "
                        f"file and {RESPONSES_DIR}/{intent_id}.yaml",
                    )
                )
            elif intent_id in tree.intents and tree.intents[intent_id][1].kind != kind:
                doc = tree.intents[intent_id][0]
                p.append(
                    Problem(
                        doc.path,
                        doc.line(("kind",)),
                        f"intent {intent_id!r} must have kind: {kind}",
                    )
                )
    routes_path = f"{RESPONSES_DIR}/{ROUTES_FILE}.yaml"
    if tree.routes_trusted:
        known = set(tree.routes) | tree.broken_routes
        for route_id in c.REQUIRED_ROUTES:
            if route_id not in known:
                p.append(
                    Problem(
                        routes_path,
                        1,
                        f"required route {route_id!r} is missing: add "
                        "it (see the table in docs/content-format.md)",
                    )
                )
    return p


def check_tree(tree: Tree, *, contract: bool = True, today: date | None = None) -> list[Problem]:
    """Return every problem the per-file shape checks cannot see."""
    today = today or date.today()
    p: list[Problem] = []
    if tree.response_files or tree.routes_doc or tree.intent_files:
        if tree.routes_doc is None and not any(
            x.path == f"{RESPONSES_DIR}/{ROUTES_FILE}.yaml" for x in tree.problems
        ):
            p.append(
                Problem(
                    f"{RESPONSES_DIR}/{ROUTES_FILE}.yaml",
                    1,
                    "file is missing: it defines every route that replies point to",
                )
            )
        if FALLBACK not in tree.response_files:
            p.append(
                Problem(
                    f"{RESPONSES_DIR}/{FALLBACK}.yaml",
                    1,
                    "file is missing: the bot needs it for messages it does not understand",
                )
            )
    routes = {route.id: route for _index, route in tree.routes.values()}
    catalog = Catalog.build(routes, trusted=tree.routes_trusted, broken=tree.broken_routes)
    for stem, (doc, m) in tree.intents.items():
        p += _check_intent(doc, stem, m)
    p += _check_examples(tree)
    p += _check_routes(tree, today)
    for stem, (doc, r) in tree.responses.items():
        intent = tree.intents.get(stem)
        p += check_response(
            catalog, stem, doc, r, crime=bool(intent and intent[1].kind == "crime")
        )
    if tree.system_doc is not None:
        for key, text in tree.system.items():
            p += check_text(
                tree.system_doc,
                ("texts", key),
                text,
                catalog,
                limit=c.MAX_MESSAGE,
                what=f"system text {key!r}",
            )[0]
        missing = sorted(set(DEFAULT_TEXTS) - set(tree.system))
        # Every engine text is part of the contract; a test catalog may leave some out.
        if missing and contract:
            p.append(
                Problem(
                    tree.system_doc.path,
                    tree.system_doc.line(("texts",)),
                    f"system texts missing: {', '.join(missing)}: add them under 'texts:' "
                    "(the bot falls back to plain built-in wording until you do)",
                )
            )
    p += _check_pairs(tree)
    if contract:
        p += _check_contract(tree)
    return p
