"""Queries of the task list: everything is the signed-in person's own."""
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models.communication import ActionItem, Task
from portal.models.reviews import Review, ReviewAction
from portal.tasks.services import action_items_with_sources

TASK_SORTS = {"due": Task.due_date, "title": Task.title, "created": Task.created_at}


def my_tasks(user) -> Select:
    """This person's own tasks."""
    return select(Task).where(Task.owner_id == user.id)


def task_list(user, show: str = "open", listing: Listing | None = None) -> Select:
    """This person's tasks filtered, searched and sorted (by due date, undated last, unless the
    list asks for another order)."""
    query = my_tasks(user)
    if show == "open":
        query = query.where(Task.done.is_(False))
    elif show == "done":
        query = query.where(Task.done.is_(True))
    if listing is None:
        return query.order_by(Task.due_date.is_(None), Task.due_date, Task.id)
    query = listing.search(query, Task.title)
    if listing.sort.lstrip("-") == "due":
        query = query.order_by(Task.due_date.is_(None))
    return listing.order(query, Task.id)


def board_tasks(user) -> Select:
    """This person's open tasks in board order (each quadrant's own order, then id)."""
    return my_tasks(user).where(Task.done.is_(False)).order_by(Task.position, Task.id)


def get_task_or_404(user, task_id: int) -> Task:
    """One of this person's tasks, or 404."""
    return db.first_or_404(my_tasks(user).where(Task.id == task_id))


def my_action_items(user, show: str = "open") -> Select:
    """Action items of meetings and one-on-ones owned by this person, with their sources."""
    query = (select(ActionItem).where(ActionItem.owner_id == user.id)
             .options(*action_items_with_sources()))
    if show == "open":
        query = query.where(ActionItem.done.is_(False))
    elif show == "done":
        query = query.where(ActionItem.done.is_(True))
    return query.order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)


def get_my_action_item_or_404(user, action_item_id: int) -> ActionItem:
    """An action item this person owns, or 404."""
    return db.first_or_404(my_action_items(user, show="all")
                           .where(ActionItem.id == action_item_id))


def my_review_actions(user, show: str = "open") -> Select:
    """Actions of area reviews owned by this person, with their review and its area."""
    query = (select(ReviewAction).where(ReviewAction.owner_id == user.id)
             .options(selectinload(ReviewAction.review).selectinload(Review.area)))
    if show == "open":
        query = query.where(ReviewAction.done_at.is_(None))
    elif show == "done":
        query = query.where(ReviewAction.done_at.is_not(None))
    return query.order_by(ReviewAction.due_on.is_(None), ReviewAction.due_on, ReviewAction.id)


def get_my_review_action_or_404(user, review_action_id: int) -> ReviewAction:
    """A review action this person owns, or 404."""
    return db.first_or_404(my_review_actions(user, show="all")
                           .where(ReviewAction.id == review_action_id))
