"""Customer care: campaigns create exactly one care task per chosen customer for its owner
(double-submit safe), contacts are recorded, progress per person, the on-time duty figure."""
from datetime import date, timedelta

from sqlalchemy import func, select

from portal.care.services import on_time_percents
from portal.extensions import db
from portal.kernel import clock
from portal.models.care import CareCampaign, CareMethod, CareTask
from portal.models.customers import Tier
from tests.customer_factories import make_customer


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def campaign_form(**changes):
    data = {"token": "t-1", "title": "中秋问候", "message": "送月饼", "due_on": "2026-12-20",
            "tiers": ["A"]}
    data.update(changes)
    return data


def test_campaign_creates_exactly_one_task_per_chosen_customer_double_submit_safe(client_as, org):
    staff1, staff2, staff3 = (org.users[u] for u in ("staff1", "staff2", "staff3"))
    a1 = make_customer(staff1, tier=Tier.A)
    a2 = make_customer(staff2, tier=Tier.A)
    make_customer(staff1, tier=Tier.B)
    make_customer(staff3, tier=Tier.A)  # another area: not manager1's
    m1 = client_as("manager1")
    r = m1.post("/care/campaigns/new", data=campaign_form())
    assert r.status_code == 303
    r2 = m1.post("/care/campaigns/new", data=campaign_form())  # the same form again
    assert r2.status_code == 303 and r2.location == r.location
    assert count(CareCampaign) == 1
    tasks = db.session.scalars(select(CareTask)).all()
    assert sorted((t.customer_id, t.owner_id) for t in tasks) == sorted(
        [(a1.id, staff1.id), (a2.id, staff2.id)])


def test_campaign_by_owner_and_by_hand(client_as, org):
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    c1, c2 = make_customer(staff1, tier=Tier.C), make_customer(staff1, tier=Tier.A)
    picked = make_customer(staff2)
    m1 = client_as("manager1")
    m1.post("/care/campaigns/new", data=campaign_form(token="t-2", tiers=[],
                                                      owner_ids=[staff1.id]))
    m1.post("/care/campaigns/new", data=campaign_form(token="t-3", tiers=[],
                                                      customer_ids=[picked.id]))
    first, second = db.session.scalars(select(CareCampaign).order_by(CareCampaign.id)).all()
    assert {t.customer_id for t in first.tasks} == {c1.id, c2.id}
    assert [t.customer_id for t in second.tasks] == [picked.id]


def test_bad_campaign_refused_with_nothing_saved(client_as, org):
    make_customer(org.users["staff1"], tier=Tier.A)
    m1 = client_as("manager1")
    assert m1.post("/care/campaigns/new", data=campaign_form(title="")).status_code == 422
    assert m1.post("/care/campaigns/new", data=campaign_form(tiers=[])).status_code == 422
    assert m1.post("/care/campaigns/new", data=campaign_form(due_on="x")).status_code == 422
    assert m1.post("/care/campaigns/new", data=campaign_form(tiers=["Z"])).status_code == 422
    assert count(CareCampaign) == 0 and count(CareTask) == 0
    assert client_as("staff1").get("/care/campaigns/new").status_code == 403


def test_owner_records_a_contact_and_progress_shows_per_person(client_as, org):
    customer = make_customer(org.users["staff1"], tier=Tier.A, name="关怀客户")
    client_as("manager1").post("/care/campaigns/new", data=campaign_form())
    task = db.session.scalar(select(CareTask))
    s1 = client_as("staff1")
    assert "关怀客户" in s1.get("/care/").text
    today = clock.today()
    bad = {"contact_name": "王总", "method": "gift", "contacted_on":
           (today + timedelta(days=1)).isoformat(), "response": ""}
    assert s1.post(f"/care/tasks/{task.id}", data=bad).status_code == 422
    assert s1.post(f"/care/tasks/{task.id}", data={**bad, "method": "fax",
                                                  "contacted_on": today.isoformat()}
                   ).status_code == 422
    db.session.expire_all()
    assert db.session.get(CareTask, task.id).contacted_on is None
    r = s1.post(f"/care/tasks/{task.id}", data={**bad, "contacted_on": today.isoformat(),
                                               "response": "客户很满意"})
    assert r.status_code == 303
    db.session.expire_all()
    task = db.session.get(CareTask, task.id)
    assert task.method == CareMethod.GIFT and task.response == "客户很满意"
    page = client_as("manager1").get(f"/care/campaigns/{task.campaign_id}").text
    assert "客户很满意" in page and customer.name in page
    # another area's people see neither the campaign nor the task
    assert client_as("staff3").get(f"/care/tasks/{task.id}").status_code == 404
    assert client_as("staff3").get(f"/care/campaigns/{task.campaign_id}").status_code == 404


def test_care_contacts_on_time_figure(client_as, org):
    staff1 = org.users["staff1"]
    for _ in range(2):
        make_customer(staff1, tier=Tier.A)
    client_as("manager1").post("/care/campaigns/new", data=campaign_form(due_on="2026-12-20"))
    first, second = db.session.scalars(select(CareTask).order_by(CareTask.id)).all()
    first.contacted_on, second.contacted_on = date(2026, 12, 19), date(2026, 12, 21)
    db.session.commit()
    figures = on_time_percents([staff1.id, org.users["staff2"].id],
                               date(2026, 12, 1), date(2026, 12, 31))
    assert figures[staff1.id] == 50 and figures[org.users["staff2"].id] is None
