"""Records: whose records the viewer may see, one person's record, the compliance matrix, the
export."""
from flask import redirect, url_for
from flask_babel import gettext as _, pgettext
from flask_login import current_user

from portal import spreadsheets
from portal.access import get_user_or_404
from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.downloads import download
from portal.kernel.lists import Listing
from portal.models import Role, utcnow
from portal.models.training import CATEGORY_LABELS
from portal.training import bp, queries, services


@bp.route("/records")
def records():
    """The people whose records the viewer may see, with hours this year and compliance."""
    if not current_user.has_role(Role.MANAGER, Role.HR, Role.ADMIN):
        return redirect(url_for("training.record", user_id=current_user.id))
    listing = Listing(filters=queries.PEOPLE_FILTERS, sorts=queries.PEOPLE_SORTS,
                      default_sort="name")
    page = listing.paginate(queries.people_list(current_user, listing))
    today = clock.today()
    ids = [u.id for u in page.items]
    return render("training/records.html", "training/_records_results.html", page=page,
                  hours=services.hours_in_year(ids, today.year),
                  compliance=services.compliance_by_user(ids, today), year=today.year,
                  areas=queries.visible_areas(current_user))


@bp.route("/records/<int:user_id>")
def record(user_id: int):
    """One person's training record: every course, hours per year, required courses, compliance."""
    person = get_user_or_404(current_user, user_id)
    enrolments = queries.record_enrolments(person.id)
    today = clock.today()
    by_role = services.required_course_ids_by_role()
    required_ids = set().union(*(by_role.get(r, set()) for r in person.roles))
    required = queries.required_courses(required_ids)
    done = services.completions([person.id])
    return render("training/record.html", person=person, enrolments=enrolments,
                  hours=services.hours_by_year(person.id), required=required,
                  done={cid: d for (uid, cid), d in done.items()},
                  compliance=services.compliance_by_user([person.id], today)[person.id],
                  now=utcnow(), is_me=person.id == current_user.id)


@bp.route("/matrix")
@audience(Role.MANAGER, Role.HR)
def matrix():
    """The compliance matrix: the team (HR: everyone) × the courses their roles require."""
    listing = Listing(filters=queries.MATRIX_FILTERS, sorts=queries.MATRIX_SORTS,
                      default_sort="name")
    page = listing.paginate(queries.matrix_people(current_user, listing))
    people = page.items
    by_role = services.required_course_ids_by_role()
    needs = {u.id: set().union(*(by_role.get(r, set()) for r in u.roles)) for u in people}
    course_ids = set().union(*needs.values()) if needs else set()
    courses = queries.required_courses(course_ids, listing.get("category", default=""))
    today = clock.today()
    done = services.completions([u.id for u in people])
    return render("training/matrix.html", "training/_matrix_results.html", page=page,
                  courses=courses, needs=needs, done=done,
                  compliance=services.compliance_by_user([u.id for u in people], today),
                  areas=queries.visible_areas(current_user), categories=CATEGORY_LABELS,
                  only_gaps=listing.get("gaps") == "1")


@bp.route("/export.<any(csv, xlsx):training_fmt>")
def export(training_fmt: str):
    """Every training record the viewer may see, as CSV or Excel."""
    C = spreadsheets.Column
    header = [C(_("Username"), "text", 14), C(_("Name"), "text", 14), C(_("Area"), "text", 14),
              C(_("Course"), "text", 30), C(_("Category")), C(_("Hours"), "number", 8),
              C(_("Session starts"), "date", 16), C(_("Attendance")),
              C(_("Completed on"), "date"), C(_("Score"), "number", 8),
              C(_("Certificate number"), "text", 18), C(pgettext("feedback", "Rating"), "int", 8)]
    rows = []
    for e in db.session.scalars(queries.export_rows(current_user)):
        course = e.session.course
        rows.append([e.user.username, e.user.display_name,
                     e.user.area.label if e.user.area else "", course.title,
                     course.category.label, course.hours, services.to_local(e.session.starts_at),
                     e.attendance.label, e.completed_on, e.score, e.certificate_no, e.rating])
    if training_fmt == "csv":
        body = services.to_csv(header, rows)
    else:
        body = services.to_xlsx(_("Training records"), header, rows)
    return download(body, f"training-records-{clock.today().isoformat()}.{training_fmt}")
