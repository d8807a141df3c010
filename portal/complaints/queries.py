"""Queries of the complaints module: every read goes through visible_complaints(user)."""
from sqlalchemy import Select, case, func, or_, select, union
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal import customer_picker, people_picker
from portal.access import reach, visible_customers, visible_user_ids
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Area, Role, User
from portal.models.customers import Customer
from portal.models.departments import Department, DepartmentMember
from portal.models.feedback import Complaint, ComplaintEvent, ComplaintStatus, Severity

SEVERITY_RANK = case({Severity.CRITICAL.value: 4, Severity.HIGH.value: 3,
                      Severity.MEDIUM.value: 2, Severity.LOW.value: 1},
                     value=Complaint.severity, else_=0)
SORTS = {"received": Complaint.received_at, "due": Complaint.due_at, "severity": SEVERITY_RANK,
         "status": Complaint.status, "id": Complaint.id}


def visible_complaints(user: User) -> Select:
    """The complaints this person may see: staff their own (as owner or account manager),
    managers their people's and their areas', department members those handed to their
    department, HR and admins all."""
    query = select(Complaint)
    if user.has_role(Role.HR, Role.ADMIN):
        return query
    # The people, areas and departments as lists of ids (a manager's few dozen), read first:
    # PostgreSQL cannot estimate a recursive reporting line or "the areas this person heads",
    # took them for an average share of the company and planned a scan of every complaint.
    people, headed, departments = _reach(user)
    # A UNION of four index lookups rather than one OR across them: PostgreSQL read the OR as
    # a walk of the whole table (or of its received_at index, filtering each row).
    ids = union(select(Complaint.id).where(Complaint.owner_id.in_(people)),
                select(Complaint.id).where(Complaint.account_manager_id.in_(people)),
                select(Complaint.id).where(Complaint.area_id.in_(headed)),
                select(Complaint.id).where(Complaint.department_id.in_(departments)))
    return query.where(Complaint.id.in_(ids))


def _reach(user: User) -> tuple[list[int], list[int], list[int]]:
    """The ids of the people, areas headed and departments whose complaints the person sees
    (access.reach, read once per request)."""
    found = reach(user)
    return [user.id, *found.managed], found.areas, found.departments


def _with_list_data(user: User) -> Select:
    """Visible complaints joined to their customer, with what the lists show loaded."""
    return (visible_complaints(user)
            .join(Customer, Complaint.customer_id == Customer.id)
            .options(contains_eager(Complaint.customer), joinedload(Complaint.owner),
                     joinedload(Complaint.area)))


def _open_past_due(query: Select, now) -> Select:
    return query.where(Complaint.status != ComplaintStatus.CLOSED, Complaint.due_at < now)


def complaint_list(user: User, listing: Listing, now) -> Select:
    """Visible complaints matching the list's search and filters, sorted."""
    query = listing.search(_with_list_data(user), Complaint.subject, Customer.name)
    status = listing.get("status", default="")
    if status == "open":
        query = query.where(Complaint.status != ComplaintStatus.CLOSED)
    elif status in {s.value for s in ComplaintStatus}:
        query = query.where(Complaint.status == ComplaintStatus(status))
    severity = listing.get("severity", default="")
    if severity in {s.value for s in Severity}:
        query = query.where(Complaint.severity == Severity(severity))
    owner_id = listing.get("owner", type=int)
    if owner_id:
        query = query.where(Complaint.owner_id == owner_id)
    area_id = listing.get("area", type=int)
    if area_id:
        query = query.where(Complaint.area_id == area_id)
    if listing.get("overdue") == "1":
        query = _open_past_due(query, now)
    return listing.order(query, Complaint.id.desc())


def overdue_list(user: User, now) -> Select:
    """Visible open complaints past their deadline, the most pressing first."""
    return _open_past_due(_with_list_data(user), now).order_by(Complaint.due_at.asc(),
                                                               Complaint.id.desc())


def get_complaint_or_404(user: User, complaint_id: int) -> Complaint:
    """A complaint the person may see, with its timeline, or 404."""
    return db.first_or_404(
        visible_complaints(user).where(Complaint.id == complaint_id)
        .options(joinedload(Complaint.customer), joinedload(Complaint.owner),
                 joinedload(Complaint.account_manager), joinedload(Complaint.area),
                 selectinload(Complaint.events).joinedload(ComplaintEvent.author)))


@customer_picker.scope("complaints.intake")
def intake_customers(user: User) -> Select:
    """The customers this person may file a complaint for: their own, or their people's/areas'."""
    # The customers module's scope (own, the people's and the areas headed; none for HR and
    # admins), which PostgreSQL is asked through the scope's ids.
    return visible_customers(user).options(selectinload(Customer.account_manager))


@people_picker.scope("complaints.owner")
def owner_choices(user: User) -> Select:
    """The active people this person may hand a complaint to: themselves and their people (the
    owner pickers offer them)."""
    return (select(User).where(User.id.in_(visible_user_ids(user)), User.active.is_(True))
            .order_by(User.display_name))


def visible_areas(user: User) -> Select:
    """The areas whose complaints this person may list as areas."""
    query = select(Area).order_by(Area.code)
    if user.has_role(Role.HR, Role.ADMIN):
        return query
    return query.where(or_(Area.head_id == user.id, Area.id == user.area_id))


def overdue_counts(user: User, now, page: int = 1, per_page: int = 25
                   ) -> tuple[list, int, list]:
    """Open complaints past their deadline, counted per owner (a page of people, the most
    overdue first: a company has hundreds) and per area. Returns (the page's people, how many
    people in all, the areas); two statements (a third past the last page)."""
    overdue = visible_complaints(user).where(Complaint.status != ComplaintStatus.CLOSED,
                                             Complaint.due_at < now).subquery()
    page = max(1, page)
    rows = db.session.execute(
        select(User.id, User.display_name, func.count(overdue.c.id), func.min(overdue.c.due_at),
               func.count().over())
        .join(overdue, overdue.c.owner_id == User.id)
        .group_by(User.id, User.display_name)
        .order_by(func.count(overdue.c.id).desc(), User.display_name, User.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        people = rows[0][4]
    else:
        people = db.session.scalar(select(func.count(User.id.distinct()))
                                   .join(overdue, overdue.c.owner_id == User.id))
    per_area = db.session.execute(
        select(Area.id, Area.code, Area.name, Area.name_en, func.count(overdue.c.id))
        .join(overdue, overdue.c.area_id == Area.id)
        .group_by(Area.id, Area.code, Area.name, Area.name_en).order_by(Area.code)).all()
    return [tuple(r[:4]) for r in rows], people, per_area


def handoff_departments() -> Select:
    """The departments a complaint may be handed to."""
    return select(Department).order_by(Department.code)


def department_people(department_id: int) -> Select:
    """The active members and head of a department, the people its head may assign."""
    members = select(DepartmentMember.user_id).where(
        DepartmentMember.department_id == department_id)
    head = select(Department.head_id).where(Department.id == department_id)
    return (select(User).where(User.active.is_(True),
                               or_(User.id.in_(members), User.id.in_(head)))
            .order_by(User.display_name))
