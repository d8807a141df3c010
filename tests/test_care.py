"""Customer care: campaigns create exactly one care task per chosen customer for its owner
(double-submit safe), contacts are recorded, progress per person, the on-time duty figure."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from portal.care.services import on_time_percents
from portal.extensions import db
from portal.kernel import clock
from portal.models.care import (CareCampaign, CareEvent, CareInvitation, CareMethod, CareTask,
                                EventKind)
from portal.models.communication import Task
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


# --- customer events -----------------------------------------------------------------------------

def test_event_invitations_capacity_rsvp_attendance_follow_up_and_guest_list(client_as, org):
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    c1, c2 = make_customer(staff1, name="答谢客户甲"), make_customer(staff1, name="答谢客户乙")
    c3 = make_customer(staff2, name="答谢客户丙")
    m1 = client_as("manager1")
    assert m1.post("/care/events/new", data={"kind": "thanks", "title": "年终答谢会",
                                             "held_on": "2026-12-20", "place": "会展中心",
                                             "capacity": "2"}).status_code == 303
    assert m1.post("/care/events/new", data={"kind": "thanks", "title": "x",
                                             "held_on": "2026-12-20", "capacity": "0"}
                   ).status_code == 422
    event = db.session.scalar(select(CareEvent))
    s1 = client_as("staff1")
    assert s1.post(f"/care/events/{event.id}/invite",
                   data={"customer_id": c1.id, "contact_name": "王总"}).status_code == 303
    assert s1.post(f"/care/events/{event.id}/invite",
                   data={"customer_id": c1.id}).status_code == 422  # invited already
    assert s1.post(f"/care/events/{event.id}/invite",
                   data={"customer_id": c3.id}).status_code == 422  # not my customer
    assert s1.post(f"/care/events/{event.id}/invite", data={"customer_id": c2.id}
                   ).status_code == 303
    assert client_as("staff2").post(f"/care/events/{event.id}/invite",
                                    data={"customer_id": c3.id}).status_code == 422  # full
    assert count(CareInvitation) == 2
    first = db.session.scalar(select(CareInvitation).where(CareInvitation.customer_id == c1.id))
    # staff2 may not answer for staff1's customer
    assert client_as("staff2").post(f"/care/invitations/{first.id}",
                                    data={"rsvp": "yes"}).status_code == 404
    assert s1.post(f"/care/invitations/{first.id}",
                   data={"rsvp": "yes", "attended": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CareInvitation, first.id).attended
    assert m1.post(f"/care/events/{event.id}/follow-up").status_code == 303
    assert m1.post(f"/care/events/{event.id}/follow-up").status_code == 303  # once only
    tasks = db.session.scalars(select(Task)).all()
    assert [(t.owner_id, "答谢客户甲" in t.title) for t in tasks] == [(staff1.id, True)]
    r = s1.get(f"/care/events/{event.id}/guests.csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert "答谢客户甲" in r.text and "王总" in r.text and "答谢客户乙" in r.text
    attended = next(line for line in r.text.splitlines() if "答谢客户甲" in line)
    assert attended.endswith(("出席,是", "Coming,Yes"))  # words in the reader's language, not yes/1
    assert client_as("staff3").get(f"/care/events/{event.id}").status_code == 404


def test_birthday_and_anniversary_reminders(app, org):
    from datetime import datetime
    from portal.care.services import care_reminders
    from portal.models.customers import CustomerContact
    customer = make_customer(org.users["staff1"], name="老客户")
    customer.created_at = datetime(2023, 12, 3, 2)
    db.session.add(CustomerContact(customer_id=customer.id, name="王总",
                                   birthday=date(1970, 12, 1)))
    db.session.add(CustomerContact(customer_id=customer.id, name="李总",
                                   birthday=date(1980, 12, 20)))
    db.session.flush()
    found = care_reminders(date(2026, 11, 28), days=7)
    assert [(r["kind"], r["name"], r["on"], r["years"]) for r in found] == [
        ("birthday", "王总", date(2026, 12, 1), None),
        ("anniversary", "老客户", date(2026, 12, 3), 3)]
    assert all(r["owner_id"] == org.users["staff1"].id for r in found)


def test_product_training_duty(app, org):
    from portal.targets.duties import DUTY_KINDS
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    customer = make_customer(staff1)
    event = CareEvent(kind=EventKind.TRAINING, title="云产品培训", held_on=date(2026, 10, 10),
                      capacity=10, invitations=[])
    event.invitations.append(CareInvitation(customer_id=customer.id, attended=True))
    db.session.add(event)
    db.session.flush()
    kind = DUTY_KINDS["product_training_held"]
    assert kind.measure(None, staff1.id, date(2026, 10, 1), date(2026, 10, 31)) == 100
    assert kind.measure(None, staff2.id, date(2026, 10, 1), date(2026, 10, 31)) == 0
    assert kind.measure(None, staff1.id, date(2026, 11, 1), date(2026, 11, 30)) == 0


def test_care_activities_of_a_customer_for_its_timeline(app, org):
    from portal.care.queries import care_activities
    customer = make_customer(org.users["staff1"])
    campaign = CareCampaign(title="春节问候", due_on=date(2026, 2, 10), tasks=[])
    campaign.tasks.append(CareTask(customer_id=customer.id, owner_id=org.users["staff1"].id,
                                   contacted_on=date(2026, 2, 5), method=CareMethod.CALL))
    event = CareEvent(title="答谢会", held_on=date(2026, 3, 1), capacity=5, invitations=[])
    event.invitations.append(CareInvitation(customer_id=customer.id, attended=True))
    db.session.add_all([campaign, event])
    db.session.flush()
    assert [(a["what"], a["title"]) for a in care_activities(customer.id)] == [
        ("event", "答谢会"), ("contact", "春节问候")]


# --- the customer's page -------------------------------------------------------------------------

def test_care_activities_appear_on_the_customers_timeline_scoped_like_the_customer(
        client_as_en, org):
    staff1 = org.users["staff1"]
    cared = make_customer(staff1, tier=Tier.A, name="关怀时间线客户")
    other = make_customer(staff1, tier=Tier.B, name="别的客户")
    m1 = client_as_en("manager1")
    assert m1.post("/care/campaigns/new", data=campaign_form(title="中秋问候")).status_code == 303
    task = db.session.scalar(select(CareTask).where(CareTask.customer_id == cared.id))
    s1 = client_as_en("staff1")
    page = s1.get(f"/customers/{cared.id}").text
    assert "No care activity yet." in page and "中秋问候" not in page  # not contacted yet
    assert s1.post(f"/care/tasks/{task.id}", data={
        "contact_name": "王总", "method": "wechat", "contacted_on": clock.today().isoformat(),
        "response": "感谢关心，明年续约"}).status_code == 303
    assert m1.post("/care/events/new", data={"kind": "launch", "title": "新品发布会",
                                             "held_on": "2026-12-20", "place": "会展中心",
                                             "capacity": "10"}).status_code == 303
    event = db.session.scalar(select(CareEvent))
    assert s1.post(f"/care/events/{event.id}/invite",
                   data={"customer_id": cared.id, "contact_name": "李经理"}).status_code == 303
    invitation = db.session.scalar(select(CareInvitation))
    assert s1.post(f"/care/invitations/{invitation.id}",
                   data={"rsvp": "yes", "attended": "y"}).status_code == 303
    for client in (s1, m1):
        page = client.get(f"/customers/{cared.id}").text
        timeline = page[page.index('id="care-timeline"'):]
        timeline = timeline[:timeline.index("</section>")]
        # newest first: the event (20 December) before the contact made today
        assert timeline.index("新品发布会") < timeline.index("中秋问候")
        assert "WeChat" in timeline and "王总" in timeline and "感谢关心，明年续约" in timeline
        assert "李经理" in timeline and "Coming" in timeline and "attended" in timeline
        assert "Product launch" in timeline
    # another customer's page shows none of it; another area's person cannot open the page
    page = s1.get(f"/customers/{other.id}").text
    assert "中秋问候" not in page and "新品发布会" not in page
    assert client_as_en("staff3").get(f"/customers/{cared.id}").status_code == 404


def test_a_campaigns_tasks_come_a_page_at_a_time_each_once(app, client_as, org, count_queries,
                                                           monkeypatch):
    """A campaign of a whole company has thousands of tasks: its page lists them a page at a
    time (by owner, then customer), each once across the pages, with as many statements for
    many tasks as for few; the progress per person still counts every task."""
    monkeypatch.setitem(app.config, "PER_PAGE", 4)
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    m1 = client_as("manager1")

    def campaign(token, n):
        for i in range(n):
            make_customer(staff1 if i % 2 else staff2, tier=Tier.A, name=f"分页客户{token}{i:02d}")
        assert m1.post("/care/campaigns/new", data=campaign_form(token=token)).status_code == 303
        item = db.session.scalar(select(CareCampaign).where(CareCampaign.submit_token == token))
        with count_queries() as counter:
            assert m1.get(f"/care/campaigns/{item.id}").status_code == 200
        return item, counter.count

    _few, few_statements = campaign("t-few", 2)
    item, many_statements = campaign("t-many", 9)  # 11 A customers by now
    assert few_statements == many_statements
    seen = []
    for number in (1, 2, 3, 4):
        page = m1.get(f"/care/campaigns/{item.id}?page={number}").text
        rows = re.findall(r"分页客户t-(?:few|many)\d\d", page)
        assert len(rows) <= 4
        seen += rows
        assert "11 in all" in page or "共11条" in page
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 11
    progress = m1.get(f"/care/campaigns/{item.id}").text
    assert re.search(rf"<td>{staff1.display_name}</td><td>\d+</td>", progress)


def test_the_campaign_page_reads_the_reporting_line_first(client_as, org):
    """A manager's care tasks are scoped by the ids of their people and areas, read first:
    PostgreSQL misjudged the reporting line's recursive CTE inside the task query and took
    100 ms a statement on a campaign of 1,000 tasks at size L."""
    from sqlalchemy import event

    make_customer(org.users["staff1"], tier=Tier.A)
    m1 = client_as("manager1")
    m1.post("/care/campaigns/new", data=campaign_form())
    campaign_id = db.session.scalar(select(CareCampaign.id))
    statements = []

    def capture(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    care_event = CareEvent(kind=EventKind.LAUNCH, title="新品发布", held_on=date(2026, 12, 20),
                           capacity=10, created_by_id=org.users["manager1"].id,
                           area_id=org.users["manager1"].area_id)
    db.session.add(care_event)
    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert m1.get(f"/care/campaigns/{campaign_id}").status_code == 200
        assert m1.get(f"/care/events/{care_event.id}").status_code == 200
        assert m1.get("/care/campaigns/new").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    tasks = [s for s in statements if "FROM care_tasks" in s and "care_tasks.contact_name" in s]
    assert tasks and not any("RECURSIVE" in s for s in tasks)
