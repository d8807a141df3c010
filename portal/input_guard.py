"""Refuse input no database column can hold, before it reaches a query.

- NUL (0x00): PostgreSQL text cannot contain it and SQLite would store it silently, so the two
  backends would disagree. No keyboard types it; a request carrying one gets 400.
- Integers beyond a 32-bit column: `<int:...>` in a URL never matches one (404, like any id that
  does not exist), and a number that slips through a query argument or a form into SQL is
  answered 400 with the transaction rolled back, never 500.
"""
from flask import Flask, abort, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.routing import IntegerConverter

from portal.extensions import db

#: The largest value of an INTEGER column on PostgreSQL (SQLite's is larger; this one binds).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:x>` matching only what an INTEGER column can hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def refuse_nul_bytes():
    """Answer 400 when the query string or the form carries a NUL character."""
    if _has_nul(request.args) or (request.method == "POST" and _has_nul(request.form)):
        abort(400)


def out_of_range(error):
    """A number or text the database cannot hold got as far as SQL: 400, nothing kept."""
    db.session.rollback()
    return render_template("errors/error.html", error=None, bad_value=True), 400


def register_converters(app: Flask) -> None:
    """Before the blueprints: their rules take the converters in place when they are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def register(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.register_error_handler(OverflowError, out_of_range)
    app.register_error_handler(DataError, out_of_range)
