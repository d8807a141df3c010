"""The customers module through HTTP: privacy, allocation rules, forms, bounded SQL."""
from datetime import date, timedelta

from sqlalchemy import func, select

from portal.customers.services import plan_visits
from portal.extensions import db
from portal.models import AuditLog
from portal.models.customers import Customer, CustomerAssignment, Tier, Visit, VisitCadence
from tests.customer_factories import make_customer, make_visit


def test_staff_see_and_edit_only_their_own_customers(client_as, org):
    mine = make_customer(org.users["staff1"], "我的客户")
    theirs = make_customer(org.users["staff2"], "同事的客户")
    client = client_as("staff1")
    page = client.get("/customers/").get_data(as_text=True)
    assert "我的客户" in page and "同事的客户" not in page
    assert client.get(f"/customers/{mine.id}").status_code == 200
    assert client.get(f"/customers/{theirs.id}").status_code == 404
    response = client.post(f"/customers/{theirs.id}/edit",
                           data={"code": "X1", "name": "改名", "type_id": 0, "status": "active"})
    assert response.status_code == 404
    assert db.session.get(Customer, theirs.id).name == "同事的客户"


def test_manager_sees_the_area_only(client_as, org):
    east = make_customer(org.users["staff2"], "城东客户")
    west = make_customer(org.users["staff3"], "城西客户")
    client = client_as("manager1")
    page = client.get("/customers/").get_data(as_text=True)
    assert "城东客户" in page and "城西客户" not in page
    assert client.get(f"/customers/{east.id}").status_code == 200
    assert client.get(f"/customers/{west.id}").status_code == 404
    assert client.get(f"/customers/{west.id}/reassign").status_code == 404


def test_hr_and_admin_see_no_customer(client_as, org):
    customer = make_customer(org.users["staff1"], "某客户")
    for who in ("hr", "admin"):
        client = client_as(who)
        assert "某客户" not in client.get("/customers/").get_data(as_text=True)
        assert client.get(f"/customers/{customer.id}").status_code == 404


def test_reassigning_outside_the_area_is_refused(client_as, org):
    customer = make_customer(org.users["staff1"])
    client = client_as("manager1")
    response = client.post(f"/customers/{customer.id}/reassign", data={
        "account_manager_id": org.users["staff3"].id, "effective": "2026-11-01", "note": "x"})
    assert response.status_code == 422
    assert db.session.get(Customer, customer.id).account_manager_id == org.users["staff1"].id
    assert db.session.scalar(select(func.count(CustomerAssignment.id))) == 1
    # The service refuses it too, whatever the form offers.
    from portal.customers.services import AllocationError, reassign
    import pytest
    with pytest.raises(AllocationError):
        reassign(db.session.get(Customer, customer.id), org.users["staff3"], None, date(2026, 11, 1))


def test_reassignment_keeps_history_and_audit(client_as, org):
    customer = make_customer(org.users["staff1"])
    planned = make_visit(customer, org.users["staff1"], planned_on=date(2030, 1, 5))
    client = client_as("manager1")
    response = client.post(f"/customers/{customer.id}/reassign", data={
        "account_manager_id": org.users["staff2"].id, "effective": "2026-11-01",
        "note": "交接：客户偏好微信联系"})
    assert response.status_code == 303
    spans = db.session.scalars(select(CustomerAssignment).where(
        CustomerAssignment.customer_id == customer.id).order_by(CustomerAssignment.id)).all()
    assert [(s.account_manager_id, s.starts_on, s.ends_on) for s in spans] == [
        (org.users["staff1"].id, None, date(2026, 11, 1)),
        (org.users["staff2"].id, date(2026, 11, 1), None)]
    assert spans[1].note == "交接：客户偏好微信联系"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "customer.reassign"))
    assert entry.after["account_manager_id"] == org.users["staff2"].id
    assert db.session.get(Visit, planned.id).account_manager_id == org.users["staff2"].id
    # staff1 no longer sees it; staff2 does.
    assert client_as("staff1").get(f"/customers/{customer.id}").status_code == 404
    assert client_as("staff2").get(f"/customers/{customer.id}").status_code == 200


def test_bulk_allocation(client_as, org):
    a = make_customer(org.users["staff1"])
    b = make_customer(org.users["staff1"])
    west = make_customer(org.users["staff3"])
    client = client_as("manager1")
    page = client.get("/customers/allocation").get_data(as_text=True)
    assert org.users["staff1"].display_name in page
    # A customer of another area in the batch: 404, nothing moved.
    response = client.post("/customers/allocation", data={
        "customer_ids": [a.id, west.id], "account_manager_id": org.users["staff2"].id,
        "effective": "2026-11-01"})
    assert response.status_code == 404
    assert db.session.get(Customer, a.id).account_manager_id == org.users["staff1"].id
    response = client.post("/customers/allocation", data={
        "customer_ids": [a.id, b.id], "account_manager_id": org.users["staff2"].id,
        "effective": "2026-11-01", "note": "批量"})
    assert response.status_code == 303
    owners = {db.session.get(Customer, i).account_manager_id for i in (a.id, b.id)}
    assert owners == {org.users["staff2"].id}
    assert db.session.scalar(select(func.count(AuditLog.id))
                             .where(AuditLog.action == "customer.reassign")) == 2


def test_staff_cannot_reassign_or_set_tiers(client_as, org):
    customer = make_customer(org.users["staff1"])
    client = client_as("staff1")
    assert client.get(f"/customers/{customer.id}/reassign").status_code == 403
    assert client.post(f"/customers/{customer.id}/tier", data={"tier": "A", "potential": 3}).status_code == 403
    assert client.get("/customers/allocation").status_code == 403


def test_tier_is_set_by_the_manager_and_audited(client_as, org):
    customer = make_customer(org.users["staff1"], tier=None)
    client = client_as("manager1")
    page = client.get(f"/customers/{customer.id}/tier").get_data(as_text=True)
    assert "C" in page  # no sales, medium potential: the suggestion is C
    assert client.post(f"/customers/{customer.id}/tier",
                       data={"tier": "A", "potential": 3}).status_code == 303
    assert db.session.get(Customer, customer.id).tier == Tier.A
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "customer.tier"))


def test_create_with_bad_input_keeps_what_was_typed(client_as, org):
    existing = make_customer(org.users["staff1"], code="DUP1")
    client = client_as("staff1")
    before = db.session.scalar(select(func.count(Customer.id)))
    response = client.post("/customers/new", data={
        "code": "DUP1", "name": "新客户名称", "type_id": 0, "status": "active"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error" id="code-error"' in page and "新客户名称" in page
    assert db.session.scalar(select(func.count(Customer.id))) == before
    response = client.post("/customers/new", data={
        "code": "NEW1", "name": "新客户名称", "type_id": 0, "status": "active"})
    assert response.status_code == 303
    created = db.session.scalar(select(Customer).where(Customer.code == "NEW1"))
    assert created.account_manager_id == org.users["staff1"].id
    assert created.area_id == org.users["staff1"].area_id
    assert existing.id != created.id


def test_visit_form_refuses_a_visit_done_in_the_future(client_as, org):
    customer = make_customer(org.users["staff1"])
    future = (date.today() + timedelta(days=3)).isoformat()
    response = client_as("staff1").post(f"/customers/{customer.id}/visits/new", data={
        "done_on": future, "method": "phone", "notes": "电话回访记录"})
    assert response.status_code == 422
    assert "电话回访记录" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_visit_plans_follow_the_tier_cadence(org):
    db.session.add(VisitCadence(tier=Tier.B, interval_months=2))
    a = make_customer(org.users["staff1"], tier=Tier.A)
    b = make_customer(org.users["staff1"], tier=Tier.B)
    never = make_customer(org.users["staff1"], tier=Tier.C)
    untiered = make_customer(org.users["staff1"], tier=None)
    make_visit(a, org.users["staff1"], done_on=date(2026, 10, 31))
    make_visit(b, org.users["staff1"], done_on=date(2026, 9, 15))
    today = date(2026, 11, 26)
    assert plan_visits([a, b, never, untiered], today) == 3
    planned = {v.customer_id: v.planned_on for v in db.session.scalars(
        select(Visit).where(Visit.done_on.is_(None)))}
    assert planned == {a.id: date(2026, 11, 30),  # monthly, clamped to November's end
                       b.id: date(2026, 11, 15),  # every 2 months: already overdue
                       never.id: today}
    assert plan_visits([a, b, never, untiered], today) == 0  # no second plan


def test_overdue_and_week_pages(client_as, org):
    customer = make_customer(org.users["staff1"], "逾期客户")
    make_visit(customer, org.users["staff1"], planned_on=date.today() - timedelta(days=3))
    page = client_as("manager1").get("/customers/visits/overdue").get_data(as_text=True)
    assert org.users["staff1"].display_name in page
    page = client_as("staff1").get("/customers/visits/week",
                                   query_string={"start": (date.today() - timedelta(days=3)).isoformat()})
    assert "逾期客户" in page.get_data(as_text=True)
    other = client_as("staff1").get("/customers/visits/week",
                                    query_string={"who": org.users["staff2"].id})
    assert other.status_code == 404


def _many(org, n):
    for i in range(n):
        c = make_customer(org.users["staff1" if i % 2 else "staff2"])
        make_visit(c, org.users["staff1"], done_on=date.today() - timedelta(days=i % 20))
    db.session.commit()


def test_list_pages_run_a_bounded_number_of_statements(client_as, org, count_queries):
    client = client_as("manager1")
    counts = {}
    for n in (3, 27):
        _many(org, n if n == 3 else n - 3)
        for url in ("/customers/", "/customers/visits", "/customers/allocation",
                    "/customers/visits/overdue"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.setdefault(url, []).append(counter.count)
    for url, (few, many) in counts.items():
        assert few == many, (url, few, many)


def test_a_move_cannot_be_dated_in_the_future(client_as, org):
    customer = make_customer(org.users["staff1"])
    response = client_as("manager1").post(f"/customers/{customer.id}/reassign", data={
        "account_manager_id": org.users["staff2"].id,
        "effective": (date.today() + timedelta(days=5)).isoformat()})
    assert response.status_code == 422
    assert db.session.get(Customer, customer.id).account_manager_id == org.users["staff1"].id


def test_recording_a_planned_visit_as_done(client_as, org):
    customer = make_customer(org.users["staff1"])
    visit = make_visit(customer, org.users["staff1"], planned_on=date.today() - timedelta(days=1))
    other = make_visit(make_customer(org.users["staff2"]), org.users["staff2"],
                       planned_on=date.today())
    client = client_as("staff1")
    assert client.get(f"/customers/visits/{other.id}/edit").status_code == 404
    response = client.post(f"/customers/visits/{visit.id}/edit", data={
        "planned_on": visit.planned_on.isoformat(), "done_on": date.today().isoformat(),
        "method": "wechat", "notes": "已沟通续约", "next_follow_up": "2030-01-01"})
    assert response.status_code == 303
    done = db.session.get(Visit, visit.id)
    assert done.done_on == date.today() and done.method.value == "wechat"
    assert done.next_follow_up == date(2030, 1, 1)


def test_cadence_is_set_by_managers_and_audited(client_as, org):
    assert client_as("staff1").post("/customers/cadence", data={"a": 2, "b": 4, "c": 12}).status_code == 403
    bad = client_as("manager1").post("/customers/cadence", data={"a": 0, "b": 4, "c": 12})
    assert bad.status_code == 422 and db.session.scalar(select(func.count(VisitCadence.tier))) == 0
    assert client_as("manager1").post("/customers/cadence",
                                      data={"a": 2, "b": 4, "c": 12}).status_code == 303
    assert db.session.get(VisitCadence, Tier.A).interval_months == 2
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "visit_cadence.update"))


def test_export_holds_only_visible_customers(client_as, org):
    make_customer(org.users["staff1"], "导出甲", code="EXP1")
    make_customer(org.users["staff3"], "导出乙", code="EXP2")
    text = client_as("manager1").get("/customers/export").get_data().decode("utf-8-sig")
    assert "导出甲" in text and "导出乙" not in text
    xlsx = client_as("staff1").get("/customers/export?format=xlsx&q=EXP")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_nul_characters_are_refused_and_nothing_is_saved(client_as, org):
    """PostgreSQL refuses NUL in text: the input guard answers 400 before any query runs."""
    make_customer(org.users["staff1"], "甲客户")
    client = client_as("manager1")
    for url in ("/customers/?q=%00", "/customers/visits?q=a%00", "/customers/allocation?q=%00",
                "/targets/sales?q=%00"):
        assert client.get(url).status_code == 400, url
    before = db.session.scalar(select(func.count()).select_from(Customer))
    response = client.post("/customers/new", data={"code": "\x00", "name": "x", "type_id": 0,
                                                   "status": "active", "account_manager_id": 0})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Customer)) == before


# --- contacts: birthday and care preferences (issue 22) ------------------------------------------

def test_contact_form_keeps_birthday_and_care_preferences_and_the_list_shows_them(client_as, org):
    from portal.kernel import clock
    from portal.models.customers import CustomerContact
    customer = make_customer(org.users["staff1"], name="关怀客户")
    db.session.commit()
    staff1 = client_as("staff1")
    form = staff1.get(f"/customers/{customer.id}/contacts/new").text
    assert 'name="birthday"' in form and 'name="gift_preference"' in form \
        and 'name="contact_time"' in form
    r = staff1.post(f"/customers/{customer.id}/contacts/new", data={
        "name": "王总", "birthday": "1970-03-08", "gift_preference": "普洱茶",
        "contact_time": "工作日上午"})
    assert r.status_code == 303
    contact = db.session.scalar(select(CustomerContact).where(
        CustomerContact.customer_id == customer.id))
    assert (contact.birthday, contact.gift_preference, contact.contact_time) == (
        date(1970, 3, 8), "普洱茶", "工作日上午")
    page = staff1.get(f"/customers/{customer.id}").text
    assert "普洱茶" in page and "工作日上午" in page and "1970" in page
    # a birthday in the future is refused next to the field, and nothing is saved
    tomorrow = clock.today() + timedelta(days=1)
    r = staff1.post(f"/customers/{customer.id}/contacts/{contact.id}/edit", data={
        "name": "王总", "birthday": tomorrow.isoformat(), "gift_preference": "白酒"})
    assert r.status_code == 422
    assert 'id="birthday-error"' in r.text
    db.session.expire_all()
    contact = db.session.get(CustomerContact, contact.id)
    assert (contact.birthday, contact.gift_preference) == (date(1970, 3, 8), "普洱茶")
    # cleared as a browser sends it: no birthday, empty preferences
    r = staff1.post(f"/customers/{customer.id}/contacts/{contact.id}/edit", data={
        "name": "王总", "birthday": "", "gift_preference": "", "contact_time": ""})
    assert r.status_code == 303
    db.session.expire_all()
    contact = db.session.get(CustomerContact, contact.id)
    assert (contact.birthday, contact.gift_preference, contact.contact_time) == (None, "", "")


def test_filtering_the_visits_leaves_the_chart_alone(client_as, org, count_queries):
    """htmx's filtering and paging swap the results only: the chart above them (a statement over
    six months of visits) is drawn for the full page, not for every filter."""
    make_visit(make_customer(org.users["staff1"]), org.users["staff1"],
               planned_on=date.today() - timedelta(days=3), done_on=date.today() - timedelta(days=3))
    client = client_as("manager1")
    with count_queries() as full:
        page = client.get("/customers/visits?state=done")
    with count_queries() as partial:
        results = client.get("/customers/visits?state=done", headers={"HX-Request": "true"})
    assert page.status_code == results.status_code == 200
    assert 'class="chart' in page.text and 'class="chart' not in results.text
    charted = [s for s in full.statements if "GROUP BY visits.done_on" in s]
    assert charted and not [s for s in partial.statements if "GROUP BY visits.done_on" in s]
