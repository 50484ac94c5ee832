"""Draw the report's charts as inline SVG strings, so the page needs no script and no asset.

Pure: numbers in, markup out. Every label is escaped; every chart carries a <title> and <desc>
for screen readers, and shows its numbers as text so colour is never the only carrier.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping, Sequence
from html import escape

log = logging.getLogger(__name__)

INK = "#1a1a1a"
MUTED = "#666666"
GRID = "#d0d0d0"
BLUE = (31, 87, 153)  # right answers, recall
ORANGE = (190, 80, 20)  # mistakes
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    """Wrap drawing commands in a sized, labelled <svg>; no xmlns is needed inside HTML."""
    return (
        f'<svg role="img" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" {FONT} font-size="12" fill="{INK}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, **attrs: object) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def _shade(rgb: tuple[int, int, int], strength: float) -> str:
    """Mix a colour with white: 0 is white, 1 the full colour."""
    strength = max(0.0, min(1.0, strength))
    r, g, b = (round(255 - (255 - c) * strength) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def confusion_matrix(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Mapping[tuple[str, str], int],
    names: Mapping[str, str],
    *,
    also_right: Collection[tuple[str, str]] = (),
    neutral: Collection[str] = (),
) -> str:
    """A grid: one row per expected topic, one column per answer; shade by share of the row.

    The diagonal and `also_right` cells are right (blue, dark border), `neutral` columns grey,
    the rest mistakes (orange). A rule sets off the rows and columns that are not topics.
    """
    cell, left, top = 18, 300, 112
    width = max(left + cell * len(columns) + 80, left + 540)
    height = top + cell * len(rows) + 34
    number = {topic: k for k, topic in enumerate(rows, 1)}
    body: list[str] = []
    for j, col in enumerate(columns):
        x, y = left + j * cell + cell / 2, top - 5
        if col in number:
            body.append(_text(x, y, str(number[col]), font_size=10, text_anchor="middle"))
        else:
            rotate = f"rotate(-60 {x:.1f} {y})"
            body.append(_text(x, y, names.get(col, col), font_size=11, transform=rotate))
    for i, row in enumerate(rows):
        y = top + i * cell
        body.append(_text(left - 26, y + cell * 0.7, names.get(row, row), text_anchor="end"))
        if row in columns:
            body.append(_text(left - 4, y + cell * 0.7, str(number[row]), text_anchor="end"))
        total = sum(counts.get((row, col), 0) for col in columns) or 1
        for j, col in enumerate(columns):
            x = left + j * cell
            n = counts.get((row, col), 0)
            right = row == col or (row, col) in also_right
            hue = BLUE if right else (110, 110, 110) if col in neutral else ORANGE
            fill = _shade(hue, 0.15 + 0.85 * n / total) if n else "#ffffff"
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" '
                f'stroke="{INK if right else GRID}" stroke-width="{1.5 if right else 0.5}"/>'
            )
            if n:
                colour = "#ffffff" if n / total > 0.5 else INK
                label = _text(x + cell / 2, y + cell * 0.7, str(n), text_anchor="middle")
                size = 10 if n < 100 else 8
                body.append(
                    label.replace("<text ", f'<text font-size="{size}" fill="{colour}" ', 1)
                )
    extra_col = next((j for j, col in enumerate(columns) if col not in rows), None)
    extra_row = next((i for i, row in enumerate(rows) if row not in columns), None)
    bottom, end = top + cell * len(rows), left + cell * len(columns)
    if extra_col is not None:
        x = left + extra_col * cell
        body.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{INK}"/>')
    if extra_row is not None:
        y = top + extra_row * cell
        body.append(f'<line x1="{left}" y1="{y}" x2="{end}" y2="{y}" stroke="{INK}"/>')
    note = "Rows: what the message was about. Columns (same numbers): what the bot did."
    body.append(_text(left, height - 10, note, fill=MUTED))
    desc = "; ".join(
        f"{names.get(r, r)} -> {names.get(c, c)}: {n}" for (r, c), n in counts.items() if r != c
    )
    return _svg(width, height, "Confusion matrix", desc or "No mistakes.", body)


def recall_precision_bars(
    items: Sequence[tuple[str, tuple[int, int], tuple[int, int] | None]],
    names: Mapping[str, str],
) -> str:
    """Two bar panels side by side, one row per topic: recall and precision, with counts."""
    row, left, top, panel, gap = 20, 275, 44, 240, 125
    width = left + 2 * (panel + gap)
    height = top + row * len(items) + 14
    body: list[str] = []
    for k, heading in enumerate(("Recall: found when it was meant", "Precision: right when used")):
        x0 = left + k * (panel + gap)
        body.append(_text(x0, 14, heading, font_weight="bold"))
        for share in (0.0, 0.5, 1.0):
            gx = x0 + share * panel
            body.append(
                f'<line x1="{gx}" y1="{top - 8}" x2="{gx}" y2="{height - 10}" stroke="{GRID}"/>'
            )
            body.append(_text(gx, top - 12, f"{share:.0%}", text_anchor="middle", fill=MUTED))
    for i, (intent, recall, precision) in enumerate(items):
        y = top + i * row
        body.append(_text(left - 6, y + 14, names.get(intent, intent), text_anchor="end"))
        for k, pair in enumerate((recall, precision)):
            x0 = left + k * (panel + gap)
            if pair is None or not pair[1]:
                body.append(_text(x0 + 4, y + 14, "never used", fill=MUTED))
                continue
            share = pair[0] / pair[1]
            colour = _shade(BLUE if k == 0 else (90, 90, 90), 0.85)
            body.append(
                f'<rect x="{x0}" y="{y + 3}" width="{share * panel:.1f}" height="{row - 6}" '
                f'fill="{colour}"/>'
            )
            label = f"{share:.0%} ({pair[0]}/{pair[1]})"
            body.append(_text(x0 + share * panel + 5, y + 14, label, font_size=11))
    desc = "; ".join(
        f"{names.get(i, i)}: recall {r[0]}/{r[1]}"
        + (f", precision {p[0]}/{p[1]}" if p and p[1] else "")
        for i, r, p in items
    )
    return _svg(width, height, "Recall and precision per topic", desc, body)


def threshold_curve(
    points: Sequence[tuple[float, float, float]],
    shipped: float,
    floors: tuple[float, float],
) -> str:
    """In-domain accuracy (up) against out-of-scope false positives (across), one dot a threshold.

    `points` are (threshold, false-positive rate, accuracy); `floors` the accuracy floor and
    the false-positive ceiling, drawn as dashed lines.
    """
    width, height, left, right, top, bottom = 700, 420, 70, 30, 20, 60
    xs = [p[1] for p in points] + [floors[1]]
    ys = [p[2] for p in points] + [floors[0]]
    x_step = next(st for st in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if max(xs) / st <= 7)
    x_max = x_step * (math.floor(max(xs) / x_step) + 1)
    y_step = next(st for st in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if (1 - min(ys)) / st <= 7)
    y_min = max(0.0, y_step * (math.ceil(min(ys) / y_step) - 1))

    def px(v: float) -> float:
        return left + (width - left - right) * v / x_max

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - y_min) / (1 - y_min))

    body = [
        f'<rect x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{height - top - bottom}" fill="none" stroke="{GRID}"/>'
    ]
    for k in range(round(x_max / x_step) + 1):
        xv = k * x_step
        body.append(_text(px(xv), height - bottom + 16, f"{xv:.0%}", text_anchor="middle"))
    for k in range(round((1 - y_min) / y_step) + 1):
        yv = y_min + k * y_step
        body.append(_text(left - 6, py(yv) + 4, f"{yv:.0%}", text_anchor="end"))
    body.append(
        _text(
            (left + width - right) / 2,
            height - 14,
            "Everyday messages wrongly matched to a crime (false positives)",
            text_anchor="middle",
        )
    )
    body.append(
        _text(
            16,
            (top + height - bottom) / 2,
            "Crime messages understood (accuracy)",
            text_anchor="middle",
            transform=f"rotate(-90 16 {(top + height - bottom) / 2})",
        )
    )
    fy, fx = py(floors[0]), px(floors[1])
    dash = f'stroke="{MUTED}" stroke-dasharray="5 4"'
    body.append(f'<line x1="{left}" y1="{fy:.1f}" x2="{width - right}" y2="{fy:.1f}" {dash}/>')
    body.append(f'<line x1="{fx:.1f}" y1="{top}" x2="{fx:.1f}" y2="{height - bottom}" {dash}/>')
    body.append(
        _text(
            width - right - 4,
            fy - 4,
            f"accuracy floor {floors[0]:.0%}",
            text_anchor="end",
            fill=MUTED,
        )
    )
    body.append(_text(fx + 4, top + 14, f"false-positive ceiling {floors[1]:.0%}", fill=MUTED))
    path = " ".join(f"{px(x):.1f},{py(y):.1f}" for _, x, y in points)
    body.append(f'<polyline points="{path}" fill="none" stroke="{_shade(BLUE, 0.6)}"/>')
    for threshold, x, y in points:
        cx, cy = px(x), py(y)
        if threshold == shipped:
            diamond = f"{cx},{cy - 8} {cx + 8},{cy} {cx},{cy + 8} {cx - 8},{cy}"
            body.append(f'<polygon points="{diamond}" fill="{_shade(ORANGE, 1)}"/>')
            body.append(_text(cx + 11, cy + 16, f"shipped: {threshold:g}", font_weight="bold"))
        else:
            body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{_shade(BLUE, 1)}"/>')
            body.append(_text(cx + 7, cy - 6, f"{threshold:g}", font_size=10, fill=MUTED))
    desc = "; ".join(
        f"threshold {t:g}: accuracy {y:.1%}, false positives {x:.1%}" for t, x, y in points
    )
    return _svg(width, height, "Threshold curve", desc, body)


def day_bars(title: str, days: Sequence[tuple[str, int]], colour: tuple[int, int, int]) -> str:
    """One bar per day ("YYYY-MM-DD", count); the count is written above each bar."""
    width, height, left, bottom, top = 500, 180, 8, 26, 40
    n = max(1, len(days))
    step = (width - left - 10) / n
    peak = max([v for _, v in days] + [1])
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
        f'y2="{height - bottom}" stroke="{INK}"/>'
    ]
    body.append(_text(left, 14, title, font_weight="bold"))
    for i, (day, value) in enumerate(days):
        bar = (height - bottom - top) * value / peak
        x = left + i * step
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{height - bottom - bar:.1f}" '
            f'width="{step * 0.7:.1f}" height="{bar:.1f}" fill="{_shade(colour, 0.85)}"/>'
        )
        if value and step >= 14:
            body.append(
                _text(
                    x + step / 2,
                    height - bottom - bar - 3,
                    str(value),
                    text_anchor="middle",
                    font_size=10,
                )
            )
        if i == 0 or i == n - 1 or i % 7 == 0:
            body.append(
                _text(
                    x + step / 2,
                    height - bottom + 14,
                    day[5:],
                    text_anchor="middle",
                    font_size=10,
                    fill=MUTED,
                )
            )
    desc = "; ".join(f"{day}: {value}" for day, value in days)
    return _svg(width, height, title, desc or "No days.", body)
