"""Two people editing one record: the second save of a stale form is refused, never merged.

Forms of versioned records (portal.models.versioning.Versioned) carry a hidden `row_version`
field. `is_current` compares it with the record before anything is written; on SQLite the write
lock is held from the start of a POST (BEGIN IMMEDIATE), so nobody can slip in between. On
PostgreSQL two saves may pass the check at once; the ORM's versioned UPDATE then matches no row
and the StaleDataError handler here answers with the same conflict (and writes nothing).
"""
import hashlib

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field, HiddenField

from portal.extensions import db

CONFLICT = _l("Someone else saved this record while you were editing it, so your changes were "
              "not saved. Check the current version; if you still want yours, save again.")


def version_field() -> HiddenField:
    """The hidden field that carries the version a form was shown (name it row_version)."""
    return HiddenField(render_kw={"id": False})  # no id: a page may hold several such forms


def digest(text: str | None) -> str:
    """A short fingerprint of a text, standing in for a version where a row changes in parts."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def is_current(form, record, field: Field, version: str | None = None) -> bool:
    """Whether the form was filled in on the record's current version.

    `version` defaults to the record's row_version; a section of a row that others change in
    other ways (a one-on-one's shared notes beside its mood and agenda) passes digest(its text).

    When it was not, the conflict message goes beside `field` (so the form answers 422), and the
    form now carries the current version: saving again is a deliberate choice to replace it. A
    request without the field (a script, not our forms) is not checked here; the versioned UPDATE
    still guards it against a save landing in between.
    """
    current = str(record.row_version) if version is None else version
    sent = form.row_version.raw_data[0] if form.row_version.raw_data else None
    if sent is None or sent == current:
        return True
    field.errors = [*field.errors, CONFLICT]
    form.row_version.data = current
    form.row_version.raw_data = [current]
    return False


def register(app: Flask) -> None:
    """A save that lost the race at the database answers 422 with the conflict message."""

    @app.errorhandler(StaleDataError)
    def stale(error: StaleDataError):
        db.session.rollback()
        return render_template("concurrency/conflict.html", message=CONFLICT), 422
