"""The course catalogue: every course, one course with its sessions, HR's course forms."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.models import Role, utcnow
from portal.models.training import CATEGORY_LABELS, Course, CourseCategory, CourseMode
from portal.training import bp, queries, services
from portal.training.forms import CourseForm

@bp.route("/")
def index():
    """The catalogue: courses with search, category filter, sorting and pagination."""
    listing = Listing(filters=queries.COURSE_FILTERS, sorts=queries.COURSE_SORTS,
                      default_sort="title")
    page = listing.paginate(queries.course_list(current_user, listing))
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


def _course_values(form: CourseForm) -> dict:
    """The course's fields as the form gives them."""
    return {"title": form.title.data, "category": CourseCategory(form.category.data),
            "hours": form.hours.data, "mode": CourseMode(form.mode.data),
            "provider": form.provider.data or "", "description": form.description.data or "",
            "required_roles": form.required_roles.data or [], "active": form.active.data}


@bp.route("/courses/new", methods=["GET", "POST"])
@audience(Role.HR)
def course_create():
    """HR adds a course to the catalogue."""
    form = _course_form(None)
    if form.validate_on_submit():
        course = services.save_course(None, _course_values(form))
        db.session.commit()
        flash(_("Course added."), "success")
        return redirect(url_for("training.course_detail", course_id=course.id), code=303)
    return render("training/course_form.html", form=form, course=None,
                  status=422 if form.errors else 200)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@audience(Role.HR)
def course_edit(course_id: int):
    """HR edits a course, including the roles it is required for."""
    course = queries.get_course_or_404(current_user, course_id)
    form = _course_form(course)
    if form.validate_on_submit():
        services.save_course(course, _course_values(form))
        db.session.commit()
        flash(_("Course saved."), "success")
        return redirect(url_for("training.course_detail", course_id=course.id), code=303)
    return render("training/course_form.html", form=form, course=course,
                  status=422 if form.errors else 200)


@bp.route("/courses/<int:course_id>")
def course_detail(course_id: int):
    """A course and its sessions, past and future, with the seats left."""
    course = queries.get_course_or_404(current_user, course_id)
    page = Listing().paginate(queries.course_sessions(current_user, course))
    mine = queries.my_session_ids(current_user, course)
    return render("training/course_detail.html", course=course, page=page, mine=mine,
                  now=utcnow())
