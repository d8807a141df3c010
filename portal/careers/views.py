"""Views of the careers module."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import get_user_or_404
from portal.careers import bp, queries, services
from portal.careers.forms import (AssessForm, CourseLinkForm, GoalForm, LevelForm, MilestoneForm,
                                  PlanForm, ReviewForm)
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models import Role, User, utcnow
from portal.models.careers import (READINESS_LABELS, CareerGoal, CareerLevel, CareerMilestone,
                                   GoalStatus, Readiness)
from portal.training import queries as training_queries


# --- people and the ladder ---------------------------------------------------------------------

@bp.route("/")
def index():
    """Plans of the people the viewer may see; staff go straight to their own plan."""
    if not current_user.has_role(Role.MANAGER, Role.HR, Role.ADMIN):
        return redirect(url_for("careers.plan", user_id=current_user.id))
    listing = Listing(filters=queries.PEOPLE_FILTERS, sorts=queries.PEOPLE_SORTS,
                      default_sort="name")
    page = listing.paginate(queries.plan_people(current_user, listing))
    plans = queries.plans_by_user(u.id for u in page.items)
    return render("careers/index.html", "careers/_people_results.html", page=page, plans=plans,
                  readiness_labels=READINESS_LABELS, today=clock.today())


@bp.route("/ladder")
def ladder():
    """The account-manager ladder with what each level expects."""
    return render("careers/ladder.html", levels=queries.ladder())


def _check_level_code(form: LevelForm, level: CareerLevel | None) -> bool:
    """Validate the form and that the code is unique."""
    ok = form.validate_on_submit()
    if request.method == "POST" and form.code.data:
        if queries.level_code_taken(form.code.data, level):
            form.code.errors.append(_("This code is taken."))
            ok = False
    return ok


def _level_values(form: LevelForm) -> dict:
    """The level's fields as the form gives them."""
    return {name: form[name].data for name in services.LEVEL_FIELDS}


@bp.route("/ladder/new", methods=["GET", "POST"])
@audience(Role.HR)
def level_create():
    """HR adds a level to the ladder."""
    form = LevelForm()
    if _check_level_code(form, None):
        services.save_level(None, _level_values(form))
        db.session.commit()
        flash(_("Level added."), "success")
        return redirect(url_for("careers.ladder"), code=303)
    return render("careers/level_form.html", form=form, level=None,
                  status=422 if form.errors else 200)


@bp.route("/ladder/<int:career_level_id>/edit", methods=["GET", "POST"])
@audience(Role.HR)
def level_edit(career_level_id: int):
    """HR edits a level and its expectations."""
    level = queries.get_level_or_404(current_user, career_level_id)
    form = LevelForm(obj=level)
    if _check_level_code(form, level):
        services.save_level(level, _level_values(form))
        db.session.commit()
        flash(_("Level saved."), "success")
        return redirect(url_for("careers.ladder"), code=303)
    return render("careers/level_form.html", form=form, level=level,
                  status=422 if form.errors else 200)


# --- one plan ----------------------------------------------------------------------------------

def _plan_page(person: User, status: int = 200, **forms):
    """The plan page with the forms the viewer may use."""
    plan = queries.plan_of(person.id)
    editable = services.may_edit_plan(current_user, person.id)
    sessions = {}
    linkable = []
    enrolled: set[int] = set()
    if plan is not None and plan.courses:
        for s in db.session.scalars(training_queries.upcoming_sessions([c.id for c in plan.courses],
                                                                  utcnow())):
            sessions.setdefault(s.course_id, []).append(s)
        enrolled = training_queries.enrolled_session_ids(
            person.id, [s.id for group in sessions.values() for s in group])
    if editable:
        linked = {c.id for c in plan.courses} if plan else set()
        linkable = [c for c in training_queries.active_courses(current_user)
                    if c.id not in linked]
    link_form = forms.pop("link_form", None) or CourseLinkForm(formdata=None)
    link_form.course_id.choices = [(c.id, c.title) for c in linkable]
    return render("careers/plan.html", person=person, plan=plan, editable=editable,
                  may_assess=services.may_assess(current_user, person.id),
                  may_review=services.may_review(current_user, person.id),
                  sessions=sessions, enrolled=enrolled, link_form=link_form,
                  goal_form=forms.pop("goal_form", None) or GoalForm(formdata=None),
                  milestone_form=MilestoneForm(formdata=None), status=status, **forms)


@bp.route("/people/<int:user_id>")
def plan(user_id: int):
    """A person's career plan: levels, strengths, goals, courses, readiness, reviews."""
    return _plan_page(get_user_or_404(current_user, user_id))


def _owner_or_403(user_id: int) -> User:
    """The person whose plan this is, if the viewer may see it (else 404) and is them (else 403)."""
    person = get_user_or_404(current_user, user_id)
    if not services.may_edit_plan(current_user, person.id):
        abort(403)
    return person


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
def plan_edit(user_id: int):
    """The person edits their plan."""
    person = _owner_or_403(user_id)
    existing = queries.plan_of(person.id)
    form = PlanForm(obj=existing)
    choices = [(0, "—")] + [(lv.id, f"{lv.code} · {lv.label}") for lv in queries.ladder()]
    form.current_level_id.choices = choices
    form.target_level_id.choices = choices
    if request.method == "GET" and existing is not None:
        form.current_level_id.data = existing.current_level_id or 0
        form.target_level_id.data = existing.target_level_id or 0
    if form.validate_on_submit():
        plan = services.plan_for_writing(person)
        plan.current_level_id = form.current_level_id.data or None
        plan.target_level_id = form.target_level_id.data or None
        plan.target_role = form.target_role.data or ""
        plan.horizon_months = form.horizon_months.data
        plan.strengths = form.strengths.data or ""
        plan.development_areas = form.development_areas.data or ""
        plan.next_review_on = form.next_review_on.data
        db.session.commit()
        flash(_("Your plan is saved."), "success")
        return redirect(url_for("careers.plan", user_id=person.id), code=303)
    return render("careers/plan_form.html", form=form, person=person,
                  status=422 if form.errors else 200)


@bp.route("/people/<int:user_id>/assess", methods=["GET", "POST"])
def plan_assess(user_id: int):
    """The manager sets promotion readiness and comments."""
    person = get_user_or_404(current_user, user_id)
    if not services.may_assess(current_user, person.id):
        abort(403)
    existing = queries.plan_of(person.id)
    form = AssessForm(obj=existing)
    if request.method == "GET" and existing is not None:
        form.readiness.data = existing.readiness.value if existing.readiness else ""
    if form.validate_on_submit():
        services.assess(person, Readiness(form.readiness.data) if form.readiness.data else None,
                        form.manager_comment.data or "")
        db.session.commit()
        flash(_("Assessment saved."), "success")
        return redirect(url_for("careers.plan", user_id=person.id), code=303)
    return render("careers/assess_form.html", form=form, person=person,
                  status=422 if form.errors else 200)


# --- goals and milestones ----------------------------------------------------------------------

@bp.route("/people/<int:user_id>/goals", methods=["POST"])
def goal_create(user_id: int):
    """The person adds a goal to their plan."""
    person = _owner_or_403(user_id)
    form = GoalForm()
    if form.validate_on_submit():
        plan = services.plan_for_writing(person)
        db.session.add(CareerGoal(plan_id=plan.id, title=form.title.data, due_on=form.due_on.data,
                                  status=GoalStatus(form.status.data),
                                  progress=form.progress.data))
        db.session.commit()
        flash(_("Goal added."), "success")
        return redirect(url_for("careers.plan", user_id=person.id) + "#goals", code=303)
    return _plan_page(person, status=422, goal_form=form)


@bp.route("/goals/<int:career_goal_id>/edit", methods=["GET", "POST"])
def goal_edit(career_goal_id: int):
    """The person updates a goal: title, due date, status, progress."""
    goal = queries.get_goal_or_404(current_user, career_goal_id)
    if not services.may_edit_plan(current_user, goal.plan.user_id):
        abort(403)
    form = GoalForm(obj=goal)
    if request.method == "GET":
        form.status.data = goal.status.value
    if form.validate_on_submit():
        goal.title = form.title.data
        goal.due_on = form.due_on.data
        goal.status = GoalStatus(form.status.data)
        goal.progress = 100 if goal.status == GoalStatus.DONE else form.progress.data
        db.session.commit()
        flash(_("Goal saved."), "success")
        return redirect(url_for("careers.plan", user_id=goal.plan.user_id) + "#goals", code=303)
    return render("careers/goal_form.html", form=form, goal=goal,
                  status=422 if form.errors else 200)


@bp.route("/goals/<int:career_goal_id>/milestones", methods=["POST"])
def milestone_create(career_goal_id: int):
    """The person adds a milestone to a goal (htmx puts back the goal alone)."""
    goal = queries.get_goal_or_404(current_user, career_goal_id)
    if not services.may_edit_plan(current_user, goal.plan.user_id):
        abort(403)
    form = MilestoneForm()
    if form.validate_on_submit():
        db.session.add(CareerMilestone(goal_id=goal.id, title=form.title.data,
                                       due_on=form.due_on.data))
        db.session.commit()
        if is_htmx():
            return _goal_partial(goal.id)
        return redirect(url_for("careers.plan", user_id=goal.plan.user_id) + f"#goal-{goal.id}",
                        code=303)
    if is_htmx():
        return _goal_partial(goal.id, milestone_form=form, status=422)
    return render("careers/milestone_form.html", form=form, goal=goal, status=422)


@bp.route("/milestones/<int:career_milestone_id>/toggle", methods=["POST"])
def milestone_toggle(career_milestone_id: int):
    """The person ticks a milestone done, or not done."""
    milestone = queries.get_milestone_or_404(current_user, career_milestone_id)
    goal = milestone.goal
    if not services.may_edit_plan(current_user, goal.plan.user_id):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    milestone.done = not milestone.done
    db.session.commit()
    if is_htmx():
        return _goal_partial(goal.id)
    return redirect(url_for("careers.plan", user_id=goal.plan.user_id) + f"#goal-{goal.id}",
                    code=303)


def _goal_partial(goal_id: int, milestone_form=None, status: int = 200):
    """One goal with its milestones, for htmx."""
    goal = queries.get_goal_or_404(current_user, goal_id)
    return render("careers/_goal.html", goal=goal, editable=True,
                  milestone_form=milestone_form or MilestoneForm(formdata=None), status=status)


# --- linked courses ----------------------------------------------------------------------------

@bp.route("/people/<int:user_id>/courses", methods=["POST"])
def course_link(user_id: int):
    """The person links a course of the catalogue to their plan."""
    person = _owner_or_403(user_id)
    form = CourseLinkForm()
    form.course_id.choices = [(c.id, c.title)
                              for c in training_queries.active_courses(current_user)]
    if form.validate_on_submit():
        plan = services.plan_for_writing(person)
        course = training_queries.get_course_or_404(current_user, form.course_id.data)
        if course not in plan.courses:
            plan.courses.append(course)
        db.session.commit()
        flash(_("Course linked to your plan."), "success")
        return redirect(url_for("careers.plan", user_id=person.id) + "#courses", code=303)
    return _plan_page(person, status=422, link_form=form)


@bp.route("/people/<int:user_id>/courses/<int:course_id>/unlink", methods=["POST"])
def course_unlink(user_id: int, course_id: int):
    """The person removes a course from their plan (the course stays in the catalogue)."""
    person = _owner_or_403(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    plan = queries.plan_of(person.id)
    if plan is not None:
        plan.courses = [c for c in plan.courses if c.id != course_id]
        db.session.commit()
    return redirect(url_for("careers.plan", user_id=person.id) + "#courses", code=303)


# --- reviews -----------------------------------------------------------------------------------

@bp.route("/people/<int:user_id>/reviews/new", methods=["GET", "POST"])
def review_create(user_id: int):
    """The person or their manager records a review; the plan as it stands is kept with it."""
    person = get_user_or_404(current_user, user_id)
    if not services.may_review(current_user, person.id):
        abort(403)
    form = ReviewForm()
    if request.method == "GET":
        form.reviewed_on.data = clock.today()
    if form.validate_on_submit():
        review = services.record_review(person, current_user, form.reviewed_on.data,
                                        form.note.data or "", form.next_review_on.data)
        db.session.commit()
        flash(_("Review recorded."), "success")
        return redirect(url_for("careers.review_detail", career_review_id=review.id), code=303)
    return render("careers/review_form.html", form=form, person=person,
                  status=422 if form.errors else 200)


@bp.route("/reviews/<int:career_review_id>")
def review_detail(career_review_id: int):
    """A past review: the note and the plan exactly as it stood then."""
    review = queries.get_review_or_404(current_user, career_review_id)
    return render("careers/review.html", review=review, person=review.plan.user,
                  snap=review.snapshot, readiness_labels={r.value: l for r, l in
                                                          READINESS_LABELS.items()})
