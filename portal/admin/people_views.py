"""Admin views of where people come from: the people import and the company directory's status."""
from flask import current_app, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from portal.admin import bp
from portal.admin.forms import PeopleImportConfirmForm, PeopleImportForm
from portal.admin.imports import IMPORT_HELP, ImportFileError, check, import_people, read_rows
from portal.directory.services import status as directory_status
from portal.extensions import db
from portal.htmx import render
from portal.models import SOURCE_DIRECTORY, SOURCE_LABELS, AuditLog, User

#: The biggest people file accepted (bytes).
MAX_FILE = 5 * 1024 * 1024


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="people-import")


@bp.route("/users/import", methods=["GET", "POST"])
def people_import():
    """Check a people file: every row with its errors; then import all or the valid rows."""
    form = PeopleImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors.append(_("Choose a .csv or .xlsx file."))
        else:
            content = upload.read(MAX_FILE + 1)
            try:
                if len(content) > MAX_FILE:
                    raise ImportFileError(_("The file is larger than 5 MB."))
                rows = read_rows(upload.filename, content)
                people, _positions = check(rows)
            except ImportFileError as error:
                form.file.errors.append(str(error))
            else:
                confirm = PeopleImportConfirmForm(formdata=None)
                confirm.payload.data = _serializer().dumps(rows)
                return render("admin/people_import_check.html", people=people, confirm=confirm,
                              filename=upload.filename)
    return render("admin/people_import.html", form=form, help=IMPORT_HELP,
                  status=422 if form.errors else 200)


@bp.route("/users/import/run", methods=["POST"])
def people_import_run():
    """Import the checked file again checked now: all rows (only when none has an error) or the
    valid rows; each new person gets an invitation link, shown once."""
    form = PeopleImportConfirmForm()
    if not form.validate_on_submit():
        return render("admin/people_import.html", form=PeopleImportForm(formdata=None),
                      help=IMPORT_HELP, status=422)
    try:
        rows = _serializer().loads(form.payload.data or "")
        people, _positions = check(rows)
    except (BadSignature, ImportFileError, TypeError, ValueError):
        return render("admin/people_import.html", form=PeopleImportForm(formdata=None),
                      help=IMPORT_HELP, status=422)
    if request.form.get("mode") != "valid" and any(not p.good for p in people):
        confirm = PeopleImportConfirmForm(formdata=None)
        confirm.payload.data = form.payload.data
        return render("admin/people_import_check.html", people=people, confirm=confirm,
                      filename="", refused=True, status=422)
    invited = import_people(people)
    db.session.commit()
    links = [(user, url_for("auth.invitation", invite_token=token, _external=True))
             for user, token in invited]
    return render("admin/people_import_done.html", links=links,
                  skipped=sum(1 for p in people if not p.good))


@bp.route("/directory")
def directory():
    """Where accounts come from, and the company directory's state asked now."""
    counts = dict(db.session.execute(select(User.source, func.count(User.id)).group_by(User.source)).all())
    recent = db.session.scalars(
        select(AuditLog).where(AuditLog.action.like("user.directory_%"))
        .order_by(AuditLog.id.desc()).limit(20)).all()
    return render("admin/directory.html", state=directory_status(), counts=counts,
                  labels=SOURCE_LABELS, recent=recent, directory_source=SOURCE_DIRECTORY)
