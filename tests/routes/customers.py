"""Routes of the customers and targets modules, and records for their URL arguments."""
from datetime import date

from portal.extensions import db
from portal.models.customers import CustomerContact
from portal.models.sales import TargetStatus
from tests.customer_factories import make_customer, make_duty, make_sale, make_target, make_visit
from tests.routes import EVERYONE

OWNERS = {"staff1", "manager1"}
MANAGER = {"manager1"}
ROUTES = {
    "customers.index": EVERYONE,
    "customers.create": OWNERS,
    "customers.detail": OWNERS,
    "customers.edit": OWNERS,
    "customers.tier": MANAGER,
    "customers.contact_create": OWNERS,
    "customers.contact_edit": OWNERS,
    "customers.contact_delete": OWNERS,
    "customers.reassign_one": MANAGER,
    "customers.allocation": MANAGER,
    "customers.visits": EVERYONE,
    "customers.week": EVERYONE,
    "customers.overdue": EVERYONE,
    "customers.visit_create": OWNERS,
    "customers.visit_edit": OWNERS,
    "customers.cadence": {"manager1", "admin"},
    "targets.index": EVERYONE,
    "targets.person": EVERYONE,
    "targets.grid": MANAGER,
    "targets.approve": MANAGER,
    "targets.change": MANAGER,
    "targets.sales": EVERYONE,
    "targets.sale_create": OWNERS,
    "targets.sale_delete": MANAGER,
    "targets.sale_import": OWNERS,
    "targets.sale_export": EVERYONE,
    "targets.duties": EVERYONE,
    "targets.duty_create": {"manager1", "admin"},
    "targets.duty_edit": {"admin"},
}
POST_ONLY = {"customers.plan", "targets.grid_cell"}


def sample_args(org) -> dict:
    """A customer of staff1 with a contact, a visit and a sale; an approved target; a duty."""
    staff1 = org.users["staff1"]
    customer = make_customer(staff1, "样例客户")
    contact = CustomerContact(customer_id=customer.id, name="联系人")
    db.session.add(contact)
    db.session.flush()
    visit = make_visit(customer, staff1, planned_on=date(2026, 11, 20))
    sale = make_sale(customer, org.product_lines[0], date(2026, 11, 2), "1234.56")
    target = make_target(staff1, date(2026, 11, 1), "10000", status=TargetStatus.APPROVED)
    duty = make_duty("visit_tier_cadence", tier="A")
    db.session.commit()
    return {"customer_id": customer.id, "contact_id": contact.id, "visit_id": visit.id,
            "sale_id": sale.id, "target_id": target.id, "duty_id": duty.id}
