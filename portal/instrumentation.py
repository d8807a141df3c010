"""Optional per-request measurements for benchmarks: SQL statements and server time in headers.

Off unless PORTAL_MEASURE_REQUESTS is set; the benchmark turns it on to read
`X-SQL-Statements` and `Server-Timing: app;dur=<ms>` from every response.
"""
import re
import time

from flask import Flask, g, has_request_context
from sqlalchemy import event

from portal.extensions import db

_IGNORED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)", re.I)


def register(app: Flask) -> None:
    """Count statements and time each request when measuring is on."""
    if not app.config.get("MEASURE_REQUESTS"):
        return

    with app.app_context():
        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(conn, cursor, statement, parameters, context, executemany):
            if has_request_context() and not _IGNORED.match(statement):
                g.sql_statements = g.get("sql_statements", 0) + 1

    @app.before_request
    def _start():
        g.started = time.perf_counter()

    @app.after_request
    def _report(response):
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        response.headers["X-SQL-Statements"] = str(g.get("sql_statements", 0))
        response.headers["Server-Timing"] = f"app;dur={elapsed:.2f}"
        return response
