"""seed-demo fills customers, sales, targets, visits and duties that the numbers work on."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.customers.services import market_expansion
from portal.demo import clear_database, seed_demo_company
from portal.extensions import db
from portal.models.customers import Customer, CustomerAssignment, Visit
from portal.models.sales import SalesRecord, SalesTarget
from portal.targets.services import attainment_percent, duty_fulfilment_percent, parse_period

pytestmark = pytest.mark.slow  # seeds the whole demo company


def test_demo_has_a_living_crm(app):
    today = date(2026, 11, 26)
    ctx = seed_demo_company(today)
    db.session.commit()
    assert db.session.scalar(select(func.count(Customer.id))) == 80
    assert {c.area_id for c in db.session.scalars(select(Customer))} == {a.id for a in ctx.areas}
    assert db.session.scalar(select(func.count(SalesRecord.id))) > 300
    assert db.session.scalar(select(func.count(Visit.id))) > 100
    assert db.session.scalar(select(func.count(CustomerAssignment.id))
                             .where(CustomerAssignment.starts_on.is_not(None))) > 0
    staff1 = ctx.users["staff1"].id
    quarter = parse_period("2026-Q4", today)
    assert db.session.scalar(select(func.count(SalesTarget.id)).where(SalesTarget.user_id == staff1))
    assert attainment_percent(staff1, quarter.start, quarter.end) is not None
    assert duty_fulfilment_percent(staff1, date(2026, 7, 1), date(2026, 9, 30)) is not None
    assert set(market_expansion(staff1, quarter.start, quarter.end)) == {"new_customers",
                                                                          "new_product_lines"}
    clear_database()
