"""Rules of the organisation that forms check before anything is saved."""
from sqlalchemy import exists, func, select

from portal.access import report_ids
from portal.extensions import db
from portal.models import Role, User


def would_loop(user_id: int | None, manager_id: int | None) -> bool:
    """Whether making manager_id this person's manager would close a loop in the reporting line."""
    if not manager_id or user_id is None:
        return False
    if manager_id == user_id:
        return True
    below = report_ids(user_id).subquery()
    return bool(db.session.scalar(select(exists().where(below.c.id == manager_id))))


def username_taken(username: str, except_id: int | None = None) -> bool:
    """Whether another account already has this username (case-insensitively)."""
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if except_id:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def needs_area(roles) -> bool:
    """Account managers and area managers must belong to an area."""
    return bool({Role.STAFF.value, Role.MANAGER.value} & set(roles))
