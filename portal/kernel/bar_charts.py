"""Bar charts shared by the modules: grouped and stacked bars by month (targets and sales, visits
by method), horizontal percentage bars per person (attainment on the targets page and dashboards).

The geometry (axis top, ticks, scale, slots) comes from portal.kernel.charts; this module lays
out the bars, and templates/targets/_chart.html and _hchart.html draw them.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from portal.kernel.charts import Axis, nice_ceiling, nice_max, slots
from portal.kernel.formats import colon, percent

WIDTH, HEIGHT = 520, 220
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 10, 40
#: The horizontal chart, drawn in percentages of whatever width it gets (no viewBox, so its text
#: keeps its size on a phone and the bars use a wide screen): names up to NAMES %, bars to
#: 100 - TAIL %; rows of ROW pixels, bars BAR pixels high, the tick labels below.
NAMES, TAIL, ROW, BAR = 20, 3, 26, 18


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Chart:
    """Everything the SVG template needs."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    #: (x, text) under each group.
    labels: list[tuple[float, object]] = field(default_factory=list)
    #: (y, value) of the horizontal grid lines.
    ticks: list[tuple[float, Decimal]] = field(default_factory=list)
    #: (css class, text) of the legend.
    legend: list[tuple[str, str]] = field(default_factory=list)
    #: Optional marker lines: (y, css, text), or (x %, css, text) across the horizontal chart.
    lines: list[tuple[float, str, str]] = field(default_factory=list)
    #: Ticks a phone leaves out (the odd ones of four), by index in `ticks`.
    minor_ticks: set[int] = field(default_factory=set)
    empty: bool = True


def _value_axis(chart: Chart, highest: Decimal) -> Axis:
    """The vertical axis up to a round top above the highest value, its grid lines added."""
    axis = Axis(nice_max(highest), chart.height - TOP - BOTTOM)
    chart.ticks = [(chart.height - BOTTOM - offset, value) for offset, value in axis.ticks()]
    return axis


def month_label(month: date) -> str:
    return f"{month.year % 100:02d}-{month.month:02d}"


def grouped_bars(groups: list, series: list[tuple[str, str, list]], label=month_label) -> Chart:
    """Side-by-side bars per group, one per series: series = [(legend, css class, values)]."""
    chart = Chart()
    values = [Decimal(v) for _n, _c, vs in series for v in vs if v is not None]
    chart.empty = not any(values)
    axis = _value_axis(chart, max(values, default=Decimal(0)))
    slot, starts = slots(len(groups), LEFT, chart.width - LEFT - RIGHT)
    bar_width = slot * 0.8 / max(1, len(series))
    for g, group in enumerate(groups):
        x0 = starts[g] + slot * 0.1
        for s, (name, css, vals) in enumerate(series):
            value = Decimal(vals[g] or 0)
            height = axis.size(value)
            chart.bars.append(Bar(x0 + s * bar_width, chart.height - BOTTOM - height,
                                  bar_width - 2, height, css,
                                  colon(f"{name} {label(group)}") + str(value)))
        chart.labels.append((starts[g] + slot / 2, label(group)))
    chart.legend = [(css, name) for name, css, _v in series]
    return chart


def stacked_bars(groups: list, series: list[tuple[str, str, list]], label=month_label) -> Chart:
    """Stacked bars per group: series = [(legend, css class, values)]."""
    chart = Chart()
    totals = [sum(Decimal(vals[g] or 0) for _n, _c, vals in series) for g in range(len(groups))]
    chart.empty = not any(totals)
    axis = _value_axis(chart, max(totals, default=Decimal(0)))
    slot, starts = slots(len(groups), LEFT, chart.width - LEFT - RIGHT)
    for g, group in enumerate(groups):
        x = starts[g] + slot * 0.2
        y = chart.height - BOTTOM
        for name, css, vals in series:
            value = Decimal(vals[g] or 0)
            if not value:
                continue
            height = axis.size(value)
            y -= height
            chart.bars.append(Bar(x, y, slot * 0.6, height, css,
                                  colon(f"{name} {label(group)}") + str(value)))
        chart.labels.append((starts[g] + slot / 2, label(group)))
    chart.legend = [(css, name) for name, css, _v in series]
    return chart


def horizontal_percent_bars(rows: list[tuple[str, Decimal | None]], threshold: Decimal) -> Chart:
    """One horizontal bar per person: attainment %, with a line at 100 % and at the threshold.

    x positions and widths are percentages of the chart's width (the template adds the "%");
    y positions are pixels. The axis runs to a round top just above the highest value or
    100 % (575 % → 600 %)."""
    chart = Chart(width=100, height=max(80, ROW * len(rows) + 40))
    top, steps = nice_ceiling(max([Decimal(100), threshold] + [v for _n, v in rows if v is not None]))
    axis = Axis(top, 100 - NAMES - TAIL)
    chart.empty = not rows
    for i, (name, value) in enumerate(rows):
        y = TOP + i * ROW
        css = "bar-bad" if value is not None and value < threshold else "bar-ok"
        chart.bars.append(Bar(NAMES, y, round(axis.at(value or 0), 2), BAR, css,
                              colon(name) + percent(value)))
        chart.labels.append((y + 13, name))
    for value, css in ((Decimal(100), "line-target"), (threshold, "line-threshold")):
        chart.lines.append((round(NAMES + axis.at(value), 2), css, percent(value)))
    chart.ticks = [(round(NAMES + offset, 2), value) for offset, value in axis.ticks(steps)]
    if steps == 4:
        chart.minor_ticks = {1, 3}
    return chart
