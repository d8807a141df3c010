"""Rules of one-on-ones: the cadence, who reads what, carrying points over."""
import calendar
from dataclasses import dataclass
from datetime import date

from portal.models.communication import Cadence, OneOnOne, OneOnOneSeries, PrivateNote

#: How many past moods the cadence view shows.
MOOD_TREND_LENGTH = 6


def next_due(after: date, cadence: Cadence) -> date:
    """The date the next one-on-one is due after one held on `after`."""
    if cadence == Cadence.WEEKLY:
        return date.fromordinal(after.toordinal() + 7)
    if cadence == Cadence.FORTNIGHTLY:
        return date.fromordinal(after.toordinal() + 14)
    year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
    return date(year, month, min(after.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class CadenceFigures:
    """How a series keeps its rhythm: days since the last held one, and whether it is overdue."""

    last_held: date | None
    next_date: date | None
    days_since: int | None
    overdue: bool


def cadence_figures(last_held: date | None, next_date: date | None, today: date) -> CadenceFigures:
    """The cadence figures of a series on a given day; a series never held with no date is overdue."""
    days_since = (today - last_held).days if last_held else None
    overdue = next_date < today if next_date else last_held is None
    return CadenceFigures(last_held, next_date, days_since, overdue)


def mood_trend(scores: list[int]) -> str:
    """"up", "down" or "flat": the last mood against the mean of those before it (oldest first)."""
    if len(scores) < 2:
        return "flat"
    before = sum(scores[:-1]) / (len(scores) - 1)
    if scores[-1] > before + 0.25:
        return "up"
    if scores[-1] < before - 0.25:
        return "down"
    return "flat"


def is_participant(user_id: int, series: OneOnOneSeries) -> bool:
    """Whether this person is the manager or the report of the series."""
    return user_id in series.participant_ids()


def may_read_private_note(user_id: int, note: PrivateNote) -> bool:
    """A private note is readable by its author alone: no role, admin included, overrides it."""
    return note.author_id == user_id


def carry_over(previous: OneOnOne | None, new: OneOnOne) -> int:
    """Move the points the previous one-on-one left undiscussed onto the new one; how many moved."""
    if previous is None:
        return 0
    moved = [p for p in previous.points if not p.discussed]
    for point in moved:
        point.one_on_one = new
        point.carried_over += 1
    return len(moved)
