"""Months, quarters and years: the units targets, payouts and reviews are counted in.

Keys as they appear in URLs and exports: `2026-11` (month), `2026-Q4` (quarter), `2026` (year).
"""
import calendar
import re
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

_KEY = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$", re.ASCII)  # no ２０２６
KINDS = ("month", "quarter", "year")


def month_start(day: date) -> date:
    """The first day of the month a day falls in."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month a day falls in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day so many months later (or earlier), kept within the target month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from start's month to end's month, both included."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True, order=True)
class Period:
    """A month, quarter or year, from its first to its last day."""

    start: date
    end: date
    kind: str  # one of KINDS

    # --- making one ----------------------------------------------------------------------------
    @classmethod
    def month_of(cls, day: date) -> "Period":
        """The month a day falls in."""
        return cls(month_start(day), month_end(day), "month")

    @classmethod
    def quarter_of(cls, day: date) -> "Period":
        """The quarter a day falls in."""
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return cls(start, month_end(add_months(start, 2)), "quarter")

    @classmethod
    def year_of(cls, day: date) -> "Period":
        """The year a day falls in."""
        return cls(date(day.year, 1, 1), date(day.year, 12, 31), "year")

    @classmethod
    def parse(cls, key: str | None, kinds=KINDS) -> "Period | None":
        """The period a key names (`2026-11`, `2026-Q4`, `2026`), or None when it names none
        of the allowed kinds."""
        match = _KEY.match((key or "").strip().upper())
        if not match:
            return None
        year = int(match.group(1))
        if not 1900 <= year <= 9998:
            return None
        if match.group(2):
            period = cls.month_of(date(year, int(match.group(2)), 1))
        elif match.group(3):
            period = cls.quarter_of(date(year, 3 * int(match.group(3)) - 2, 1))
        else:
            period = cls.year_of(date(year, 1, 1))
        return period if period.kind in kinds else None

    # --- reading it ----------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """How the period is written in URLs: 2026-11, 2026-Q4, 2026."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        """The period in the reader's language: 2026年11月 / Nov 2026, 2026年第4季度 / Q4 2026."""
        if self.kind == "month":  # a skeleton, not a pattern: each locale orders it its way
            return format_skeleton("yMMM", self.start, locale=get_locale())
        if self.kind == "quarter":
            return _("Q%(q)d %(year)d", q=(self.start.month - 1) // 3 + 1, year=self.start.year)
        return str(self.start.year)

    @property
    def months(self) -> int:
        """How many months the period spans."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def is_quarter(self) -> bool:
        return self.kind == "quarter"

    def month_starts(self) -> list[date]:
        """The first day of each of its months."""
        return months_between(self.start, self.end)

    def contains(self, day: date) -> bool:
        """Whether a day falls within the period."""
        return self.start <= day <= self.end

    def shifted(self, steps: int) -> "Period":
        """The period so many of its own length later (negative: earlier)."""
        start = add_months(self.start, steps * self.months)
        return {"month": Period.month_of, "quarter": Period.quarter_of,
                "year": Period.year_of}[self.kind](start)

    def __str__(self) -> str:
        return self.key
