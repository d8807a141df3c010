"""Geometry of the dashboards' small SVG charts; the templates in templates/dashboards draw it.

Plain functions of plain numbers, so they are tested without a request. Colours come from CSS
classes in static/css/portal.css (the CSP forbids inline styles).
"""
from dataclasses import dataclass
from decimal import Decimal


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
    def x(v: Decimal) -> float:
        return round(min(float(v), float(top)) / float(top) * width, 1) if top else 0.0

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
    if not values:
        return Spark(width, height, "", None)
    pad = 2
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def y(v: int) -> float:
        return round(height - pad - (v - low) / (high - low) * (height - 2 * pad), 1)

    coords = [(round(pad + i * step, 1), y(v)) for i, v in enumerate(values)]
    if len(coords) == 1:
        coords = [(pad, coords[0][1]), (width - pad, coords[0][1])]
    return Spark(width, height, " ".join(f"{a},{b}" for a, b in coords), coords[-1])


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
    total = sum(count for _c, _l, count in parts)
    segments, x = [], 0.0
    if not total:
        return segments
    for css, label, count in parts:
        if not count:
            continue
        w = round(count / total * width, 1)
        segments.append(Segment(round(x, 1), w, css, label, count))
        x += w
    return segments


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
