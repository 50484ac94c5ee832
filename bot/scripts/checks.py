"""Check a loaded script against the catalog: intents, routes, buttons and placeholders exist.

Pure: no I/O. Runs before any turn is played, so a misspelt id is a script mistake at its
line rather than a confusing failure halfway through a conversation.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.content.problem import Problem
from bot.core.model import Content
from bot.core.template import KEY_NAME as KEY_ROUTE_NAME
from bot.core.template import PLACEHOLDER
from bot.scripts.model import Script


def check_ids(script: Script, content: Content) -> list[Problem]:
    """Catch typos in intent and route ids, which would otherwise read as a bot failure."""
    problems: list[Problem] = []
    intents = set(content.intents)
    for step in script.steps:
        exp = step.expect
        if exp.check_intent and exp.intent is not None and exp.intent not in intents:
            line = exp.lines.get("intent", step.line)
            problems.append(
                Problem(
                    script.path, line, f"unknown intent {exp.intent!r}{_near(exp.intent, intents)}"
                )
            )
        for wanted in exp.text_contains:
            for problem in _placeholder_problems(wanted, content):
                problems.append(
                    Problem(script.path, exp.lines.get("text_contains", step.line), problem)
                )
        for key in ("routes", "routes_exclude"):
            for route in getattr(exp, key):
                if route not in content.routes:
                    line = exp.lines.get(key, step.line)
                    problems.append(
                        Problem(
                            script.path,
                            line,
                            f"unknown route {route!r}{_near(route, content.routes)}",
                        )
                    )
    return problems


def _placeholder_problems(wanted: str, content: Content) -> list[str]:
    """A `{route_id.key}` in an expected text must name a real route and contact."""
    found = []
    for match in PLACEHOLDER.finditer(wanted):
        route_id, key = match.groups()
        route = content.routes.get(route_id)
        if route is None:
            found.append(
                f"unknown route {route_id!r} in {match.group(0)}{_near(route_id, content.routes)}"
            )
        elif key != KEY_ROUTE_NAME and key not in route.contacts:
            known = ", ".join([KEY_ROUTE_NAME, *route.contacts])
            found.append(f"route {route_id!r} has no contact {key!r} (it has: {known})")
    return found


def _near(word: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
