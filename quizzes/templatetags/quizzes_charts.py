"""Charts drawn on the server as inline SVG: no script, no CDN.

``{% chart dashboard.unit_chart %}`` renders a :class:`Chart` as a figure with an SVG that
has a <title> and <desc> (role="img"), and the same numbers as a table below it, for
screen readers, printing and copying. Columns for series (days, scores), horizontal bars
for named rows (units), with an optional threshold line; rows with ``alert`` are drawn in
the warning colour *and* marked in words, never by colour alone.
"""

import itertools
import math
from dataclasses import dataclass, field

from django import template
from django.utils.formats import number_format

register = template.Library()
_ids = itertools.count(1)

WIDTH = 720
COLUMN_HEIGHT = 240
ROW_HEIGHT = 24
LABEL_WIDTH = 220
MAX_LABEL_CHARS = 30


@dataclass
class Point:
    label: str
    value: float
    note: str = ""
    alert: bool = False


@dataclass
class Chart:
    title: str
    description: str
    x_label: str  # heading of the labels' column in the table
    y_label: str  # heading of the values' column
    points: list = field(default_factory=list)
    percent: bool = False
    horizontal: bool = False
    threshold: float | None = None
    threshold_label: str = ""
    alert_label: str = ""


def nice_ceiling(value):
    """The smallest 1, 2 or 5 × 10^k at least ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def format_value(value, percent):
    if percent:
        return f"{number_format(value * 100, 1)} %"
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, 2)
    return number_format(int(value), 0, force_grouping=True)


def _short(label):
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _columns(chart):
    left, right, top, bottom = 48, 12, 16, 40
    plot_w, plot_h = WIDTH - left - right, COLUMN_HEIGHT - top - bottom
    count = len(chart.points)
    top_value = 1.0 if chart.percent else nice_ceiling(max(p.value for p in chart.points))
    slot = plot_w / count
    bar_w = max(1.0, slot * 0.8)
    every = math.ceil(count / 15)
    bars = []
    for index, point in enumerate(chart.points):
        height = plot_h * min(point.value, top_value) / top_value
        x = left + index * slot + (slot - bar_w) / 2
        bars.append(
            {
                "x": round(x, 2),
                "y": round(top + plot_h - height, 2),
                "width": round(bar_w, 2),
                "height": round(height, 2),
                "center": round(x + bar_w / 2, 2),
                "label": point.label,
                "show_label": index % every == 0,
                "text": format_value(point.value, chart.percent),
                "show_text": count <= 31 and point.value > 0,
                "text_y": round(top + plot_h - height - 4, 2),
                "point": point,
            }
        )
    # counts get whole-number ticks only (no "2.5 people")
    shares = [0, 0.5, 1] if chart.percent or float(top_value / 2).is_integer() else [0, 1]
    ticks = [
        {"y": round(top + plot_h - plot_h * share, 2), "text": format_value(top_value * share, chart.percent)}
        for share in shares
    ]
    return {
        "height": COLUMN_HEIGHT,
        "left": left,
        "right": WIDTH - right,
        "baseline": top + plot_h,
        "label_y": top + plot_h + 16,
        "bars": bars,
        "ticks": ticks,
    }


def _rows(chart):
    top, value_room = 24, 80
    plot_w = WIDTH - LABEL_WIDTH - value_room
    top_value = max([1.0 if chart.percent else 0, *(p.value for p in chart.points), chart.threshold or 0])
    if not chart.percent:
        top_value = nice_ceiling(top_value)
    bars = []
    for index, point in enumerate(chart.points):
        width = plot_w * point.value / top_value if top_value else 0
        y = top + index * ROW_HEIGHT
        bars.append(
            {
                "x": LABEL_WIDTH,
                "y": y + 4,
                "width": round(width, 2),
                "height": ROW_HEIGHT - 8,
                "text_x": round(LABEL_WIDTH + width + 6, 2),
                "text_y": y + ROW_HEIGHT / 2 + 4,
                "label": _short(point.label),
                "text": format_value(point.value, chart.percent),
                "point": point,
            }
        )
    height = top + len(chart.points) * ROW_HEIGHT + 8
    threshold = None
    if chart.threshold is not None:
        x = round(LABEL_WIDTH + plot_w * chart.threshold / top_value, 2)
        threshold = {"x": x, "text": f"{chart.threshold_label} {format_value(chart.threshold, chart.percent)}"}
    return {"height": height, "bars": bars, "threshold": threshold, "label_x": LABEL_WIDTH - 8, "bottom": height - 4}


@register.inclusion_tag("quizzes/admin/dashboard_chart.html")
def chart(chart):
    """Render a :class:`Chart` (nothing but a note when it has no points)."""
    uid = next(_ids)
    context = {"chart": chart, "uid": f"chart-{uid}", "width": WIDTH, "empty": not chart.points}
    if chart.points:
        context["geometry"] = _rows(chart) if chart.horizontal else _columns(chart)
        context["rows"] = [(p, format_value(p.value, chart.percent)) for p in chart.points]
    return context
