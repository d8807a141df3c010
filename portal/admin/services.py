"""Rules of the organisation that forms check before anything is saved."""
from sqlalchemy import exists, func, select

from portal.access import report_ids
from portal.extensions import db
from portal.models import Role, User
from portal.models.departments import DepartmentMember


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


def needs_area(roles, department_id: int | None = None) -> bool:
    """Account managers and area managers must belong to an area; a department's people (the
    staff role with a department, no manager role) need none."""
    roles = set(roles)
    if department_id and Role.MANAGER.value not in roles:
        return False
    return bool({Role.STAFF.value, Role.MANAGER.value} & roles)


def set_department(user: User, department_id: int | None) -> None:
    """Seat the person in one department (leaving any other), or in none."""
    seat = db.session.get(DepartmentMember, user.id)
    if not department_id:
        if seat is not None:
            db.session.delete(seat)
        return
    if seat is None:
        db.session.add(DepartmentMember(user_id=user.id, department_id=department_id))
    else:
        seat.department_id = department_id
