"""Charts drawn on the server as SVG: they show without JavaScript and print.

The functions here compute the geometry; templates/targets/_chart.html draws it.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 520, 220
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 10, 40


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
    #: Optional horizontal marker lines: (y, css, text).
    lines: list[tuple[float, str, str]] = field(default_factory=list)
    empty: bool = True


def nice_max(value: Decimal) -> Decimal:
    """A round number at or above the value, for the top of the axis."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = magnitude * Decimal(str(step))
        if top >= value:
            return top
    return magnitude * 10


def _axis(chart: Chart, top: Decimal) -> float:
    """Add the grid lines; return the pixels per unit."""
    plot = chart.height - TOP - BOTTOM
    for i in range(5):
        value = top * i / 4
        chart.ticks.append((chart.height - BOTTOM - plot * i / 4, value))
    return plot / float(top)


def month_label(month: date) -> str:
    return f"{month.year % 100:02d}-{month.month:02d}"


def grouped_bars(groups: list, series: list[tuple[str, str, list]], label=month_label) -> Chart:
    """Side-by-side bars per group, one per series: series = [(legend, css class, values)]."""
    chart = Chart()
    values = [Decimal(v) for _n, _c, vs in series for v in vs if v is not None]
    chart.empty = not any(values)
    scale = _axis(chart, nice_max(max(values, default=Decimal(0))))
    slot = (chart.width - LEFT - RIGHT) / max(1, len(groups))
    bar_width = slot * 0.8 / max(1, len(series))
    for g, group in enumerate(groups):
        x0 = LEFT + g * slot + slot * 0.1
        for s, (name, css, vals) in enumerate(series):
            value = Decimal(vals[g] or 0)
            height = float(value) * scale
            chart.bars.append(Bar(x0 + s * bar_width, chart.height - BOTTOM - height,
                                  bar_width - 2, height, css, f"{name} {label(group)}: {value}"))
        chart.labels.append((LEFT + g * slot + slot / 2, label(group)))
    chart.legend = [(css, name) for name, css, _v in series]
    return chart


def stacked_bars(groups: list, series: list[tuple[str, str, list]], label=month_label) -> Chart:
    """Stacked bars per group: series = [(legend, css class, values)]."""
    chart = Chart()
    totals = [sum(Decimal(vals[g] or 0) for _n, _c, vals in series) for g in range(len(groups))]
    chart.empty = not any(totals)
    scale = _axis(chart, nice_max(max(totals, default=Decimal(0))))
    slot = (chart.width - LEFT - RIGHT) / max(1, len(groups))
    for g, group in enumerate(groups):
        x = LEFT + g * slot + slot * 0.2
        y = chart.height - BOTTOM
        for name, css, vals in series:
            value = Decimal(vals[g] or 0)
            if not value:
                continue
            height = float(value) * scale
            y -= height
            chart.bars.append(Bar(x, y, slot * 0.6, height, css, f"{name} {label(group)}: {value}"))
        chart.labels.append((LEFT + g * slot + slot / 2, label(group)))
    chart.legend = [(css, name) for name, css, _v in series]
    return chart


def horizontal_percent_bars(rows: list[tuple[str, Decimal | None]], threshold: Decimal) -> Chart:
    """One horizontal bar per person: attainment %, with a line at 100 % and at the threshold."""
    chart = Chart(height=max(80, 26 * len(rows) + 40))
    top = max([Decimal(100)] + [v for _n, v in rows if v is not None])
    top = nice_max(top)
    plot = chart.width - 150 - 30  # room on the right for the last tick's label
    chart.empty = not rows
    for i, (name, value) in enumerate(rows):
        y = TOP + i * 26
        width = float(value or 0) / float(top) * plot
        css = "bar-bad" if value is not None and value < threshold else "bar-ok"
        chart.bars.append(Bar(150, y, width, 18, css, f"{name}: {value if value is not None else '—'} %"))
        chart.labels.append((y + 13, name))
    for value, css in ((Decimal(100), "line-target"), (threshold, "line-threshold")):
        x = 150 + float(value) / float(top) * plot
        chart.lines.append((x, css, f"{value} %"))
    chart.ticks = [(150 + plot * i / 4, top * i / 4) for i in range(5)]
    return chart
