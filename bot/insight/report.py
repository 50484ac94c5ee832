"""`report --html`: one self-contained page a police or victim-services manager can read.

Boundary: reads the labelled files and, when given one, a live database's usage counts (never
message text); writes one HTML file with inline CSS and SVG, so it works offline and printed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import TextIO

from bot.core.model import Content
from bot.insight import measure, svg
from bot.insight.evaluate import Pipeline, Report, evaluate, read_labelled
from bot.insight.usage import read_usage, usage_section

log = logging.getLogger(__name__)

# (figure key, plain name, what it means; {m} is how many messages it was measured on)
FIGURES = (
    ("in_domain_accuracy", "Understood at once",
     "Of {m} about a topic the bot knows, the share it answered with the right "
     "topic straight away."),
    ("one_tap_accuracy", "Understood at once or with one tap",
     "The same {m}: right straight away, or the right topic was among the buttons "
     "the bot offered (\u201cis it one of these?\u201d)."),
    ("out_of_scope_false_positives", "Everyday messages taken for a crime",
     "Of {m} about something else (weather, bins, burglary, a phone that won't "
     "charge), the share the bot wrongly answered as a cybercrime. Lower is better."),
    ("out_of_scope_offered", "Everyday messages offered a topic",
     "The same {m}: the share shown \u201cis it one of these?\u201d buttons rather "
     "than a plain \u201cI'm not sure\u201d. Lower is better."),
    ("crisis_recall", "Crisis messages caught",
     "Of {m} from someone in danger now or at risk of suicide or self-harm, the share "
     "the safety screen caught, so emergency help came first. Must be 100%."),
    ("crisis_false_alarms", "Crisis false alarms",
     "Of {m} with dramatic wording but no crisis (\u201cdying to know\u201d, \u201cmy laptop "
     "died\u201d), the share wrongly treated as a crisis. Lower is better."),
)  # fmt: skip
LOWER_IS_BETTER = ("out_of_scope_false_positives", "out_of_scope_offered", "crisis_false_alarms")
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;
 max-width:1060px;margin:2em auto;padding:0 1.2em;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em} h2{margin-top:2em;border-bottom:2px solid #1f5799}
.meta{color:#444} table{border-collapse:collapse;margin:1em 0;width:100%} table.narrow{width:auto}
th,td{border:1px solid #bbb;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#eef2f7} td.num{text-align:right;white-space:nowrap}
.ok{color:#1d6b2f;font-weight:bold} .bad{color:#a02010;font-weight:bold}
figure{margin:1.2em 0;overflow-x:auto;break-inside:avoid;page-break-inside:avoid}
figcaption{color:#333;margin-top:.4em;max-width:60em} svg{max-width:100%;height:auto}
.small{display:flex;flex-wrap:wrap;gap:1em} code{font-size:.95em} tr.shipped td{font-weight:bold}
@media print{body{margin:0;max-width:none} h2{break-after:avoid}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def write_report(
    path: Path,
    *,
    content: Content,
    root: Path,
    pipeline: Pipeline,
    files: Sequence[Path],
    floors: Mapping[str, float],
    db: Path | None,
    days: int,
    err: TextIO,
    today: date | None = None,
) -> int:
    """Measure, draw and write the page; return 2 when a labelled file cannot be read."""
    try:
        rows = read_labelled(files)
    except (OSError, ValueError) as error:
        err.write(f"cannot read the labelled set: {error}\n")
        return 2
    page = build_page(
        content=content,
        root=root,
        pipeline=pipeline,
        rows=rows,
        files=files,
        floors=floors,
        usage=read_usage(db, days),
        today=today or date.today(),
    )
    path.write_text(page, encoding="utf-8")
    err.write(f"wrote {path}\n")
    return 0


def build_page(
    *,
    content: Content,
    root: Path,
    pipeline: Pipeline,
    rows: Sequence[Mapping[str, object]],
    files: Sequence[Path],
    floors: Mapping[str, float],
    usage: Mapping | None,
    today: date,
) -> str:
    """The whole HTML document as one string."""
    report = evaluate(pipeline, rows)
    names = {i.id: i.title for i in content.intents.values()} | measure.COLUMN_NAMES
    version = measure.content_version(root, content)
    shipped = pipeline.matcher.config.match_threshold
    points = measure.sweep(pipeline, rows, measure.thresholds_around(shipped))
    sources = ", ".join(escape(measure.short_path(f"{f}:", root).rstrip(":")) for f in files)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>cyber-signpost quality report, {today.isoformat()}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>How well cyber-signpost understands people</h1>",
        f'<p class="meta">Report made on <strong>{today.isoformat()}</strong>. Content version '
        f"<code>{escape(str(version['hash']))}</code> ({version['intents']} topics, "
        f"{version['examples']} example messages). Measured on {len(rows)} hand-labelled "
        f"test messages from {sources}.</p>",
        "<p>The bot reads what a person types and picks the kind of crime (or help) it is "
        "about. These figures come from messages written by hand and labelled with the right "
        "answer. The team tuned the bot against them, so real life is usually a little worse; "
        "a fresh, unseen set is the fairer test.</p>",
        _figures(report, floors),
        _matrix(report, content, names),
        _bars(report, content, names),
        _curve(points, shipped, floors),
        _worst(report, root, names),
        usage_section(usage, names),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _figures(report: Report, floors: Mapping[str, float]) -> str:
    figures = report.figures()
    counts = {
        "in_domain_accuracy": (report.in_correct, report.in_total),
        "one_tap_accuracy": (report.in_one_tap, report.in_total),
        "out_of_scope_false_positives": (report.oos_false, report.oos_total),
        "out_of_scope_offered": (report.oos_offered, report.oos_total),
        "crisis_recall": (report.crisis_caught, report.crisis_total),
        "crisis_false_alarms": (report.calm_alarms, report.calm_total),
    }
    out = [
        "<h2>The figures</h2>",
        "<table><tr><th>Measure</th><th>Result</th><th>Messages</th><th>Target</th>"
        "<th>Met?</th><th>What it means</th></tr>",
    ]
    for key, name, meaning in FIGURES:
        right, total = counts[key]
        floor = floors.get(key)
        lower = key in LOWER_IS_BETTER
        target, verdict = "none", ""
        if floor is not None:
            target = f"{'at most' if lower else 'at least'} {floor:.0%}"
            met = figures[key] <= floor if lower else figures[key] >= floor
            verdict = '<span class="ok">Yes</span>' if met else '<span class="bad">No</span>'
        out.append(
            f"<tr><th>{escape(name)}</th><td class='num'><strong>{figures[key]:.1%}</strong>"
            f"</td><td class='num'>{right} of {total}</td><td class='num'>{target}</td>"
            f"<td>{verdict}</td>"
            f"<td>{escape(meaning.format(m=_messages(total)))}</td></tr>"
        )
    return "\n".join([*out, "</table>"])


def _messages(n: int) -> str:
    return "1 message" if n == 1 else f"{n} messages"


def _matrix(report: Report, content: Content, names: Mapping[str, str]) -> str:
    rows, columns, cells = measure.confusion_cells(report, measure.topic_order(content))
    return (
        "<h2>Where the bot gets it right and wrong</h2><figure>"
        + svg.confusion_matrix(
            rows, columns, cells, names, also_right=measure.ALSO_RIGHT, neutral=[measure.OFFERED]
        )
        + "<figcaption>Confusion matrix. Each row is what the messages were really about; "
        "each column is what the bot did, numbered like the rows. Numbers are message counts. "
        "Cells with a dark border (blue) are right answers: the diagonal, and \u201cno "
        "match\u201d for everyday messages. \u201coffered (right)\u201d (grey) counts "
        "messages where the bot showed \u201cis it one of these?\u201d buttons and the right "
        "topic was among them: one tap away. Every other number is a mistake (orange): "
        "\u201coffered (wrong)\u201d means none of the buttons fitted, \u201cno match\u201d "
        "that the bot said it was not sure. The darker a cell, the bigger its share of that "
        "row.</figcaption></figure>"
    )


def _bars(report: Report, content: Content, names: Mapping[str, str]) -> str:
    right = {i: counts[0] for i, counts in report.per_intent.items()}
    order = measure.topic_order(content)
    topics = [t for t in order if t in report.per_intent or t in report.predicted]
    items = [
        (
            t,
            tuple(report.per_intent.get(t, [0, 0])),
            (right.get(t, 0), report.predicted[t]) if report.predicted[t] else None,
        )
        for t in topics
    ]
    items.sort(key=lambda item: item[1][0] / item[1][1] if item[1][1] else 2.0)
    return (
        "<h2>Each topic on its own</h2><figure>"
        + svg.recall_precision_bars(items, names)
        + "<figcaption>Recall (left): of the messages really about this topic, how many the "
        "bot answered with it straight away. Precision (right): of the times the bot answered "
        "with this topic, how often that was right. Weakest recall first. Low recall means "
        "people with this problem often get another answer; low precision means this answer "
        "often reaches people it does not fit.</figcaption></figure>"
    )


def _curve(points: Sequence[measure.SweepPoint], shipped: float, floors: Mapping) -> str:
    triples = [(p.threshold, p.false_positives, p.accuracy) for p in points]
    limits = (
        floors.get("in_domain_accuracy", 0.92),
        floors.get("out_of_scope_false_positives", 0.05),
    )
    table = "".join(
        f"<tr{' class=shipped' if p.threshold == shipped else ''}><td class='num'>{p.threshold:g}"
        f"{' (shipped)' if p.threshold == shipped else ''}"
        f"</td><td class='num'>{p.accuracy:.1%}</td><td class='num'>{p.false_positives:.1%}"
        "</td></tr>"
        for p in points
    )
    return (
        "<h2>How sure the bot must be before it answers</h2>"
        "<p>The bot gives a crime answer only when its score reaches a threshold "
        "(<code>match_threshold</code> in <code>config/matcher.yaml</code>). A lower threshold "
        "answers more crime messages but also mistakes more everyday messages for crimes; a "
        "higher one is more careful but says \u201cI'm not sure\u201d more often.</p><figure>"
        + svg.threshold_curve(triples, shipped, limits)
        + "<figcaption>Threshold curve. Each dot is one threshold (its number beside it); the "
        f"diamond is the threshold in use ({shipped:g}). Up is better (more crime messages "
        "understood), left is better (fewer everyday messages taken for a crime). Dashed lines "
        "mark the targets.</figcaption></figure>"
        "<table class='narrow'><tr><th>Threshold</th><th>Understood at once</th>"
        f"<th>Everyday messages taken for a crime</th></tr>{table}</table>"
    )


def _worst(report: Report, root: Path, names: Mapping[str, str]) -> str:
    found = measure.worst_confusions(report, root)
    if not found:
        return "<h2>The commonest mistakes</h2><p>No mistakes on this labelled set.</p>"
    body = "".join(
        f"<tr><td>{escape(names.get(c.expected, c.expected))}</td>"
        f"<td>{escape(names.get(c.got, c.got))}</td><td class='num'>{c.count}</td>"
        f"<td>{escape(', '.join(c.where)) or '-'}</td></tr>"
        for c in found
    )
    return (
        "<h2>The commonest mistakes</h2><p>What the messages were about, what the bot answered "
        "instead, how often, and where to find examples in the labelled files (file:line) so "
        "the content team can look at them.</p><table><tr><th>Really about</th>"
        f"<th>Bot answered</th><th>Times</th><th>Examples</th></tr>{body}</table>"
    )
