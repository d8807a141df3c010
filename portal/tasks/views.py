"""Views of the task list."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.kernel.urls import redirect_next
from portal.models.communication import Task
from portal.tasks import bp
from portal.tasks.forms import TaskForm
from portal.tasks.queries import (TASK_SORTS, get_my_action_item_or_404,
                                  get_my_review_action_or_404, get_task_or_404, my_action_items,
                                  my_review_actions, task_list)
from portal.tasks.services import (QUADRANTS, action_item_urgent, is_overdue, open_items_for,
                                   set_done)

VIEWS = ("quadrants", "list", "actions")


@bp.route("/")
def index():
    """My tasks as the four quadrants, as a due-date list, or my action items."""
    view = request.args.get("view", "quadrants")
    view = view if view in VIEWS else "quadrants"
    show = request.args.get("show", "open")
    today = clock.today()
    context = {"view": view, "show": show, "today": today}
    if view == "quadrants":
        tasks = db.session.scalars(task_list(current_user, show="open")).all()
        actions = db.session.scalars(my_action_items(current_user, show="open")).all()
        reviews = db.session.scalars(my_review_actions(current_user, show="open")).all()
        cells = {key: {"tasks": [], "actions": [], "reviews": []} for key in QUADRANTS}
        for task in tasks:
            cells[(task.urgent, task.important)]["tasks"].append(task)
        for item in actions:
            cells[(action_item_urgent(item.due_date, today), True)]["actions"].append(item)
        for action in reviews:
            cells[(action_item_urgent(action.due_on, today), True)]["reviews"].append(action)
        context["cells"] = cells
    elif view == "list":
        listing = Listing(filters=("view", "show"), sorts=TASK_SORTS, default_sort="due")
        context["page"] = listing.paginate(task_list(current_user, show=show, listing=listing))
    else:
        listing = Listing(filters=("view", "show"))
        context["page"] = listing.paginate(my_action_items(current_user, show=show))
        # Review actions are few per person (a handful per area review): one list, unpaged.
        context["review_actions"] = db.session.scalars(
            my_review_actions(current_user, show=show)).all()
    return render("tasks/index.html", "tasks/_results.html", **context)


def _apply(form: TaskForm, task: Task) -> None:
    """Copy the form onto the task."""
    task.title = form.title.data
    task.notes = form.notes.data or ""
    task.due_date = form.due_date.data
    task.urgent = form.urgent.data
    task.important = form.important.data


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a task to my list."""
    form = TaskForm()
    if form.validate_on_submit():
        task = Task(owner_id=current_user.id)
        _apply(form, task)
        db.session.add(task)
        db.session.commit()
        flash(_("Task added."), "success")
        return redirect(url_for("tasks.index"), code=303)
    return render("tasks/form.html", form=form, task=None, status=422 if form.errors else 200)


@bp.route("/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id: int):
    """Change one of my tasks."""
    task = get_task_or_404(current_user, task_id)
    form = TaskForm(obj=task)
    if form.validate_on_submit():
        _apply(form, task)
        db.session.commit()
        flash(_("Task saved."), "success")
        return redirect(url_for("tasks.index"), code=303)
    return render("tasks/form.html", form=form, task=task, status=422 if form.errors else 200)


def _back():
    """Where a tick without JavaScript returns to: the page it came from, if it is ours."""
    return redirect_next(url_for("tasks.index"))


@bp.route("/<int:task_id>/toggle", methods=["POST"])
def toggle(task_id: int):
    """Tick a task as done, or open it again."""
    task = get_task_or_404(current_user, task_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        set_done(task, not task.done)
        db.session.commit()
    if is_htmx():
        return render("tasks/_task.html", task=task, today=clock.today())
    return _back()


@bp.route("/actions/<int:action_item_id>/toggle", methods=["POST"])
def action_toggle(action_item_id: int):
    """Tick an action item of mine from my list; its meeting or one-on-one shows the change."""
    item = get_my_action_item_or_404(current_user, action_item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        set_done(item, not item.done)
        db.session.commit()
    if is_htmx():
        return render("tasks/_action.html", item=item, today=clock.today())
    return _back()


@bp.route("/review-actions/<int:review_action_id>/toggle", methods=["POST"])
def review_action_toggle(review_action_id: int):
    """Tick an action of an area review that I own; the review shows the change."""
    action = get_my_review_action_or_404(current_user, review_action_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        set_done(action, action.done_at is None)
        db.session.commit()
    if is_htmx():
        return render("tasks/_review_action.html", action=action, today=clock.today())
    return _back()


@bp.route("/<int:task_id>/delete", methods=["GET", "POST"])
def delete(task_id: int):
    """Confirm, then delete one of my tasks."""
    task = get_task_or_404(current_user, task_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.delete(task)
        db.session.commit()
        flash(_("Task deleted."), "success")
        return redirect(url_for("tasks.index"), code=303)
    return render("confirm.html", form=form, action=_("Delete"),
                  question=_("Delete the task “%(title)s”?", title=task.title),
                  cancel=url_for("tasks.edit", task_id=task.id))


@bp.app_template_global()
def task_overdue(item, today) -> bool:
    """Whether a task or action item is open and past due."""
    return is_overdue(item.due_date, item.done, today)


from portal.kernel.panels import panel  # noqa: E402


@panel("tasks/_home_panel.html", order=20)
def home_panel(user):
    """My open tasks and action items, soonest due first."""
    today = clock.today()
    items = open_items_for(user.id, today)
    return {"open_items": items[:6], "open_count": len(items), "today": today}
