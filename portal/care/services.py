"""Care campaigns: choose customers, create one care task per customer, record contacts; the
care-contacts-on-time figure; birthday and anniversary reminders are not built yet."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, func, select

from portal import audit
from portal.extensions import db
from portal.models.care import CareCampaign, CareMethod, CareTask
from portal.models.customers import Customer, Tier


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
