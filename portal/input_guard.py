"""Refuse input no database column can hold, before any view sees it.

PostgreSQL text cannot contain NUL (0x00) and SQLite would store it silently, so the two backends
would disagree. No keyboard types it; a request carrying one is malformed and gets 400.
"""
from flask import Flask, abort, request


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def refuse_nul_bytes():
    """Answer 400 when the query string or the form carries a NUL character."""
    if _has_nul(request.args) or (request.method == "POST" and _has_nul(request.form)):
        abort(400)


def register(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
