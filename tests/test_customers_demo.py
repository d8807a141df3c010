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


def test_demo_has_departments_handoff_intelligence_care_and_birthdays(app):
    """Issue 22: two departments with people and a head, a complaint handed to one (on its
    timeline), intelligence posts, a running campaign with contacts made, an event with
    invitations, and contacts with birthdays and care preferences (one within the week)."""
    from datetime import timedelta

    from portal.care.services import care_reminders
    from portal.models.care import CareCampaign, CareEvent, CareInvitation, CareTask
    from portal.models.customers import CustomerContact
    from portal.models.departments import Department, DepartmentMember
    from portal.models.feedback import Complaint, ComplaintEvent
    from portal.models.intel import IntelPost

    today = date(2026, 11, 26)
    seed_demo_company(today)
    db.session.commit()

    def count(query):
        return db.session.scalar(select(func.count()).select_from(query.subquery()))

    departments = db.session.scalars(select(Department)).all()
    assert len(departments) == 2 and all(d.head_id for d in departments)
    assert count(select(DepartmentMember)) == 4
    handed = db.session.scalar(select(Complaint).where(Complaint.department_id.is_not(None)))
    assert handed is not None and any(e.kind == "handoff" for e in handed.events)
    assert count(select(ComplaintEvent).where(ComplaintEvent.kind == "handoff")) >= 1
    assert count(select(IntelPost)) >= 4
    campaign = db.session.scalar(select(CareCampaign))
    assert campaign.due_on > today
    assert 0 < count(select(CareTask).where(CareTask.contacted_on.is_not(None))) \
        < count(select(CareTask))
    assert count(select(CareEvent)) >= 1 and count(select(CareInvitation)) > 0
    assert count(select(CustomerContact).where(CustomerContact.birthday.is_not(None))) > 10
    assert count(select(CustomerContact).where(CustomerContact.gift_preference != "")) > 10
    soon = [r for r in care_reminders(today) if r["kind"] == "birthday"]
    assert any(r["on"] == today + timedelta(days=3) for r in soon)
    clear_database()
