"""Scoped queries of the targets module."""
from sqlalchemy import Select, select

from portal.access import managed_user_ids, visible_user_ids
from portal.extensions import db
from portal.models import Area, Role, User, UserRole
from portal.models.sales import SalesTarget, ServiceDuty


def visible_staff(user: User) -> Select:
    """The account managers whose targets and attainment this user may see."""
    return (select(User).join(UserRole)
            .where(UserRole.role == Role.STAFF, User.id.in_(visible_user_ids(user))))


def managed_staff(user: User) -> Select:
    """The account managers whose targets this user sets (their team)."""
    return (select(User).join(UserRole)
            .where(UserRole.role == Role.STAFF, User.active.is_(True),
                   User.id.in_(managed_user_ids(user)), User.id != user.id))


def visible_targets(user: User) -> Select:
    """Targets of the people this user may see."""
    return select(SalesTarget).where(SalesTarget.user_id.in_(visible_user_ids(user)))


def get_target_or_404(user: User, target_id: int) -> SalesTarget:
    """A target the user may see, else 404."""
    return db.first_or_404(visible_targets(user).where(SalesTarget.id == target_id))


def headed_area_ids(user: User) -> list[int]:
    """The areas this person heads."""
    return list(db.session.scalars(select(Area.id).where(Area.head_id == user.id)))


def editable_duties(user: User) -> Select:
    """Duties this user may change: administrators all, managers those of their areas."""
    if user.has_role(Role.ADMIN):
        return select(ServiceDuty)
    return select(ServiceDuty).where(ServiceDuty.area_id.in_(headed_area_ids(user) or [-1]))


def visible_duties(user: User) -> Select:
    """Service duties: every signed-in person may read them (they say what is expected)."""
    return select(ServiceDuty)


def get_duty_or_404(user: User, duty_id: int) -> ServiceDuty:
    """A duty by id, else 404."""
    return db.first_or_404(visible_duties(user).where(ServiceDuty.id == duty_id))
