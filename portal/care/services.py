"""Customer care: campaigns (one care task per chosen customer, contacts recorded), the
care-contacts-on-time figure, customer events (invitations within the capacity, RSVP,
attendance, follow-up tasks, the guest list), and the birthday/anniversary reminders."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from portal import audit
from portal.extensions import db
from portal.kernel.clock import utcnow
from portal.models.care import (CARE_LABELS, CareCampaign, CareEvent, CareInvitation, CareMethod, CareTask,
                                EventKind,
                                Rsvp)
from portal.models.communication import Task
from portal.models.customers import Customer, CustomerContact, Tier


def select_customers(base: Select, tiers=(), type_ids=(), owner_ids=(), customer_ids=()) -> Select:
    """The customers of `base` matching every criterion given (an empty one is not a filter)."""
    query = base
    if tiers:
        query = query.where(Customer.tier.in_([Tier(t) for t in tiers]))
    if type_ids:
        query = query.where(Customer.type_id.in_(list(type_ids)))
    if owner_ids:
        query = query.where(Customer.account_manager_id.in_(list(owner_ids)))
    if customer_ids:
        query = query.where(Customer.id.in_(list(customer_ids)))
    return query


def create_campaign(creator, title: str, message: str, due_on: date, customers: Select,
                    selection: str, token: str | None) -> tuple[CareCampaign, bool]:
    """A campaign with one care task per chosen customer, for the customer's account manager
    (the creator where it has none). A second submit of the same form (same token) returns the
    campaign it created, and False."""
    if token:
        existing = db.session.scalar(select(CareCampaign).where(
            CareCampaign.submit_token == token))
        if existing is not None:
            return existing, False
    campaign = CareCampaign(title=title, message=message, due_on=due_on,
                            area_id=creator.area_id, created_by_id=creator.id,
                            selection=selection[:300], submit_token=token or None)
    db.session.add(campaign)
    db.session.flush()
    rows = db.session.execute(customers.with_only_columns(
        Customer.id, Customer.account_manager_id).distinct()).all()
    if rows:
        db.session.execute(CareTask.__table__.insert(), [
            {"campaign_id": campaign.id, "customer_id": cid, "owner_id": owner or creator.id,
             "response": "", "contact_name": "", "created_at": campaign.created_at}
            for cid, owner in rows])
    audit.record("care.campaign", "care_campaign", campaign.id, None,
                 {"customers": len(rows)})
    return campaign, True


def record_contact(task: CareTask, contact_name: str, method: CareMethod, response: str,
                   contacted_on: date) -> None:
    """Who was contacted, how, when, and what the customer said."""
    task.contact_name, task.method = contact_name, method
    task.response, task.contacted_on = response, contacted_on


def on_time_percents(user_ids: list[int], start: date, end: date) -> dict[int, Decimal | None]:
    """Per person: of the care tasks due in the period, the percentage contacted by the due day
    (None when none was due)."""
    rows = db.session.execute(
        select(CareTask.owner_id, func.count(CareTask.id),
               func.count(CareTask.id).filter(CareTask.contacted_on <= CareCampaign.due_on))
        .join(CareCampaign, CareTask.campaign_id == CareCampaign.id)
        .where(CareTask.owner_id.in_(user_ids), CareCampaign.due_on >= start,
               CareCampaign.due_on <= end)
        .group_by(CareTask.owner_id)).all()
    found = {o: (Decimal(ok) * 100 / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
             for o, n, ok in rows if n}
    return {u: found.get(u) for u in user_ids}


# --- customer events ---------------------------------------------------------------------------

class EventFull(ValueError):
    """The event has no seat left."""


def seats_taken(event: CareEvent) -> int:
    """Invitations not declined hold a seat."""
    return sum(1 for i in event.invitations if i.rsvp != Rsvp.NO)


def invite(event: CareEvent, customer_id: int, contact_name: str, user_id: int
           ) -> CareInvitation | None:
    """Invite a customer (once; None when invited already); EventFull past the capacity."""
    if any(i.customer_id == customer_id for i in event.invitations):
        return None
    if seats_taken(event) >= event.capacity:
        raise EventFull(event.id)
    invitation = CareInvitation(customer_id=customer_id, contact_name=contact_name,
                                invited_by_id=user_id)
    event.invitations.append(invitation)
    return invitation


def record_answer(invitation: CareInvitation, rsvp: Rsvp, attended: bool) -> None:
    """The RSVP and the attendance, as recorded by the account manager."""
    if rsvp != Rsvp.NO and invitation.rsvp == Rsvp.NO \
            and seats_taken(invitation.event) >= invitation.event.capacity:
        raise EventFull(invitation.event_id)
    invitation.rsvp, invitation.attended = rsvp, attended


def follow_up(event: CareEvent, today: date) -> int:
    """After the event, one follow-up task per attending customer for its account manager, once;
    the number made (0 when done before)."""
    if event.followed_up_at is not None:
        return 0
    made = 0
    for invitation in event.invitations:
        owner = invitation.customer.account_manager_id if invitation.customer else None
        if invitation.attended and owner:
            db.session.add(Task(owner_id=owner, due_date=today + timedelta(days=7),
                                title=f"{event.title}：回访 {invitation.customer.name}"[:300]))
            made += 1
    event.followed_up_at = utcnow()
    return made


def guest_rows(event: CareEvent) -> list[list]:
    """The guest list: customer, contact, account manager, RSVP and attended, in the reader's
    language."""
    return [[i.customer.name, i.contact_name,
             i.customer.account_manager.display_name if i.customer.account_manager else "",
             str(CARE_LABELS[i.rsvp]), _("Yes") if i.attended else _("No")]
            for i in event.invitations]


# --- reminders ---------------------------------------------------------------------------------

def care_reminders(today: date, days: int = 7, owner_ids=None) -> list[dict]:
    """Birthdays of contacts and customers' anniversaries as customers in the next `days` days
    (today included), for the reminders pass to call: [{"owner_id", "customer_id", "kind":
    "birthday"|"anniversary", "on", "name", "years"}], the soonest first."""
    window = {today + timedelta(days=n) for n in range(days + 1)}
    by_day = {(d.month, d.day): d for d in window}

    def when(month: int, day: int) -> date | None:
        if (month, day) == (2, 29) and (2, 29) not in by_day:
            return by_day.get((3, 1)) if (3, 1) in by_day else None
        return by_day.get((month, day))

    query = (select(CustomerContact.name, CustomerContact.birthday, Customer.id,
                    Customer.account_manager_id)
             .join(Customer, CustomerContact.customer_id == Customer.id)
             .where(CustomerContact.birthday.is_not(None)))
    anniversaries = select(Customer.name, Customer.created_at, Customer.id,
                           Customer.account_manager_id)
    if owner_ids is not None:
        query = query.where(Customer.account_manager_id.in_(list(owner_ids)))
        anniversaries = anniversaries.where(Customer.account_manager_id.in_(list(owner_ids)))
    out = []
    for name, birthday, customer_id, owner in db.session.execute(query):
        on = when(birthday.month, birthday.day)
        if on:
            out.append({"owner_id": owner, "customer_id": customer_id, "kind": "birthday",
                        "on": on, "name": name, "years": None})
    for name, since, customer_id, owner in db.session.execute(anniversaries):
        on = when(since.month, since.day)
        if on and on.year > since.year:
            out.append({"owner_id": owner, "customer_id": customer_id, "kind": "anniversary",
                        "on": on, "name": name, "years": on.year - since.year})
    return sorted(out, key=lambda r: (r["on"], r["kind"], r["name"]))


def trainings_held(user_ids: list[int], start: date, end: date) -> dict[int, int]:
    """Per account manager: product-training events held in the period that at least one of
    their customers attended."""
    rows = db.session.execute(
        select(Customer.account_manager_id, func.count(func.distinct(CareEvent.id)))
        .join(CareInvitation, CareInvitation.customer_id == Customer.id)
        .join(CareEvent, CareInvitation.event_id == CareEvent.id)
        .where(Customer.account_manager_id.in_(user_ids), CareInvitation.attended.is_(True),
               CareEvent.kind == EventKind.TRAINING, CareEvent.held_on >= start,
               CareEvent.held_on <= end)
        .group_by(Customer.account_manager_id)).all()
    found = dict(rows)
    return {u: found.get(u, 0) for u in user_ids}
