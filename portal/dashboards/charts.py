"""The dashboards' small SVG charts (meters, mood sparklines, stacked workflow steps); the
templates in templates/dashboards draw them.

The geometry (scale, polyline, 100 % stack) comes from portal.kernel.charts; plain functions of
plain numbers, tested without a request. Colours come from CSS classes in static/css/portal.css
(the CSP forbids inline styles).
"""
from dataclasses import dataclass
from decimal import Decimal

from portal.kernel.charts import Axis, points_attribute, polyline, shares


@dataclass(frozen=True)
class Meter:
    """A horizontal bar of a percentage against a scale, with an optional marker (e.g. pace)."""

    width: int
    filled: float
    marker: float | None
    css: str


def meter(value: Decimal | None, width: int = 200, top: Decimal = Decimal(100),
          marker: Decimal | None = None, good_at: Decimal | None = None) -> Meter:
    """A meter of value out of top (values beyond top fill it); css "good" or "short" against
    good_at (default: the marker, else top)."""
    axis = Axis(top, width)

    def x(v: Decimal) -> float:
        return round(axis.at(min(v, top)), 1)

    good_at = good_at if good_at is not None else (marker if marker is not None else top)
    css = "none" if value is None else ("good" if value >= good_at else "short")
    return Meter(width, x(max(value or Decimal(0), Decimal(0))),
                 None if marker is None else x(marker), css)


@dataclass(frozen=True)
class Spark:
    """A sparkline: the points of a polyline and its last point."""

    width: int
    height: int
    points: str
    last: tuple[float, float] | None


def sparkline(values: list[int], low: int = 1, high: int = 5, width: int = 80,
              height: int = 20) -> Spark:
    """A polyline of scores on a fixed scale (moods 1–5), oldest first, 2 px of padding."""
    points = polyline(values, low, high, width, height, pad=2)
    return Spark(width, height, points_attribute(points), points[-1] if points else None)


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar."""

    x: float
    width: float
    css: str
    label: str
    count: int


def stacked(parts: list[tuple[str, str, int]], width: int = 400) -> list[Segment]:
    """Segments of a 100 % stacked bar from (css, label, count) parts; empty parts are left out."""
    places = shares([count for _c, _l, count in parts], width)
    return [Segment(x, w, css, label, count)
            for (css, label, count), (x, w) in zip(parts, places) if count]


def appraisal_segments(counts: dict[str, int], width: int = 400) -> list[Segment]:
    """A cycle's appraisals per workflow step, in the workflow's order, as a stacked bar."""
    from portal.appraisals.labels import STATUS_LABELS
    from portal.models.appraisals import AppraisalStatus

    return stacked([(f"dash-step-{i}", str(STATUS_LABELS[step]), counts.get(step.value, 0))
                    for i, step in enumerate(AppraisalStatus)], width)


def appraisal_legend() -> list[tuple[str, str]]:
    """(css class, label) of every workflow step, for the stacked bars' legend."""
    from portal.appraisals.labels import STATUS_LABELS
    from portal.models.appraisals import AppraisalStatus

    return [(f"dash-step-{i}", str(STATUS_LABELS[step])) for i, step in enumerate(AppraisalStatus)]
