"""Sample records for the routes of the customers and targets modules, and records for their URL arguments."""
from datetime import date

from portal.extensions import db
from portal.models.customers import CustomerContact
from portal.models.sales import ImportJob, TargetStatus
from tests.customer_factories import make_customer, make_duty, make_sale, make_target, make_visit


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
    job = ImportJob(kind="sales", filename="sales.csv", content=b"", digest="0" * 64,
                    requested_by_id=staff1.id)
    customer_job = ImportJob(kind="customers", filename="customers.csv", content=b"",
                             digest="0" * 64, requested_by_id=staff1.id)
    db.session.add_all([job, customer_job])
    db.session.commit()
    return {"customer_id": customer.id, "contact_id": contact.id, "visit_id": visit.id,
            "sale_id": sale.id, "target_id": target.id, "duty_id": duty.id, "import_job_id": job.id,
            "customer_import_id": customer_job.id}
