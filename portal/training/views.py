"""Views of the training module."""
from datetime import date

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _, pgettext
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.access import (can_see_user, get_user_or_404, managed_user_ids, manages)
from portal.kernel.audience import audience
from portal.admin.forms import ConfirmForm
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.models import Role, User, utcnow
from portal.models.training import CATEGORY_LABELS
from portal.models.training import (Attendance, Course, CourseCategory,
                                    CourseMode, Enrolment, TrainingSession)
from portal.training import bp, queries, services
from portal.training.forms import (ATTENDANCE_CHOICES, AssignForm, AttendanceRow, CourseForm,
                                   FeedbackForm, SessionForm)

COURSE_FIELDS = ["title", "category", "hours", "mode", "provider", "active", "required_roles"]
SESSION_FIELDS = ["starts_at", "ends_at", "place", "trainer", "capacity"]
RESULT_FIELDS = ["attendance", "completed_on", "score", "certificate_no"]


def refusal_message(reason: str) -> str:
    """The words for a refused enrolment."""
    return {
        "full": _("This session is full."),
        "already": _("Already enrolled in this session."),
        "started": _("This session has already started; enrolment is closed."),
        "retired": _("This course is no longer offered."),
    }.get(reason, _("The enrolment was refused."))


def _safe_next(default: str) -> str:
    """A local path to go back to after a POST, never another site."""
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return default


# --- catalogue ---------------------------------------------------------------------------------

@bp.route("/")
def index():
    """The catalogue: courses with search, category filter, sorting and pagination."""
    args = request.args
    query = queries.course_list(q=args.get("q", "").strip(), category=args.get("category", ""),
                                show_retired=args.get("retired") == "1",
                                sort=args.get("sort", "title"))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    now = utcnow()
    ids = [c.id for c in page.items]
    next_sessions = {}
    if ids:
        for s in db.session.scalars(queries.upcoming_sessions(ids, now)):
            next_sessions.setdefault(s.course_id, s)
    return render("training/index.html", "training/_course_results.html", page=page,
                  categories=CATEGORY_LABELS, next_sessions=next_sessions)


def _course_form(course: Course | None):
    """The course form, filled from the course on GET."""
    form = CourseForm(obj=course)
    if course is not None and request.method == "GET":
        form.category.data = course.category.value
        form.mode.data = course.mode.value
        form.required_roles.data = sorted(r.value for r in course.required_roles)
    return form


def _apply_course(form: CourseForm, course: Course) -> None:
    """Copy the form onto the course."""
    course.title = form.title.data
    course.category = CourseCategory(form.category.data)
    course.hours = form.hours.data
    course.mode = CourseMode(form.mode.data)
    course.provider = form.provider.data or ""
    course.description = form.description.data or ""
    course.required_roles = form.required_roles.data or []
    course.active = form.active.data


@bp.route("/courses/new", methods=["GET", "POST"])
@audience(Role.HR)
def course_create():
    """HR adds a course to the catalogue."""
    form = _course_form(None)
    if form.validate_on_submit():
        course = Course()
        _apply_course(form, course)
        db.session.add(course)
        db.session.flush()
        audit.record("course.create", "course", course.id, None,
                     audit.snapshot(course, COURSE_FIELDS))
        db.session.commit()
        flash(_("Course added."), "success")
        return redirect(url_for("training.course_detail", course_id=course.id), code=303)
    return render("training/course_form.html", form=form, course=None,
                  status=422 if form.errors else 200)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@audience(Role.HR)
def course_edit(course_id: int):
    """HR edits a course, including the roles it is required for."""
    course = queries.get_course_or_404(course_id)
    form = _course_form(course)
    if form.validate_on_submit():
        before = audit.snapshot(course, COURSE_FIELDS)
        _apply_course(form, course)
        audit.record("course.update", "course", course.id, before,
                     audit.snapshot(course, COURSE_FIELDS))
        db.session.commit()
        flash(_("Course saved."), "success")
        return redirect(url_for("training.course_detail", course_id=course.id), code=303)
    return render("training/course_form.html", form=form, course=course,
                  status=422 if form.errors else 200)


@bp.route("/courses/<int:course_id>")
def course_detail(course_id: int):
    """A course and its sessions, past and future, with the seats left."""
    course = queries.get_course_or_404(course_id)
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.course_id == course.id)
        .order_by(TrainingSession.starts_at.desc())).all()
    mine = set(db.session.scalars(
        select(Enrolment.session_id).join(TrainingSession)
        .where(TrainingSession.course_id == course.id, Enrolment.user_id == current_user.id)))
    return render("training/course_detail.html", course=course, sessions=sessions, mine=mine,
                  now=utcnow())


# --- sessions ----------------------------------------------------------------------------------

def _apply_session(form: SessionForm, session: TrainingSession) -> str | None:
    """Copy the form onto the session; an error for the capacity field when it is too small."""
    if form.capacity.data < session.seats_taken:
        return _("%(n)d people are enrolled already: the capacity cannot be lower.",
                 n=session.seats_taken)
    session.starts_at = services.from_local(form.starts_at.data)
    session.ends_at = services.from_local(form.ends_at.data)
    session.place = form.place.data
    session.trainer = form.trainer.data
    session.capacity = form.capacity.data
    return None


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@audience(Role.HR)
def session_create(course_id: int):
    """HR schedules a session of a course."""
    course = queries.get_course_or_404(course_id)
    form = SessionForm()
    if form.validate_on_submit():
        session = TrainingSession(course_id=course.id, seats_taken=0)
        _apply_session(form, session)
        db.session.add(session)
        db.session.flush()
        audit.record("training_session.create", "training_session", session.id, None,
                     audit.snapshot(session, SESSION_FIELDS))
        db.session.commit()
        flash(_("Session scheduled."), "success")
        return redirect(url_for("training.session_detail", training_session_id=session.id), code=303)
    return render("training/session_form.html", form=form, course=course, session=None,
                  status=422 if form.errors else 200)


@bp.route("/sessions/<int:training_session_id>/edit", methods=["GET", "POST"])
@audience(Role.HR)
def session_edit(training_session_id: int):
    """HR changes a session's time, place, trainer or capacity."""
    session = queries.get_session_or_404(training_session_id)
    form = SessionForm(obj=session)
    if request.method == "GET":
        form.starts_at.data = services.to_local(session.starts_at)
        form.ends_at.data = services.to_local(session.ends_at)
    if form.validate_on_submit():
        before = audit.snapshot(session, SESSION_FIELDS)
        error = _apply_session(form, session)
        if error is None:
            audit.record("training_session.update", "training_session", session.id, before,
                         audit.snapshot(session, SESSION_FIELDS))
            db.session.commit()
            flash(_("Session saved."), "success")
            return redirect(url_for("training.session_detail", training_session_id=session.id), code=303)
        form.capacity.errors.append(error)
    return render("training/session_form.html", form=form, course=session.course,
                  session=session, status=422 if form.errors else 200)


def _assign_form(blank: bool = False) -> AssignForm | None:
    """The assign form for managers and HR, with the people they may assign; None for others."""
    if not current_user.has_role(Role.MANAGER, Role.HR):
        return None
    form = AssignForm(formdata=None) if blank else AssignForm()
    form.user_id.choices = [(u.id, f"{u.display_name} ({u.username})")
                            for u in queries.assignable_people(current_user)]
    return form


def _session_page(session: TrainingSession, assign_form=None, status: int = 200):
    """The session page: details, seats, my enrolment, the roster I may see."""
    enrolments = queries.roster(current_user, session)
    mine = next((e for e in enrolments if e.user_id == current_user.id), None)
    now = utcnow()
    hr = current_user.has_role(Role.HR)
    # Whom I manage, asked once for the whole roster rather than once per line.
    managed = set() if hr or not enrolments else set(db.session.scalars(
        select(User.id).where(User.id.in_(managed_user_ids(current_user)))))
    return render("training/session_detail.html", session=session, course=session.course,
                  enrolments=enrolments, mine=mine, now=now,
                  assign_form=assign_form or _assign_form(blank=True),
                  can_mark=current_user.has_role(Role.MANAGER, Role.HR),
                  can_cancel=lambda e: services.can_cancel(e, now)
                  and (e.user_id == current_user.id or hr or e.user_id in managed),
                  status=status)


@bp.route("/sessions/<int:training_session_id>")
def session_detail(training_session_id: int):
    """A session: when and where, seats left, enrol, and the roster the viewer may see."""
    return _session_page(queries.get_session_or_404(training_session_id))


@bp.route("/sessions/<int:training_session_id>/enrol", methods=["POST"])
def enrol(training_session_id: int):
    """Take a seat in a session for oneself while seats remain."""
    session = queries.get_session_or_404(training_session_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.enrol(session, current_user)
    except services.EnrolmentRefused as refused:
        db.session.rollback()
        flash(refusal_message(refused.reason), "error")
        return redirect(_safe_next(url_for("training.session_detail", training_session_id=training_session_id)),
                        code=303)
    db.session.commit()
    flash(_("You are enrolled."), "success")
    return redirect(_safe_next(url_for("training.session_detail", training_session_id=training_session_id)),
                    code=303)


@bp.route("/sessions/<int:training_session_id>/assign", methods=["POST"])
@audience(Role.MANAGER, Role.HR)
def assign(training_session_id: int):
    """A manager (for their team) or HR (anyone) gives a person a seat."""
    session = queries.get_session_or_404(training_session_id)
    form = _assign_form()
    if not form.validate_on_submit():
        return _session_page(session, assign_form=form, status=422)
    person = get_user_or_404(current_user, form.user_id.data)
    try:
        enrolment = services.enrol(session, person, assigned_by=current_user)
    except services.EnrolmentRefused as refused:
        db.session.rollback()
        form.user_id.errors.append(refusal_message(refused.reason))
        return _session_page(session, assign_form=form, status=422)
    audit.record("enrolment.assign", "enrolment", enrolment.id, None,
                 {"session_id": session.id, "user_id": person.id})
    db.session.commit()
    flash(_("%(name)s is enrolled.", name=person.display_name), "success")
    return redirect(url_for("training.session_detail", training_session_id=session.id), code=303)


@bp.route("/enrolments/<int:enrolment_id>/cancel", methods=["GET", "POST"])
def enrolment_cancel(enrolment_id: int):
    """Confirm, then give a seat back (the person, their manager or HR) before the session."""
    enrolment = queries.get_enrolment_or_404(current_user, enrolment_id)
    if not (enrolment.user_id == current_user.id or current_user.has_role(Role.HR)
            or manages(current_user, enrolment.user_id)):
        abort(403)
    session_id = enrolment.session_id
    back = url_for("training.session_detail", training_session_id=session_id)
    if not services.can_cancel(enrolment):
        flash(_("This enrolment can no longer be cancelled."), "error")
        return redirect(back, code=303)
    form = ConfirmForm()
    if form.validate_on_submit():
        audit.record("enrolment.cancel", "enrolment", enrolment.id,
                     {"session_id": session_id, "user_id": enrolment.user_id}, None)
        services.cancel(enrolment)
        db.session.commit()
        flash(_("The enrolment is cancelled."), "success")
        return redirect(back, code=303)
    return render("confirm.html", form=form,
                  question=_("Cancel the enrolment of %(name)s in %(course)s?",
                             name=enrolment.user.display_name,
                             course=enrolment.session.course.title),
                  action=_("Cancel the enrolment"), cancel=back)


@bp.route("/sessions/<int:training_session_id>/attendance", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def attendance(training_session_id: int):
    """Mark attendance, completion, score and certificate for the whole roster at once."""
    session = queries.get_session_or_404(training_session_id)
    enrolments = [e for e in queries.roster(current_user, session)
                  if e.user_id != current_user.id or current_user.has_role(Role.HR)]
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        rows = [AttendanceRow(e, request.form) for e in enrolments]
        if all([row.validate() for row in rows]):
            for row in rows:
                before = audit.snapshot(row.enrolment, RESULT_FIELDS)
                services.mark(row.enrolment, Attendance(row.attendance), row.completed,
                              row.score, row.certificate_no)
                audit.record("enrolment.result", "enrolment", row.enrolment.id, before,
                             audit.snapshot(row.enrolment, RESULT_FIELDS))
            db.session.commit()
            if is_htmx():  # the form is swapped in place, with its own confirmation
                rows = [AttendanceRow.from_enrolment(e) for e in enrolments]
                return render("training/_attendance_form.html", session=session, rows=rows,
                              choices=ATTENDANCE_CHOICES, saved=True)
            flash(_("Attendance saved for %(n)d people.", n=len(rows)), "success")
            return redirect(url_for("training.attendance", training_session_id=session.id), code=303)
        return render("training/attendance.html", "training/_attendance_form.html",
                      session=session, rows=rows, choices=ATTENDANCE_CHOICES, status=422)
    rows = [AttendanceRow.from_enrolment(e) for e in enrolments]
    return render("training/attendance.html", "training/_attendance_form.html", session=session,
                  rows=rows, choices=ATTENDANCE_CHOICES)


@bp.route("/enrolments/<int:enrolment_id>/feedback", methods=["GET", "POST"])
def feedback(enrolment_id: int):
    """The trainee rates the session (1–5) and comments: only if they attended, only after it."""
    enrolment = queries.get_enrolment_or_404(current_user, enrolment_id)
    if enrolment.user_id != current_user.id:
        abort(403)
    if not services.can_give_feedback(enrolment, current_user):
        abort(403)
    form = FeedbackForm(obj=enrolment if request.method == "GET" else None)
    if request.method == "GET":
        form.rating.data = enrolment.rating or 0
        form.comment.data = enrolment.feedback
    if form.validate_on_submit():
        services.give_feedback(enrolment, current_user, form.rating.data, form.comment.data or "")
        db.session.commit()
        flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("training.record", user_id=current_user.id), code=303)
    return render("training/feedback.html", form=form, enrolment=enrolment,
                  status=422 if form.errors else 200)


# --- records, compliance, export ---------------------------------------------------------------

@bp.route("/records")
def records():
    """The people whose records the viewer may see, with hours this year and compliance."""
    if not current_user.has_role(Role.MANAGER, Role.HR, Role.ADMIN):
        return redirect(url_for("training.record", user_id=current_user.id))
    args = request.args
    query = queries.people_list(current_user, q=args.get("q", "").strip(),
                                area_id=args.get("area", type=int), sort=args.get("sort", "name"))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    today = date.today()
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
    today = date.today()
    by_role = services.required_course_ids_by_role()
    required_ids = set().union(*(by_role.get(r, set()) for r in person.roles))
    required = db.session.scalars(select(Course).where(Course.id.in_(required_ids))
                                  .order_by(Course.title)).all() if required_ids else []
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
    args = request.args
    category = args.get("category", "")
    query = queries.matrix_people(current_user, area_id=args.get("area", type=int),
                                  q=args.get("q", "").strip())
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    people = page.items
    by_role = services.required_course_ids_by_role()
    needs = {u.id: set().union(*(by_role.get(r, set()) for r in u.roles)) for u in people}
    course_ids = set().union(*needs.values()) if needs else set()
    courses_query = select(Course).where(Course.id.in_(course_ids)).order_by(Course.title)
    if category in {c.value for c in CourseCategory}:
        courses_query = courses_query.where(Course.category == CourseCategory(category))
    courses = db.session.scalars(courses_query).all() if course_ids else []
    today = date.today()
    done = services.completions([u.id for u in people])
    return render("training/matrix.html", "training/_matrix_results.html", page=page,
                  courses=courses, needs=needs, done=done,
                  compliance=services.compliance_by_user([u.id for u in people], today),
                  areas=queries.visible_areas(current_user), categories=CATEGORY_LABELS,
                  only_gaps=args.get("gaps") == "1")


@bp.route("/export.<any(csv, xlsx):training_fmt>")
def export(training_fmt: str):
    """Every training record the viewer may see, as CSV or Excel."""
    header = [_("Username"), _("Name"), _("Area"), _("Course"), _("Category"), _("Hours"),
              _("Session starts"), _("Attendance"), _("Completed on"), _("Score"),
              _("Certificate number"), pgettext("feedback", "Rating")]
    rows = []
    for e in db.session.scalars(queries.export_rows(current_user)):
        course = e.session.course
        rows.append([e.user.username, e.user.display_name,
                     e.user.area.code if e.user.area else "", course.title,
                     course.category.label, course.hours, services.to_local(e.session.starts_at),
                     e.attendance.label, e.completed_on, e.score, e.certificate_no, e.rating])
    stamp = date.today().isoformat()
    if training_fmt == "csv":
        body = services.to_csv(header, rows)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = services.to_xlsx(_("Training records"), header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="training-{stamp}.{training_fmt}"'
    return response


def can_view_record(user_id: int) -> bool:
    """Whether the current user may open this person's record (for links in templates)."""
    return can_see_user(current_user, user_id)
