"""Queries of the admin module."""
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Area, AuditLog, Role, User, UserRole

USER_SORTS = {
    "username": User.username,
    "name": User.display_name,
    "area": Area.code,
    "created": User.created_at,
}


def user_list(q: str = "", role: str = "", area_id: int | None = None,
              active: str = "", sort: str = "username") -> Select:
    """Users matching the search and filters, sorted, with what the list shows loaded eagerly."""
    query = (select(User).outerjoin(Area, User.area_id == Area.id)
             .options(selectinload(User.area), selectinload(User.manager)))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.username).like(like),
                                func.lower(User.display_name).like(like),
                                func.lower(User.email).like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role))))
    if area_id:
        query = query.where(User.area_id == area_id)
    if active in ("1", "0"):
        query = query.where(User.active.is_(active == "1"))
    column = USER_SORTS.get(sort.lstrip("-"), User.username)
    order = column.desc() if sort.startswith("-") else column.asc()
    return query.order_by(order, User.id)


def audit_list(actor: str = "", action: str = "", entity_type: str = "",
               entity_id: int | None = None) -> Select:
    """Audit entries matching the filters, newest first."""
    query = (select(AuditLog).outerjoin(User, AuditLog.actor_id == User.id)
             .options(selectinload(AuditLog.actor)))
    if actor:
        query = query.where(User.username == actor)
    if action:
        query = query.where(AuditLog.action.like(f"{action}%"))
    if entity_type:
        query = query.where(AuditLog.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditLog.entity_id == entity_id)
    return query.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def area_choices(blank_label: str) -> list[tuple[int, str]]:
    """Every area as a select choice, after a blank one."""
    areas = db.session.scalars(select(Area).order_by(Area.code))
    return [(0, blank_label)] + [(a.id, f"{a.code} · {a.label}") for a in areas]


def manager_choices(blank_label: str, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """Every active person holding the manager role as a select choice, after a blank one."""
    query = (select(User).join(UserRole).where(UserRole.role == Role.MANAGER, User.active)
             .order_by(User.username))
    if exclude_id:
        query = query.where(User.id != exclude_id)
    return [(0, blank_label)] + [(u.id, f"{u.display_name} ({u.username})")
                                 for u in db.session.scalars(query)]
