"""Logic of the task list: quadrants, ticking, and the open items other modules show."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.kernel import clock
from portal.models import utcnow
from portal.models.communication import ActionItem, OneOnOne, Task
from portal.models.reviews import ReviewAction

#: The four quadrants (urgent, important) in reading order: do, plan, delegate, drop.
QUADRANTS = [(True, True), (False, True), (True, False), (False, False)]
#: The quadrants' names in URLs and forms, in the same order.
QUADRANT_KEYS = {"do": (True, True), "plan": (False, True), "delegate": (True, False),
                 "drop": (False, False)}


def quadrant(urgent: bool, important: bool) -> tuple[bool, bool]:
    """The quadrant a task belongs in."""
    return (bool(urgent), bool(important))


def is_overdue(due: date | None, done: bool, today: date) -> bool:
    """Whether something open was due before today."""
    return not done and due is not None and due < today


#: An open action item due within this many days (or overdue) counts as urgent.
URGENT_WITHIN_DAYS = 2


def action_item_urgent(due: date | None, today: date) -> bool:
    """Action items have no urgent flag of their own: they are urgent when due soon."""
    return due is not None and (due - today).days <= URGENT_WITHIN_DAYS


def set_done(item: Task | ActionItem | ReviewAction, done: bool) -> None:
    """Tick or untick a task or an action item; the time it was done is kept for the record.

    A review's action has no done flag of its own: its done time is the flag.
    """
    if not isinstance(item, ReviewAction):
        item.done = done
    item.done_at = utcnow() if done else None


@dataclass(frozen=True)
class OpenItem:
    """An open task or action item of one person, as dashboards show it."""

    kind: str  #: "task", "action_item" or "review_action"
    id: int
    title: str
    due_date: date | None
    urgent: bool
    important: bool
    #: Where an action item comes from: "meeting", "one_on_one" or "review"; None for a task.
    source: str | None = None
    source_id: int | None = None


def _due_key(item: OpenItem):
    return (item.due_date is None, item.due_date or date.max, item.kind, item.id)


def open_items_for(user_id: int, today: date | None = None) -> list[OpenItem]:
    """The person's open tasks, action items and review actions, soonest due first (undated
    last).

    Action items count as important, and as urgent when due within URGENT_WITHIN_DAYS.
    """
    today = today or clock.today()
    tasks = db.session.scalars(select(Task).where(Task.owner_id == user_id, Task.done.is_(False)))
    actions = db.session.scalars(
        select(ActionItem).where(ActionItem.owner_id == user_id, ActionItem.done.is_(False)))
    items = [OpenItem("task", t.id, t.title, t.due_date, t.urgent, t.important) for t in tasks]
    for a in actions:
        source, source_id = (("meeting", a.meeting_id) if a.meeting_id
                             else ("one_on_one", a.one_on_one_id))
        items.append(OpenItem("action_item", a.id, a.title, a.due_date,
                              action_item_urgent(a.due_date, today), True,
                              source, source_id))
    reviews = db.session.scalars(select(ReviewAction).where(ReviewAction.owner_id == user_id,
                                                            ReviewAction.done_at.is_(None)))
    items.extend(OpenItem("review_action", r.id, r.text, r.due_on,
                          action_item_urgent(r.due_on, today), True, "review", r.review_id)
                 for r in reviews)
    return sorted(items, key=_due_key)


def action_items_with_sources():
    """Loader options that bring an action item's meeting or one-on-one (and its series) along."""
    return (selectinload(ActionItem.meeting),
            selectinload(ActionItem.one_on_one).selectinload(OneOnOne.series))


# --- the board: moving tasks between quadrants and within one ---------------------------------

def quadrant_key(urgent: bool, important: bool) -> str:
    """The name of the quadrant a task belongs in ("do", "plan", "delegate", "drop")."""
    return next(k for k, v in QUADRANT_KEYS.items() if v == quadrant(urgent, important))


def quadrant_tasks(owner_id: int, urgent: bool, important: bool) -> list[Task]:
    """The owner's open tasks of one quadrant in board order."""
    return list(db.session.scalars(
        select(Task).where(Task.owner_id == owner_id, Task.done.is_(False),
                           Task.urgent.is_(bool(urgent)), Task.important.is_(bool(important)))
        .order_by(Task.position, Task.id)))


def _renumber(tasks: list[Task]) -> None:
    for position, task in enumerate(tasks):
        if task.position != position:
            task.position = position


def place_at_end(task: Task) -> None:
    """Put a new task, or one whose quadrant the form changed, last in its quadrant."""
    others = [t for t in quadrant_tasks(task.owner_id, task.urgent, task.important)
              if t.id != task.id]
    task.position = (max(t.position for t in others) + 1) if others else 0


def move_task(task: Task, key: str, before_id: int | None = None) -> None:
    """Move a task into the quadrant named `key`, just before the open task `before_id` of that
    quadrant (a drop onto it) or, without one, last; both quadrants are renumbered."""
    urgent, important = QUADRANT_KEYS[key]
    old = (task.urgent, task.important)
    with db.session.no_autoflush:
        target = [t for t in quadrant_tasks(task.owner_id, urgent, important) if t.id != task.id]
        task.urgent, task.important = urgent, important
        index = next((i for i, t in enumerate(target) if t.id == before_id), len(target))
        target.insert(index, task)
        _renumber(target)
        if old != (urgent, important):
            _renumber([t for t in quadrant_tasks(task.owner_id, *old) if t.id != task.id])


def shift_task(task: Task, step: int) -> bool:
    """Move a task one place up (step -1) or down (+1) within its quadrant; False at the edge."""
    tasks = quadrant_tasks(task.owner_id, task.urgent, task.important)
    index = next((i for i, t in enumerate(tasks) if t.id == task.id), None)
    if index is None or not 0 <= index + step < len(tasks):
        return False
    tasks[index], tasks[index + step] = tasks[index + step], tasks[index]
    _renumber(tasks)
    return True
