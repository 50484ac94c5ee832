"""Fill `{route_id.key}` placeholders in response text from the route catalog.

Pure: no I/O. The only place that turns a route's contact value into Telegram HTML.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping

from bot.core.model import Route

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\.([a-z0-9_]+)\}")
KEY_NAME = "name"


def link_label(url: str) -> str:
    """Show a link the way people read it: no scheme, no leading www., no trailing slash."""
    label = re.sub(r"^https?://", "", url)
    label = label.removeprefix("www.")
    return label.rstrip("/")


def render_value(route: Route, key: str) -> str:
    """Return the HTML for one placeholder; KeyError if the route has no such contact."""
    if key == KEY_NAME:
        return html.escape(route.name, quote=False)
    value = route.contacts[key]
    if value.startswith(("http://", "https://")):
        href = html.escape(value, quote=True)
        return f'<a href="{href}">{html.escape(link_label(value), quote=False)}</a>'
    return html.escape(value, quote=False)


def render(template: str, routes: Mapping[str, Route]) -> tuple[str, tuple[str, ...]]:
    """Fill every placeholder and list the routes the text names by a contact.

    Returns the HTML text and the ids of routes named by a contact placeholder (not
    `.name`), in order of first appearance. Raises KeyError for an unknown route or key;
    the validator reports those before content is ever loaded.

    >>> r = Route("bank_159", "your bank", "", "", {"phone": "159"}, None, None, (), "2026-01-01")
    >>> render("Call {bank_159.phone}.", {"bank_159": r})
    ('Call 159.', ('bank_159',))
    """
    named: list[str] = []

    def fill(match: re.Match[str]) -> str:
        route_id, key = match.group(1), match.group(2)
        try:
            route = routes[route_id]
        except KeyError:
            raise KeyError(f"unknown route {route_id!r}") from None
        if key != KEY_NAME:
            if key not in route.contacts:
                raise KeyError(f"route {route_id!r} has no contact {key!r}")
            if route_id not in named:
                named.append(route_id)
        return render_value(route, key)

    return PLACEHOLDER.sub(fill, template), tuple(named)
