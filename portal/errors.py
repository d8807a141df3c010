"""Error pages in the reader's language, and the database-unavailable answer."""
from flask import Flask, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from portal.extensions import db


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Our own page for 4xx and 5xx answers (CSRF failures included)."""
        if error.code is None or error.code < 400:
            return error
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """A friendly 503 when the database does not answer, with no stack trace."""
        db.session.rollback()
        app.logger.error("database unavailable on %s: %s", request.path, error)
        return render_template("errors/error.html", error=None, unavailable=True), 503

    @app.errorhandler(500)
    def internal_error(error):
        """Our 500 page; the traceback goes to the log only."""
        db.session.rollback()
        return render_template("errors/error.html", error=None), 500
