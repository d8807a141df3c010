"""Queries of the admin module."""
from sqlalchemy import Select, false, select
from sqlalchemy.orm import selectinload

from portal import people_picker
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Area, AuditLog, Role, User, UserRole
from portal.models.departments import Department, DepartmentMember

USER_SORTS = {
    "username": User.username,
    "name": User.display_name,
    "area": Area.code,
    "created": User.created_at,
}


def user_list(listing: Listing) -> Select:
    """Users matching the search and filters, sorted, with what the list shows loaded eagerly."""
    query = (select(User).outerjoin(Area, User.area_id == Area.id)
             .options(selectinload(User.area), selectinload(User.manager),
                      selectinload(User.role_rows)))
    query = listing.search(query, User.username, User.display_name, User.email)
    role = listing.get("role", default="")
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role))))
    area_id = listing.get("area", type=int)
    if area_id:
        query = query.where(User.area_id == area_id)
    active = listing.get("active", default="")
    if active in ("1", "0"):
        query = query.where(User.active.is_(active == "1"))
    return listing.order(query, User.id)


def get_user_or_404(viewer, user_id: int) -> User:
    """An account by id for administrators (the only audience of admin pages), or 404."""
    return db.get_or_404(User, user_id)


def reference_list(viewer, model, listing: Listing) -> Select:
    """The rows of one reference table (areas, product lines, customer types), searched."""
    query = listing.search(select(model), model.code, model.name, model.name_en)
    if model is Area:
        query = query.options(selectinload(Area.head))
    return query.order_by(model.code)


def get_reference_or_404(viewer, model, obj_id: int):
    """One row of a reference table, or 404."""
    return db.get_or_404(model, obj_id)


def audit_list(viewer, listing: Listing) -> Select:
    """Audit entries matching the filters, newest first."""
    query = (select(AuditLog).outerjoin(User, AuditLog.actor_id == User.id)
             .options(selectinload(AuditLog.actor)))
    actor = (listing.get("actor") or "").strip()
    if actor:
        query = query.where(User.username == actor)
    action = (listing.get("action") or "").strip()
    if action:
        query = query.where(AuditLog.action.like(like_prefix(action), escape="\\"))
    entity_type = (listing.get("entity_type") or "").strip()
    if entity_type:
        query = query.where(AuditLog.entity_type == entity_type)
    entity_id = listing.get("entity_id", type=int)
    if entity_id:
        query = query.where(AuditLog.entity_id == entity_id)
    return query.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def like_prefix(text: str) -> str:
    """`text%` with the LIKE wildcards in the text escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@people_picker.scope("admin.active_people")
def active_people(viewer) -> Select:
    """The active people, for an administrator's pickers (a department's head and members);
    nobody for anyone else."""
    query = select(User).where(User.active.is_(True))
    return query if viewer.has_role(Role.ADMIN) else query.where(false())


def area_choices(blank_label: str) -> list[tuple[int, str]]:
    """Every area as a select choice, after a blank one."""
    areas = db.session.scalars(select(Area).order_by(Area.code))
    return [(0, blank_label)] + [(a.id, f"{a.code} · {a.label}") for a in areas]


def department_choices(blank_label: str) -> list[tuple[int, str]]:
    """Every department as a select choice, after a blank one."""
    departments = db.session.scalars(select(Department).order_by(Department.code))
    return [(0, blank_label)] + [(d.id, f"{d.code} · {d.label}") for d in departments]


def department_of(user_id: int | None) -> int | None:
    """The department a person sits in (their membership), if any."""
    if user_id is None:
        return None
    return db.session.scalar(select(DepartmentMember.department_id)
                             .where(DepartmentMember.user_id == user_id))


def manager_choices(blank_label: str, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """Every active person holding the manager role as a select choice, after a blank one."""
    query = (select(User).join(UserRole).where(UserRole.role == Role.MANAGER, User.active)
             .order_by(User.username))
    if exclude_id:
        query = query.where(User.id != exclude_id)
    return [(0, blank_label)] + [(u.id, f"{u.display_name} ({u.username})")
                                 for u in db.session.scalars(query)]
