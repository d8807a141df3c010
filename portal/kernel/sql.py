"""SQL expressions written differently on SQLite and PostgreSQL, chosen by the session's database."""
from sqlalchemy import func

from portal.extensions import db


def days_between(later, earlier):
    """The whole days from one date column to another (SQLite has no date arithmetic: the
    difference of Julian day numbers; PostgreSQL subtracts dates into an integer)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier


def seconds_between(later, earlier):
    """The whole seconds from one timestamp column to another (SQLite: the Julian days between
    them × 86,400, rounded; PostgreSQL: the interval's epoch, rounded)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.round((func.julianday(later) - func.julianday(earlier)) * 86400)
    return func.round(func.extract("epoch", later - earlier))
