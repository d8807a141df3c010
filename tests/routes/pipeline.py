"""Sample records for the routes of the pipeline module."""
from datetime import date

from portal.extensions import db
from tests.customer_factories import make_customer
from tests.pipeline_factories import make_opportunity


def sample_args(org) -> dict:
    """An open deal of staff1 (area A01), stale since its close date has passed."""
    staff1 = org.users["staff1"]
    customer = make_customer(staff1, "商机样例客户")
    opp = make_opportunity(customer, [(org.product_lines[0], "50000")],
                           expected_close=date(2026, 11, 1))
    db.session.commit()
    return {"opportunity_id": opp.id, "list_kind": "competitors"}
