"""The live bot's usage counts for the report: read through bot.insight.stats, drawn as bars.

Boundary: opens the database only through `read_stats`, which returns counts and never message
text; a missing module, file or table means the page says how to include them instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from html import escape
from pathlib import Path

from bot.insight import svg

log = logging.getLogger(__name__)

NO_USAGE = "No usage statistics (set BOT_DB to a live database to include them)"


def read_usage(db: Path | None, days: int) -> dict | None:
    """The live database's daily counts, or None when there are none to show."""
    if db is None or not db.is_file():
        return None
    try:
        from bot.insight.stats import read_stats
    except ImportError:
        log.warning("bot.insight.stats is not available: the report leaves usage out")
        return None
    try:
        stats = read_stats(db, days)
    except Exception as error:  # a broken statistics table must not cost the whole report
        log.warning("cannot read usage statistics from %s: %s", db, error)
        return None
    if not any(_day_total(day) for day in stats.get("days") or []):
        return None
    return stats


def _day_total(day: Mapping) -> int:
    counted = ("no_match", "offered", "buttons", "forget", "starts")
    nested = sum(day.get("intents", {}).values()) + sum(day.get("safety", {}).values())
    return nested + sum(int(day.get(key, 0)) for key in counted)


def usage_section(usage: Mapping | None, names: Mapping[str, str]) -> str:
    """The usage charts and totals, or the sentence saying how to include them."""
    head = "<h2>How the bot is being used</h2>"
    if not usage:
        return f"{head}<p>{escape(NO_USAGE)}.</p>"
    days = usage["days"]
    offers = "Offers made (\u201cis it one of these?\u201d)"
    series = (
        ("Topics answered", svg.BLUE, lambda d: sum(d.get("intents", {}).values())),
        ("Not understood", svg.ORANGE, lambda d: d.get("no_match", 0)),
        (offers, (90, 90, 90), lambda d: d.get("offered", 0)),
        ("Safety hits (danger now, suicide or self-harm)", (160, 30, 30), _safety),
    )
    charts = []
    for title, colour, pick in series:
        values = [(str(d["date"]), int(pick(d))) for d in days]
        total = sum(v for _, v in values)
        charts.append(
            f"<figure>{svg.day_bars(title, values, colour)}<figcaption>{escape(title)}: "
            f"{total} in {len(values)} days, one bar a day.</figcaption></figure>"
        )
    totals = usage.get("totals", {})
    safety = totals.get("safety", {})
    rows = (
        ("Conversations started", totals.get("starts", 0)),
        ("Topics answered", sum(totals.get("intents", {}).values())),
        ("Not understood", totals.get("no_match", 0)),
        ("Offers made", totals.get("offered", 0)),
        ("Safety: danger now", safety.get("emergency", 0)),
        ("Safety: suicide or self-harm", safety.get("self_harm_crisis", 0)),
        ("Buttons pressed", totals.get("buttons", 0)),
        ("Requests to forget a conversation", totals.get("forget", 0)),
    )
    table = "".join(f"<tr><th>{escape(k)}</th><td class='num'>{int(v)}</td></tr>" for k, v in rows)
    top = sorted(totals.get("intents", {}).items(), key=lambda kv: -kv[1])[:10]
    topics = "".join(
        f"<tr><td>{escape(names.get(k, k))}</td><td class='num'>{int(v)}</td></tr>" for k, v in top
    )
    first, last = escape(str(days[0]["date"])), escape(str(days[-1]["date"]))
    return (
        f"{head}<p>Counts only, from the live bot over the last {len(days)} days "
        f"({first} to {last}). No message text is kept or shown.</p>"
        f"<div class='small'>{''.join(charts)}</div>"
        f"<table class='narrow'>{table}</table>"
        f"<table class='narrow'><tr><th>Most common topics</th><th>Times</th></tr>{topics}</table>"
    )


def _safety(day: Mapping) -> int:
    return sum(day.get("safety", {}).values())
