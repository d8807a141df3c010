"""Percentages as the targets module shows and compares them: one decimal, rounded half up.

Shared by attainment (services) and duty fulfilment (duties) without either importing the other.
"""
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")


def one_decimal(value: Decimal) -> Decimal:
    """Round half up to one decimal, as percentages are shown and compared."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """part ÷ whole × 100 to one decimal; None when there is nothing to divide by."""
    if whole is None or whole <= 0:
        return None
    return one_decimal(Decimal(part) * 100 / Decimal(whole))


def average_fulfilment(values: list[Decimal | None]) -> Decimal | None:
    """The average of the measured duties' fulfilment, leaving out those that measured nothing."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return one_decimal(sum(values, Decimal(0)) / len(values))
