"""Chart geometry shared by the server-drawn SVG charts: a round top for an axis, its ticks, the
value-to-pixel scale, the slots of grouped bars, 100 % stacks and polylines.

Plain numbers in, plain numbers out, so the geometry is tested without a request.
portal.kernel.bar_charts lays out the bar charts from these, portal.dashboards.charts the meters,
sparklines and stacked steps; templates draw them, colours from CSS classes (the CSP forbids
inline styles).
"""
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal


def nice_max(value: Decimal) -> Decimal:
    """A round number at or above the value (1, 2, 2.5 or 5 × a power of ten), for an axis top."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = magnitude * Decimal(str(step))
        if top >= value:
            return top
    return magnitude * 10


def nice_step(value: Decimal, count: int = 4) -> Decimal:
    """The smallest round step (1, 2, 2.5 or 5 × a power of ten) that covers `value` in `count`
    steps."""
    raw = Decimal(value) / count
    if raw <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** raw.adjusted()  # the power of ten at or below raw
    for step in ("1", "2", "2.5", "5", "10"):
        if magnitude * Decimal(step) >= raw:
            return magnitude * Decimal(step)
    return magnitude * 10  # pragma: no cover (10 × magnitude always covers)


def nice_ceiling(value: Decimal, count: int = 4) -> tuple[Decimal, int]:
    """A round axis top just above the value and its number of steps: (top, steps) with
    top = steps × a round step, steps ≤ count (575 → 600 in 3 steps of 200, not 1,000)."""
    step = nice_step(value, count)
    steps = max(1, int((Decimal(value) / step).to_integral_value(rounding=ROUND_CEILING)))
    top = step * steps
    return (top.to_integral_value() if top == top.to_integral_value() else top), steps


@dataclass(frozen=True)
class Axis:
    """A linear axis from 0 to `top`, drawn over `length` pixels."""

    top: Decimal
    length: float

    @property
    def per_unit(self) -> float:
        """Pixels per unit of value."""
        return self.length / float(self.top)

    def size(self, value) -> float:
        """The length of a bar of this value (value × pixels per unit)."""
        return float(value or 0) * self.per_unit

    def at(self, value) -> float:
        """Where a value falls along the axis (its share of the top × the length)."""
        return float(value) / float(self.top) * self.length if self.top else 0.0

    def ticks(self, steps: int = 4) -> list[tuple[float, Decimal]]:
        """(offset along the axis, value) of the grid lines: 0, top/steps, …, top."""
        return [(self.length * i / steps, self.top * i / steps) for i in range(steps + 1)]


def slots(count: int, start: float, length: float) -> tuple[float, list[float]]:
    """Equal slots for `count` groups over [start, start + length]: (slot width, slot starts)."""
    slot = length / max(1, count)
    return slot, [start + g * slot for g in range(count)]


def shares(counts: list[int], length: float) -> list[tuple[float, float]]:
    """(start, width) of each count's part of a 100 % stack, one decimal; empty parts take 0."""
    total = sum(counts)
    parts, x = [], 0.0
    for count in counts:
        width = round(count / total * length, 1) if total and count else 0.0
        parts.append((round(x, 1), width))
        x += width
    return parts


def polyline(values: list, low, high, width: int, height: int, pad: int = 2
             ) -> list[tuple[float, float]]:
    """Points of a line through values on a fixed scale [low, high], oldest first, `pad` pixels
    of padding; a single value is drawn as a flat line across."""
    if not values:
        return []
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def y(v) -> float:
        return round(height - pad - (v - low) / (high - low) * (height - 2 * pad), 1)

    points = [(round(pad + i * step, 1), y(v)) for i, v in enumerate(values)]
    if len(points) == 1:
        points = [(pad, points[0][1]), (width - pad, points[0][1])]
    return points


def points_attribute(points: list[tuple[float, float]]) -> str:
    """The `points` attribute of an SVG polyline."""
    return " ".join(f"{x},{y}" for x, y in points)
