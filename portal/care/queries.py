"""Who sees which campaign and care task."""
from sqlalchemy import (Select, String, cast, func, literal, null, or_, select,
                        union_all)
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal import customer_picker, people_picker
from portal.access import customer_scope, visible_customer_ids, visible_customers
from portal.extensions import db
from portal.models import Area, Role, User
from portal.models.care import (CareCampaign, CareEvent, CareInvitation, CareMethod, CareTask,
                                EventKind, Rsvp)
from portal.models.customers import Customer


def visible_tasks(user: User) -> Select:
    """Care tasks this person may see: their own, and those of customers in their scope."""
    query = select(CareTask)
    if user.has_role(Role.HR, Role.ADMIN):
        return query
    # The customers' ids through visible_customer_ids: the people and areas read first, as
    # PostgreSQL misjudges a reporting line's recursive CTE (100 ms a campaign page at L).
    return query.where(or_(CareTask.owner_id == user.id,
                           CareTask.customer_id.in_(visible_customer_ids(user))))


def visible_campaigns(user: User) -> Select:
    """Campaigns this person created, heads the area of, or has a task in."""
    query = select(CareCampaign)
    if user.has_role(Role.HR, Role.ADMIN):
        return query
    headed = select(Area.id).where(Area.head_id == user.id)
    mine = select(CareTask.campaign_id).where(CareTask.owner_id == user.id)
    return query.where(or_(CareCampaign.created_by_id == user.id,
                           CareCampaign.area_id.in_(headed), CareCampaign.id.in_(mine)))


def get_campaign_or_404(user: User, campaign_id: int) -> CareCampaign:
    return db.first_or_404(visible_campaigns(user).where(CareCampaign.id == campaign_id))


def get_task_or_404(user: User, task_id: int) -> CareTask:
    return db.first_or_404(visible_tasks(user).where(CareTask.id == task_id).options(
        joinedload(CareTask.customer), joinedload(CareTask.campaign)))


def campaign_tasks(user: User, campaign_id: int) -> Select:
    """The campaign's tasks this person may see, by owner and customer (a select to page
    through: a company-wide campaign has thousands)."""
    return (visible_tasks(user).where(CareTask.campaign_id == campaign_id)
            .join(Customer, CareTask.customer_id == Customer.id)
            .options(contains_eager(CareTask.customer), joinedload(CareTask.owner))
            .order_by(CareTask.owner_id, Customer.name, CareTask.id))


def progress(campaign_id: int) -> list[tuple]:
    """Per person: (name, tasks, contacted) of a campaign, in one statement."""
    return db.session.execute(
        select(User.display_name, func.count(CareTask.id),
               func.count(CareTask.contacted_on))
        .join(CareTask, CareTask.owner_id == User.id)
        .where(CareTask.campaign_id == campaign_id)
        .group_by(User.id, User.display_name).order_by(User.display_name)).all()


def my_open_tasks(user: User) -> list[CareTask]:
    """My care tasks not yet done, the earliest due first."""
    return list(db.session.scalars(
        select(CareTask).join(CareCampaign).where(CareTask.owner_id == user.id,
                                                  CareTask.contacted_on.is_(None))
        .options(selectinload(CareTask.customer), selectinload(CareTask.campaign))
        .order_by(CareCampaign.due_on, CareTask.id).limit(50)))


@customer_picker.scope("care.campaign")
@customer_picker.scope("care.invite")
def chooseable_customers(user: User) -> Select:
    """The customers a campaign or an event of this person may include (the campaign form's and
    the invite form's customer pickers offer them)."""
    return visible_customers(user)


@people_picker.scope("care.owner")
def campaign_owners(user: User) -> Select:
    """The account managers owning customers this person may include (the campaign form's
    people picker offers them)."""
    owners = visible_customers(user).with_only_columns(Customer.account_manager_id).distinct()
    return select(User).where(User.id.in_(owners)).order_by(User.display_name)


def visible_events(user: User) -> Select:
    """Events of my area (as member or head) or that I created; HR and admins all."""
    query = select(CareEvent)
    if user.has_role(Role.HR, Role.ADMIN):
        return query
    headed = select(Area.id).where(Area.head_id == user.id)
    conditions = [CareEvent.created_by_id == user.id, CareEvent.area_id.in_(headed)]
    if user.area_id:
        conditions.append(CareEvent.area_id == user.area_id)
    return query.where(or_(*conditions))


def get_event_or_404(user: User, event_id: int) -> CareEvent:
    return db.first_or_404(visible_events(user).where(CareEvent.id == event_id).options(
        selectinload(CareEvent.invitations).selectinload(CareInvitation.customer)
        .selectinload(Customer.account_manager)))


def get_invitation_or_404(user: User, invitation_id: int) -> CareInvitation:
    """An invitation of a customer in my scope, at an event I see, or 404."""
    scoped = select(Customer.id).where(customer_scope(user))
    query = select(CareInvitation).where(
        CareInvitation.id == invitation_id,
        CareInvitation.event_id.in_(visible_events(user).with_only_columns(CareEvent.id)))
    if not user.has_role(Role.HR, Role.ADMIN):
        query = query.where(CareInvitation.customer_id.in_(scoped))
    return db.first_or_404(query)


def care_activities(customer_id: int, limit: int = 20) -> list[dict]:
    """The care activities of one customer, newest first, for the customer's timeline (the
    customers module shows them; the caller has already checked the customer is visible):
    contacts made in campaigns (how, with whom, what the customer said) and invitations to
    events (the RSVP and the attendance). One statement."""
    contacts = (
        select(CareTask.contacted_on.label("on"), literal("contact").label("what"),
               CareCampaign.title.label("title"), cast(CareTask.method, String).label("method"),
               cast(null(), String).label("kind"), CareTask.contact_name.label("contact"),
               CareTask.response.label("note"), cast(null(), String).label("rsvp"),
               literal(False).label("attended"), User.display_name.label("by"),
               CareTask.id.label("row"))
        .join(CareCampaign, CareTask.campaign_id == CareCampaign.id)
        .outerjoin(User, CareTask.owner_id == User.id)
        .where(CareTask.customer_id == customer_id, CareTask.contacted_on.is_not(None)))
    events = (
        select(CareEvent.held_on, literal("event"), CareEvent.title, cast(null(), String),
               cast(CareEvent.kind, String), CareInvitation.contact_name, literal(""),
               cast(CareInvitation.rsvp, String), CareInvitation.attended, User.display_name,
               CareInvitation.id)
        .join(CareInvitation, CareInvitation.event_id == CareEvent.id)
        .outerjoin(User, CareInvitation.invited_by_id == User.id)
        .where(CareInvitation.customer_id == customer_id))
    both = union_all(contacts, events).subquery()
    rows = db.session.execute(select(both).order_by(both.c.on.desc(), both.c.what,
                                                    both.c.row.desc()).limit(limit)).all()
    return [{"on": r.on, "what": r.what, "title": r.title, "contact": r.contact,
             "note": r.note or "", "by": r.by or "", "attended": bool(r.attended),
             "method": CareMethod(r.method) if r.method else None,
             "kind": EventKind(r.kind) if r.kind else None,
             "rsvp": Rsvp(r.rsvp) if r.rsvp else None} for r in rows]
