"""Sessions: scheduling (HR), enrolment and assignment, cancelling, attendance, feedback."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import people_picker
from portal.access import get_user_or_404
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.kernel.urls import redirect_next
from portal.models import Role, utcnow
from portal.models.training import Attendance, TrainingSession
from portal.training import bp, queries, services
from portal.training.forms import (ATTENDANCE_CHOICES, AssignForm, AttendanceRow, FeedbackForm,
                                   SessionForm)
from portal.training.views import refusal_message

def _session_values(form: SessionForm) -> dict:
    """The session's fields as the form gives them (times as typed, local)."""
    return {"starts_at": form.starts_at.data, "ends_at": form.ends_at.data,
            "place": form.place.data, "trainer": form.trainer.data,
            "capacity": form.capacity.data}


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@audience(Role.HR)
def session_create(course_id: int):
    """HR schedules a session of a course."""
    course = queries.get_course_or_404(current_user, course_id)
    form = SessionForm()
    if form.validate_on_submit():
        session = services.save_session(None, course.id, _session_values(form))
        db.session.commit()
        flash(_("Session scheduled."), "success")
        return redirect(url_for("training.session_detail", training_session_id=session.id), code=303)
    return render("training/session_form.html", form=form, course=course, session=None,
                  status=422 if form.errors else 200)


@bp.route("/sessions/<int:training_session_id>/edit", methods=["GET", "POST"])
@audience(Role.HR)
def session_edit(training_session_id: int):
    """HR changes a session's time, place, trainer or capacity."""
    session = queries.get_session_or_404(current_user, training_session_id)
    form = SessionForm(obj=session)
    if request.method == "GET":
        form.starts_at.data = services.to_local(session.starts_at)
        form.ends_at.data = services.to_local(session.ends_at)
    if form.validate_on_submit():
        try:
            services.save_session(session, session.course_id, _session_values(form))
        except services.CapacityTooLow as low:
            form.capacity.errors.append(
                _("%(n)d people are enrolled already: the capacity cannot be lower.",
                  n=low.taken))
        else:
            db.session.commit()
            flash(_("Session saved."), "success")
            return redirect(url_for("training.session_detail",
                                    training_session_id=session.id), code=303)
    return render("training/session_form.html", form=form, course=session.course,
                  session=session, status=422 if form.errors else 200)


def _assign_form(blank: bool = False) -> AssignForm | None:
    """The assign form for managers and HR, with the people they may assign; None for others."""
    if not current_user.has_role(Role.MANAGER, Role.HR):
        return None
    form = AssignForm(formdata=None) if blank else AssignForm()
    people_picker.bind(form.user_id)
    return form


def _session_page(session: TrainingSession, assign_form=None, status: int = 200):
    """The session page: details, seats, my enrolment, the roster I may see."""
    enrolments = queries.roster(current_user, session)
    mine = next((e for e in enrolments if e.user_id == current_user.id), None)
    now = utcnow()
    hr = current_user.has_role(Role.HR)
    # Whom I manage, asked once for the whole roster rather than once per line.
    managed = set() if hr else queries.managed_among(current_user,
                                                      (e.user_id for e in enrolments))
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
    return _session_page(queries.get_session_or_404(current_user, training_session_id))


@bp.route("/sessions/<int:training_session_id>/enrol", methods=["POST"])
def enrol(training_session_id: int):
    """Take a seat in a session for oneself while seats remain."""
    session = queries.get_session_or_404(current_user, training_session_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.enrol(session, current_user)
    except services.EnrolmentRefused as refused:
        db.session.rollback()
        flash(refusal_message(refused.reason), "error")
        return redirect_next(url_for("training.session_detail",
                                     training_session_id=training_session_id))
    db.session.commit()
    flash(_("You are enrolled."), "success")
    return redirect_next(url_for("training.session_detail",
                                 training_session_id=training_session_id))


@bp.route("/sessions/<int:training_session_id>/assign", methods=["POST"])
@audience(Role.MANAGER, Role.HR)
def assign(training_session_id: int):
    """A manager (for their team) or HR (anyone) gives a person a seat."""
    session = queries.get_session_or_404(current_user, training_session_id)
    form = _assign_form()
    if not form.validate_on_submit():
        return _session_page(session, assign_form=form, status=422)
    person = get_user_or_404(current_user, form.user_id.data)
    try:
        services.assign(session, person, current_user)
    except services.EnrolmentRefused as refused:
        db.session.rollback()
        form.user_id.errors.append(refusal_message(refused.reason))
        return _session_page(session, assign_form=form, status=422)
    db.session.commit()
    flash(_("%(name)s is enrolled.", name=person.display_name), "success")
    return redirect(url_for("training.session_detail", training_session_id=session.id), code=303)


@bp.route("/enrolments/<int:enrolment_id>/cancel", methods=["GET", "POST"])
def enrolment_cancel(enrolment_id: int):
    """Confirm, then give a seat back (the person, their manager or HR) before the session."""
    enrolment = queries.get_enrolment_or_404(current_user, enrolment_id)
    if not services.may_cancel_for(current_user, enrolment):
        abort(403)
    session_id = enrolment.session_id
    back = url_for("training.session_detail", training_session_id=session_id)
    if not services.can_cancel(enrolment):
        flash(_("This enrolment can no longer be cancelled."), "error")
        return redirect(back, code=303)
    form = ConfirmForm()
    if form.validate_on_submit():
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
    session = queries.get_session_or_404(current_user, training_session_id)
    enrolments = [e for e in queries.roster(current_user, session)
                  if e.user_id != current_user.id or current_user.has_role(Role.HR)]
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        rows = [AttendanceRow(e, request.form) for e in enrolments]
        if all([row.validate() for row in rows]):
            for row in rows:
                services.record_result(row.enrolment, Attendance(row.attendance),
                                       row.completed, row.score, row.certificate_no)
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
