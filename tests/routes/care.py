"""Sample records for the routes of customer care."""
from datetime import date

from sqlalchemy import select

from portal.extensions import db


def sample_args(org) -> dict:
    """A campaign of manager1 over a customer of staff1, and its care task (staff1's)."""
    from portal.care.services import create_campaign, invite
    from portal.models.care import CareEvent, CareTask
    from portal.models.customers import Customer
    from tests.customer_factories import make_customer

    customer = make_customer(org.users["staff1"], name="关怀样例客户")
    campaign, _ = create_campaign(org.users["manager1"], "样例问候", "", date(2026, 9, 30),
                                  select(Customer).where(Customer.id == customer.id), "", None)
    db.session.flush()
    task = db.session.scalar(select(CareTask).where(CareTask.campaign_id == campaign.id))
    event = CareEvent(title="样例答谢会", held_on=date(2026, 12, 20), capacity=10,
                      area_id=org.users["staff1"].area_id,
                      created_by_id=org.users["manager1"].id, invitations=[])
    db.session.add(event)
    invitation = invite(event, customer.id, "王总", org.users["staff1"].id)
    db.session.commit()
    return {"campaign_id": campaign.id, "care_task_id": task.id, "event_id": event.id,
            "invitation_id": invitation.id}
