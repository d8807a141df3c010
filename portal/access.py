"""Who may see whom: the one place every module's scoped queries are built on.

- everyone sees themselves;
- a manager sees their direct and indirect reports, and everyone in an area they head;
- HR and admins see everyone (the modules keep what PRODUCT.md makes private, such as
  one-on-one notes, out of their scope).
"""
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (BindParameter, Integer, Select, any_, bindparam, false, func, literal, or_,
                        select, union, union_all)
from sqlalchemy.orm import aliased

from portal.database import int_array
from portal.extensions import db
from portal.kernel.memo import per_request
from portal.models import Area, Role, User
from portal.models.customers import Customer
from portal.models.departments import Department, DepartmentMember

COMPANY_WIDE = (Role.HR, Role.ADMIN)


def report_ids(user_id: int | BindParameter) -> Select:
    """The ids of everyone who reports to this person, directly or indirectly (recursive CTE)."""
    chain = select(User.id).where(User.manager_id == user_id).cte("reports", recursive=True)
    below = aliased(User)
    chain = chain.union(select(below.id).where(below.manager_id == chain.c.id))
    return select(chain.c.id)


def headed_area_member_ids(user_id: int | BindParameter) -> Select:
    """The ids of everyone seated in an area this person heads."""
    return select(User.id).join(Area, User.area_id == Area.id).where(Area.head_id == user_id)


def managed_user_ids(user: User) -> Select:
    """The ids of the people this person manages: reports at any depth and members of areas they
    head. A select of the ids found once per request (managed_id_list), not the recursive query
    itself: a page embeds it in several statements, and PostgreSQL ran the reporting line's
    recursion in each (4–10 ms apiece on a manager's home at size L)."""
    return select(User.id).where(User.id.in_(managed_id_list(user)))


@dataclass(frozen=True)
class Reach:
    """Whom and what a person's scopes start from: the people they manage, the areas they head,
    the departments they belong to or head."""

    managed: list[int]
    areas: list[int]
    departments: list[int]


@cache
def _reach_statement():
    """The statement reach() runs, built once with the person's id as a parameter: building it
    took ~1.2 ms of Python on every request (the recursive union above all)."""
    person = bindparam("person", type_=Integer)
    managed = union(report_ids(person), headed_area_member_ids(person)).subquery()
    departments = department_ids(person).subquery()
    return union_all(
        select(literal("person"), managed.c[0]),
        select(literal("area"), Area.id).where(Area.head_id == person),
        select(literal("department"), departments.c[0]))


def reach(user: User) -> Reach:
    """The person's Reach, read in one statement once per request: a page asks who the person
    manages for its list, its chart, its person picker and every name it links, and PostgreSQL
    ran the reporting line's recursion in each statement that embedded it (4–10 ms apiece on a
    manager's home at size L)."""
    def read() -> Reach:
        found = {"person": [], "area": [], "department": []}
        for kind, ident in db.session.execute(_reach_statement(), {"person": user.id}):
            found[kind].append(ident)
        return Reach(list(dict.fromkeys(found["person"])), found["area"], found["department"])
    return per_request("_reach", user.id, read)


def managed_id_list(user: User) -> list[int]:
    """The ids of the people this person manages (reach), as a list."""
    return reach(user).managed


def visible_user_ids(user: User):
    """The ids of every person whose records this user may see."""
    if user.has_role(*COMPANY_WIDE):
        return select(User.id)
    return select(User.id).where(User.id.in_([user.id, *managed_id_list(user)]))


def visible_users(user: User) -> Select:
    """The people this user may see, as a select to filter, sort and paginate."""
    if user.has_role(*COMPANY_WIDE):
        return select(User)
    return select(User).where(User.id.in_([user.id, *managed_id_list(user)]))


def managed_users(user: User) -> Select:
    """The people this user manages (not themselves): a manager's team at every depth."""
    return select(User).where(User.id.in_(managed_user_ids(user)), User.id != user.id)


def can_see_user(viewer: User, user_id: int) -> bool:
    """Whether the viewer may see this person's records."""
    if viewer.id == user_id or viewer.has_role(*COMPANY_WIDE):
        return True
    return user_id in managed_id_list(viewer)


def manages(viewer: User, user_id: int) -> bool:
    """Whether the viewer manages this person (is above them in the line or heads their area)."""
    if viewer.id == user_id:
        return False
    return user_id in managed_id_list(viewer)


def get_user_or_404(viewer: User, user_id: int) -> User:
    """The person with this id if the viewer may see them, else 404."""
    return db.first_or_404(visible_users(viewer).where(User.id == user_id))


def customer_scope(user: User):
    """The condition on Customer that this user may see: own customers, or the managed area's.

    Here, beside who sees whom, because customers and the sales credited to them (targets) are
    both scoped by it.
    """
    conditions = []
    if user.has_role(Role.STAFF, Role.MANAGER):
        conditions.append(Customer.account_manager_id == user.id)
    if user.has_role(Role.MANAGER):
        headed = select(Area.id).where(Area.head_id == user.id)
        conditions.append(Customer.area_id.in_(headed))
        conditions.append(Customer.account_manager_id.in_(managed_user_ids(user)))
    return or_(*conditions) if conditions else false()


def visible_customer_ids(user: User):
    """The ids of the customers customer_scope admits, as one UNION of indexed selects.

    For the big tables (visits, sales): `customer_id IN (this)` lets PostgreSQL estimate a
    manager's share and drive from the customers into the table's customer index, where the OR
    of customer_scope joined to the table made it read the table whole (issue 16).
    The people managed and the areas headed are read first (a few ids): PostgreSQL guesses the
    size of the reporting line's recursive CTE tenfold per level and would then scan anyway.
    """
    if not user.has_role(Role.STAFF, Role.MANAGER):
        return select(Customer.id).where(false())
    if not user.has_role(Role.MANAGER):
        return select(Customer.id).where(Customer.account_manager_id == user.id)
    people = [user.id, *managed_id_list(user)]
    areas = reach(user).areas
    owned = select(Customer.id).where(Customer.account_manager_id.in_(people))
    if not areas:
        return owned
    return union(owned, select(Customer.id).where(Customer.area_id.in_(areas)))


def visible_customer_id_list(user: User) -> list[int]:
    """The ids of the customers customer_scope admits, as a list (at most an area's few
    thousand), read once per request: a page asks for its list, its count and its chart
    separately. Read as one OR over the two indexes, which PostgreSQL answers with a bitmap OR
    (2 ms for an area's 5,240 at size L, where the UNION's de-duplication took 7).
    On PostgreSQL the ids come back as one array (`array_agg`): 5 ms for 5,240, where as rows
    through the ORM's result they took 20."""
    def read() -> list[int]:
        if not user.has_role(Role.STAFF, Role.MANAGER):
            return []
        if not user.has_role(Role.MANAGER):
            where = Customer.account_manager_id == user.id
        else:
            owned = Customer.account_manager_id.in_([user.id, *managed_id_list(user)])
            areas = reach(user).areas
            where = or_(owned, Customer.area_id.in_(areas)) if areas else owned
        if postgresql():
            return db.session.scalar(select(func.array_agg(Customer.id)).where(where)) or []
        return db.session.connection().execute(select(Customer.id).where(where)).scalars().all()
    return per_request("_customer_ids", user.id, read)


def among_visible_customers(user: User, column):
    """The condition "column holds a customer this user may see", for PostgreSQL: the ids
    written into the statement, so that the planner knows the share (docs/decisions.md, "The
    visit scope on each database"). The array is written once per request."""
    ids = per_request("_customer_array", user.id,
                      lambda: int_array(visible_customer_id_list(user)))
    return column == any_(ids)


#: Below this many customers a scope's big lists are sorted without their day index on
#: PostgreSQL (scope_sort_key).
SMALL_SCOPE = 1000


def scope_sort_key(user: User, key, searched: bool = False):
    """The sort key of a big list over the user's customers (visits, sales by day).

    PostgreSQL walks the table's index on the key until a page of the scope's rows is found: a
    manager's area (2.6 % of the rows at size L) fills a page within a thousand entries, but an
    account manager's hundred customers (0.05 %) take 50,000 (75 ms), which the planner cannot
    foresee. For a small scope the key is written `key + 0`, which the index does not match, so
    the scope's few hundred rows are read through the customer index and sorted. So is it when
    the list is `searched`: a search text that few rows match sent the walk through all two
    million sales (a manager's sales searched for "K" at size L: 5.6 s a page, sorted 0.7 s;
    their visits 2.1 → 0.5 s)."""
    if postgresql() and (searched or len(visible_customer_id_list(user)) < SMALL_SCOPE):
        return key + 0
    return key


def postgresql() -> bool:
    """Whether the session's database is PostgreSQL (some scopes are asked differently)."""
    return db.session.get_bind().dialect.name == "postgresql"


def visible_customers(user: User) -> Select:
    """The customers this user may see and edit, as a select. SQLite walks the OR of
    customer_scope well; PostgreSQL, given it, scans all 200,000 customers at size L."""
    if postgresql():
        return select(Customer).where(among_visible_customers(user, Customer.id))
    return select(Customer).where(customer_scope(user))


# --- departments -------------------------------------------------------------------------------

def department_ids(user_id: int | BindParameter) -> Select:
    """The ids of the departments this person belongs to or heads."""
    return union(select(DepartmentMember.department_id).where(DepartmentMember.user_id == user_id),
                 select(Department.id).where(Department.head_id == user_id))


def department_of(user: User) -> Department | None:
    """The department this person sits in (or heads), if any."""
    return db.session.scalar(select(Department).where(Department.id.in_(department_ids(user.id)))
                             .order_by(Department.id).limit(1))


def heads_department(user: User, department_id: int | None) -> bool:
    """Whether this person heads that department."""
    return department_id is not None and db.session.scalar(
        select(literal(1)).where(Department.id == department_id,
                                 Department.head_id == user.id)) is not None
