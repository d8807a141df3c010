"""Today and now in the company's time zone (a sale made at 07:00 in Beijing is today's sale,
though UTC still says yesterday), with one switch that freezes time for tests and commands.

Use `clock.today()` and `clock.now()` instead of `date.today()` and `datetime.now()`.
Stored timestamps stay UTC (`utcnow`, naive as the columns are); this is for calendar days.
"""
from contextlib import contextmanager
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"
#: When set, the moment every call answers (tests, `--now` of commands).
_frozen: datetime | None = None


def zone() -> ZoneInfo:
    """The company's time zone (setting TIMEZONE, default Asia/Shanghai)."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    return ZoneInfo(name)


def now() -> datetime:
    """The current time in the company's zone (aware)."""
    if _frozen is not None:
        return _frozen.astimezone(zone())  # a moment frozen in UTC still reads as company time
    return datetime.now(timezone.utc).astimezone(zone())


def today() -> date:
    """The current calendar day in the company's zone."""
    return now().date()


def utcnow() -> datetime:
    """The current UTC time, naive, as the timestamp columns store it."""
    return now().astimezone(timezone.utc).replace(tzinfo=None)


@contextmanager
def frozen(moment: date | datetime):
    """Within the block, time stands at this moment (a date means 09:00 company time)."""
    global _frozen
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(9, 0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    previous, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = previous
