"""A running demo care campaign (中秋 greetings) over the east district's tier A and B customers."""
from datetime import timedelta

from sqlalchemy import select

from portal.care.services import create_campaign, invite, record_answer, record_contact
from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models.care import CareEvent, CareMethod, CareTask, EventKind, Rsvp
from portal.models.customers import Customer, Tier


@seeder(80)
def seed_care(ctx: DemoContext) -> None:
    """One campaign of the east district, some contacts already made."""
    manager, area = ctx.users["manager1"], ctx.areas[0]
    customers = select(Customer).where(Customer.area_id == area.id,
                                       Customer.tier.in_([Tier.A, Tier.B]))
    campaign, _created = create_campaign(manager, "中秋客户问候", "中秋节前问候重点客户，送上月饼礼盒。",
                                         ctx.today + timedelta(days=10), customers, "A, B", None)
    db.session.flush()
    tasks = db.session.scalars(select(CareTask).where(CareTask.campaign_id == campaign.id)
                               .order_by(CareTask.id)).all()
    for i, task in enumerate(tasks[: len(tasks) // 3]):
        record_contact(task, "王经理", list(CareMethod)[i % 4], "客户表示感谢。",
                       ctx.today - timedelta(days=i % 5))
    db.session.flush()


@seeder(81)
def seed_care_event(ctx: DemoContext) -> None:
    """A year-end thank-you gathering of the east district with a dozen invited customers."""
    manager, area = ctx.users["manager1"], ctx.areas[0]
    event = CareEvent(kind=EventKind.THANKS, title="年终客户答谢会", held_on=ctx.today + timedelta(days=20),
                      place="城东会展中心二楼", capacity=30, area_id=area.id,
                      created_by_id=manager.id, invitations=[])
    db.session.add(event)
    customers = db.session.scalars(select(Customer).where(Customer.area_id == area.id,
                                                          Customer.tier == Tier.A)
                                   .order_by(Customer.id).limit(12)).all()
    for i, customer in enumerate(customers):
        invitation = invite(event, customer.id, "", customer.account_manager_id)
        record_answer(invitation, [Rsvp.YES, Rsvp.PENDING, Rsvp.NO][i % 3], False)
    db.session.flush()
