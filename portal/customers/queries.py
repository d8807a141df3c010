"""Scoped queries of the customers module: what a user may see is decided here only."""
from sqlalchemy import Select, and_, false, or_, select, union

from portal.access import managed_user_ids
from portal.extensions import db
from portal.models import Area, Role, User
from portal.models.customers import Customer, CustomerAssignment, Visit
from portal.models.sales import SalesRecord


def search_text(args) -> str:
    """The typed search of a list, trimmed (portal.input_guard has already refused NUL)."""
    return args.get("q", "").strip()[:100]


def customer_scope(user: User):
    """The condition on Customer that this user may see: own customers, or the managed area's."""
    conditions = []
    if user.has_role(Role.STAFF, Role.MANAGER):
        conditions.append(Customer.account_manager_id == user.id)
    if user.has_role(Role.MANAGER):
        headed = select(Area.id).where(Area.head_id == user.id)
        conditions.append(Customer.area_id.in_(headed))
        conditions.append(Customer.account_manager_id.in_(managed_user_ids(user)))
    return or_(*conditions) if conditions else false()


def visible_customers(user: User) -> Select:
    """The customers this user may see and edit, as a select."""
    return select(Customer).where(customer_scope(user))


def get_customer_or_404(user: User, customer_id: int) -> Customer:
    """A customer the user may see, else 404."""
    return db.first_or_404(visible_customers(user).where(Customer.id == customer_id))


def visible_visits(user: User) -> Select:
    """Visits to customers the user may see, plus the user's own visits."""
    return visible_visits_where(user)


def visible_visits_where(user: User, *conditions) -> Select:
    """visible_visits(user) narrowed by the conditions on Visit, for big tables.

    The same rows, found as a UNION of the visits to the user's customers and the user's own
    visits, each side filtered by the conditions, so each side uses an index (customer, done,
    planned; owner, planned). The single OR across the join made SQLite read every open (or every
    recent) visit of the company: 600 ms on the home page at size M.
    """
    to_my_customers = select(Visit.id).where(
        Visit.customer_id.in_(select(Customer.id).where(customer_scope(user))), *conditions)
    own = select(Visit.id).where(Visit.account_manager_id == user.id, *conditions)
    return (select(Visit).join(Visit.customer)
            .where(Visit.id.in_(union(to_my_customers, own))))


def get_visit_or_404(user: User, visit_id: int) -> Visit:
    """A visit the user may see, else 404."""
    return db.first_or_404(visible_visits(user).where(Visit.id == visit_id))


def area_staff(area_id: int) -> Select:
    """The active account managers of an area, by name."""
    from portal.models import UserRole

    return (select(User).join(UserRole)
            .where(User.area_id == area_id, User.active.is_(True), UserRole.role == Role.STAFF)
            .order_by(User.display_name))


def assignable_staff(manager: User) -> Select:
    """Account managers a manager may give customers to: the active staff of the areas they head."""
    from portal.models import UserRole

    headed = select(Area.id).where(Area.head_id == manager.id)
    return (select(User).join(UserRole)
            .where(User.area_id.in_(headed), User.active.is_(True), UserRole.role == Role.STAFF)
            .order_by(User.display_name))
