"""Views of the task list."""
from flask import abort, flash, redirect, request, url_for
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
from portal.tasks.forms import MoveForm, OrderForm, TaskForm
from portal.tasks.queries import (TASK_SORTS, board_tasks, get_my_action_item_or_404,
                                  get_my_review_action_or_404, get_task_or_404, my_action_items,
                                  my_review_actions, task_list)
from portal.tasks.services import (QUADRANT_KEYS, QUADRANTS, action_item_urgent, is_overdue,
                                   move_task, open_items_for, place_at_end, set_done, shift_task)

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
        context["cells"] = _board_cells(today)
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


def _board_cells(today) -> dict:
    """The board's four quadrants, each with its open tasks in order, then the action items
    and review actions that fall in it (by their due date)."""
    cells = {key: {"key": name, "tasks": [], "actions": [], "reviews": []}
             for name, key in QUADRANT_KEYS.items()}
    for task in db.session.scalars(board_tasks(current_user)):
        cells[(task.urgent, task.important)]["tasks"].append(task)
    for item in db.session.scalars(my_action_items(current_user, show="open")):
        cells[(action_item_urgent(item.due_date, today), True)]["actions"].append(item)
    for action in db.session.scalars(my_review_actions(current_user, show="open")):
        cells[(action_item_urgent(action.due_on, today), True)]["reviews"].append(action)
    return {key: cells[key] for key in QUADRANTS}


def _board():
    """After a move: the board again for htmx, else back to the page the form was on."""
    if is_htmx():
        today = clock.today()
        return render("tasks/_board.html", cells=_board_cells(today), today=today)
    return _back()


@bp.route("/<int:task_id>/move", methods=["POST"])
def move(task_id: int):
    """Move one of my tasks to another quadrant in one action: a quadrant button, a drop on the
    board (before the task it was dropped on), or the plain form."""
    task = get_task_or_404(current_user, task_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    move_task(task, form.quadrant.data, form.before.data)
    db.session.commit()
    return _board()


@bp.route("/<int:task_id>/order", methods=["POST"])
def order(task_id: int):
    """Move one of my tasks a place up or down within its quadrant."""
    task = get_task_or_404(current_user, task_id)
    form = OrderForm()
    if not form.validate_on_submit():
        abort(400)
    if shift_task(task, -1 if form.direction.data == "up" else 1):
        db.session.commit()
    return _board()


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
        place_at_end(task)
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
        was = (task.urgent, task.important)
        _apply(form, task)
        if (task.urgent, task.important) != was:
            place_at_end(task)
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
        today = clock.today()
        cell = None
        if request.form.get("board") and not task.done:
            # Open again on the board: its row with the move buttons, in its quadrant's order.
            cell = _board_cells(today)[(task.urgent, task.important)]
        return render("tasks/_task.html", task=task, today=today, cell=cell,
                      on_board=bool(request.form.get("board")))
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
