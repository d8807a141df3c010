"""Complaints: deadlines, the status process, scoping, intake, overdue lists, figures, and the
two functions other modules call."""
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.complaints import services
from portal.complaints.services import IllegalTransition
from portal.extensions import db
from portal.models import AuditLog, utcnow
from portal.models.feedback import Complaint, ComplaintEvent, ComplaintStatus, Severity
from tests.feedback_factories import make_complaint, make_customer

S = ComplaintStatus


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- deadlines ---------------------------------------------------------------------------------

@pytest.mark.parametrize("received, severity, due", [
    (datetime(2026, 1, 31, 10, 0), Severity.HIGH, datetime(2026, 2, 3, 10, 0)),
    (datetime(2026, 2, 28, 9, 30), Severity.CRITICAL, datetime(2026, 3, 1, 9, 30)),
    (datetime(2028, 2, 28, 9, 30), Severity.CRITICAL, datetime(2028, 2, 29, 9, 30)),  # leap year
    (datetime(2026, 4, 30, 23, 0), Severity.MEDIUM, datetime(2026, 5, 5, 23, 0)),
    (datetime(2026, 12, 31, 18, 0), Severity.LOW, datetime(2027, 1, 10, 18, 0)),
])
def test_deadline_across_month_ends(app, received, severity, due):
    assert services.due_at(received, severity) == due


def test_deadlines_are_configurable(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMPLAINT_DEADLINE_HOURS", {"high": 48})
    assert services.due_at(datetime(2026, 3, 31, 8), Severity.HIGH) == datetime(2026, 4, 2, 8)
    assert services.deadline_hours(Severity.LOW) == 240  # the others keep their defaults


def test_months_are_the_business_months(app):
    # 16:30 UTC on 31 January is 00:30 on 1 February in Shanghai
    assert services.local_month(datetime(2026, 1, 31, 16, 30)) == "2026-02"
    assert services.local_month(datetime(2026, 1, 31, 15, 59)) == "2026-01"
    assert services.last_months(date(2026, 2, 10), 3) == ["2025-12", "2026-01", "2026-02"]


def test_monthly_figures(app):
    rows = [
        # received 30 Jan, closed 2 Feb within 3 days: on time, 3 days
        (datetime(2026, 1, 30, 2), datetime(2026, 2, 2, 2), datetime(2026, 2, 2, 3), S.CLOSED),
        # received and closed in February, late, 6 days
        (datetime(2026, 2, 1, 2), datetime(2026, 2, 7, 2), datetime(2026, 2, 4, 2), S.CLOSED),
        (datetime(2026, 2, 10, 2), None, datetime(2026, 2, 15, 2), S.IN_PROGRESS),
    ]
    jan, feb = services.monthly_figures(rows, ["2026-01", "2026-02"])
    assert (jan.received, jan.closed, jan.on_time_percent) == (1, 0, None)
    assert (feb.received, feb.closed, feb.on_time) == (2, 2, 1)
    assert feb.on_time_percent == Decimal("50.0") and feb.average_days == Decimal("4.5")


# --- the process -------------------------------------------------------------------------------

ALLOWED = {(S.NEW, S.IN_PROGRESS), (S.IN_PROGRESS, S.RESOLVED), (S.RESOLVED, S.CLOSED),
           (S.RESOLVED, S.REOPENED), (S.CLOSED, S.REOPENED), (S.REOPENED, S.IN_PROGRESS)}


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("to", list(S))
def test_only_the_allowed_moves_pass(app, start, to):
    complaint = Complaint(status=start, due_at=datetime(2026, 1, 1), events=[])
    args = dict(note="原因", resolution="已处理", satisfaction=4)
    if (start, to) in ALLOWED:
        services.change_status(complaint, to, None, **args)
        assert complaint.status == to and complaint.events[-1].to_status == to.value
    else:
        with pytest.raises(IllegalTransition):
            services.change_status(complaint, to, None, **args)
        assert complaint.status == start and complaint.events == []


def test_close_needs_a_rating_and_reopen_clears_it(app):
    complaint = Complaint(status=S.RESOLVED, due_at=datetime(2026, 1, 1), events=[])
    with pytest.raises(ValueError):
        services.change_status(complaint, S.CLOSED, None, satisfaction=6)
    services.change_status(complaint, S.CLOSED, None, satisfaction=2)
    assert complaint.satisfaction == 2 and complaint.closed_at is not None
    services.change_status(complaint, S.REOPENED, None, note="客户仍不满意")
    assert complaint.satisfaction is None and complaint.closed_at is None


def test_lifecycle_through_the_pages(client_as, org):
    complaint = make_complaint(make_customer(org.users["staff1"]))
    client = client_as("staff1")
    url = f"/complaints/{complaint.id}"
    steps = [{"to_status": "in_progress"},
             {"to_status": "resolved", "resolution": "更换了光猫"},
             {"to_status": "closed", "satisfaction": "4"},
             {"to_status": "reopened", "note": "又断网了"},
             {"to_status": "in_progress"},
             {"to_status": "resolved", "resolution": "更换线路"},
             {"to_status": "closed", "satisfaction": "5"}]
    for step in steps:
        assert client.post(f"{url}/status", data=step).status_code == 303, step
    done = db.session.get(Complaint, complaint.id)
    assert done.status == S.CLOSED and done.satisfaction == 5
    assert len(done.events) == 1 + len(steps)
    page = client.get(url).text
    assert "更换线路" in page and "又断网了" in page
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"complaint.closed", "complaint.reopened"} <= actions


def test_illegal_move_is_refused_and_nothing_changes(client_as, org):
    complaint = make_complaint(make_customer(org.users["staff1"]))
    client = client_as("staff1")
    for step in ({"to_status": "closed", "satisfaction": "5"}, {"to_status": "resolved",
                                                                 "resolution": "跳过处理"},
                 {"to_status": "bogus"}):
        r = client.post(f"/complaints/{complaint.id}/status", data=step)
        assert r.status_code == 422
        assert "cannot move there" in r.text or "不能" in r.text
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).status == S.NEW
    assert count(ComplaintEvent) == 1


def test_closing_without_rating_is_refused(client_as, org):
    complaint = make_complaint(make_customer(org.users["staff1"]), status="resolved")
    r = client_as("staff1").post(f"/complaints/{complaint.id}/status",
                                 data={"to_status": "closed", "satisfaction": "0",
                                       "note": "我的备注"})
    assert r.status_code == 422 and "我的备注" in r.text
    assert db.session.get(Complaint, complaint.id).status == S.RESOLVED


# --- who sees which complaint ------------------------------------------------------------------

def test_staff_see_their_complaints_only_managers_their_area(client_as, org):
    mine = make_complaint(make_customer(org.users["staff1"]), subject="我的投诉")
    colleague = make_complaint(make_customer(org.users["staff2"]), subject="同事的投诉")
    west = make_complaint(make_customer(org.users["staff3"]), subject="城西的投诉")
    staff1 = client_as("staff1")
    listing = staff1.get("/complaints/").text
    assert "我的投诉" in listing and "同事的投诉" not in listing and "城西的投诉" not in listing
    assert staff1.get(f"/complaints/{colleague.id}").status_code == 404
    assert staff1.post(f"/complaints/{colleague.id}/status",
                       data={"to_status": "in_progress"}).status_code == 404
    manager1 = client_as("manager1")
    listing = manager1.get("/complaints/").text
    assert "我的投诉" in listing and "同事的投诉" in listing and "城西的投诉" not in listing
    assert manager1.get(f"/complaints/{west.id}").status_code == 404
    assert manager1.get(f"/complaints/{mine.id}").status_code == 200
    assert "城西的投诉" not in manager1.get("/complaints/overdue").text


def test_hr_reads_but_does_not_change(client_as, org):
    complaint = make_complaint(make_customer(org.users["staff1"]))
    hr = client_as("hr")
    assert hr.get(f"/complaints/{complaint.id}").status_code == 200
    assert hr.post(f"/complaints/{complaint.id}/status",
                   data={"to_status": "in_progress"}).status_code == 403
    assert hr.post(f"/complaints/{complaint.id}/notes", data={"note": "x"}).status_code == 403
    assert db.session.get(Complaint, complaint.id).status == S.NEW


# --- intake ------------------------------------------------------------------------------------

def test_intake_owner_defaults_to_account_manager_and_due_follows_severity(client_as, org):
    customer = make_customer(org.users["staff2"], name="东方物流")
    r = client_as("manager1").post("/complaints/new", data={
        "customer_id": str(customer.id), "channel": "wechat", "category": "billing",
        "severity": "high", "subject": "账单多收费", "description": "本月账单多收了两百元",
        "owner_id": "0"})
    assert r.status_code == 303
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.owner_id == org.users["staff2"].id
    assert complaint.account_manager_id == org.users["staff2"].id
    assert complaint.area_id == org.areas[0].id
    assert complaint.due_at - complaint.received_at == timedelta(hours=72)
    assert complaint.events[0].kind == "created"


def test_bad_intake_is_refused_with_messages_and_nothing_saved(client_as, org):
    other = make_customer(org.users["staff2"], name="别人的客户")
    data = {"customer_id": str(other.id), "channel": "phone", "category": "service",
            "severity": "low", "subject": "", "description": "我写的描述", "owner_id": "0"}
    r = client_as("staff1").post("/complaints/new", data=data)
    assert r.status_code == 422
    assert 'id="subject-error"' in r.text and 'id="customer_id-error"' in r.text
    assert "我写的描述" in r.text
    future = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    mine = make_customer(org.users["staff1"])
    r = client_as("staff1").post("/complaints/new", data={
        **data, "customer_id": str(mine.id), "subject": "未来", "received_at": future})
    assert r.status_code == 422 and 'id="received_at-error"' in r.text
    assert count(Complaint) == 0


def test_note_is_added_with_htmx(client_as, org):
    complaint = make_complaint(make_customer(org.users["staff1"]))
    r = client_as("staff1").post(f"/complaints/{complaint.id}/notes", data={"note": "已电话联系客户"},
                                 headers={"HX-Request": "true"})
    assert r.status_code == 200 and "已电话联系客户" in r.text and "<html" not in r.text
    r = client_as("staff1").post(f"/complaints/{complaint.id}/notes", data={"note": ""},
                                 headers={"HX-Request": "true"})
    assert r.status_code == 422 and count(ComplaintEvent) == 2


def test_manager_hands_over_within_the_team_only(client_as, org):
    complaint = make_complaint(make_customer(org.users["staff1"]))
    manager = client_as("manager1")
    r = manager.post(f"/complaints/{complaint.id}/owner",
                     data={"owner_id": str(org.users["staff3"].id)})
    assert r.status_code == 422
    r = manager.post(f"/complaints/{complaint.id}/owner",
                     data={"owner_id": str(org.users["staff2"].id)})
    assert r.status_code == 303
    assert db.session.get(Complaint, complaint.id).owner_id == org.users["staff2"].id


# --- overdue, figures, list cost ---------------------------------------------------------------

def test_overdue_lists_per_person_and_area(client_as, org):
    long_ago = utcnow() - timedelta(days=30)
    late = make_complaint(make_customer(org.users["staff1"]), received_at=long_ago,
                          subject="逾期未处理")
    make_complaint(make_customer(org.users["staff2"]), subject="刚收到")
    make_complaint(make_customer(org.users["staff2"]), received_at=long_ago, status="closed",
                   closed_at=long_ago + timedelta(days=1), satisfaction=4, subject="早已关闭")
    page = client_as("manager1").get("/complaints/overdue").text
    assert "逾期未处理" in page and "刚收到" not in page and "早已关闭" not in page
    assert org.users["staff1"].display_name in page and "A01" in page
    assert services.is_overdue(late)


def test_overdue_people_come_a_page_at_a_time_most_overdue_first(app, client_as, org,
                                                                   count_queries, monkeypatch):
    """The per-person counts of a company's overdue complaints are paged (`people=`), the most
    overdue first, each person once, with the number of people in all; as many statements for
    many people as for few."""
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    long_ago = utcnow() - timedelta(days=30)
    hr = client_as("hr")

    def overdue(who, n):
        for _ in range(n):
            make_complaint(make_customer(org.users["staff1"]), owner=org.users[who],
                           received_at=long_ago)
        db.session.commit()

    overdue("staff1", 3)
    with count_queries() as counter:
        assert hr.get("/complaints/overdue").status_code == 200
    few = counter.count
    overdue("staff2", 2)
    overdue("manager1", 1)
    with count_queries() as counter:
        first = hr.get("/complaints/overdue").text
    assert counter.count == few
    row = r'<tr><td><a href="/complaints/\?owner=(\d+)&amp;overdue=1">[^<]+</a></td><td>(\d+)</td>'
    second = hr.get("/complaints/overdue?people=2").text
    people = re.findall(row, first) + re.findall(row, second)
    assert people == [(str(org.users[u].id), n) for u, n in
                      (("staff1", "3"), ("staff2", "2"), ("manager1", "1"))]
    assert "people=2" in first and "people=1" in second
    assert "共3条" in first or "3 in all" in first


def test_figures_page(client_as, org):
    customer = make_customer(org.users["staff1"])
    received = utcnow() - timedelta(days=2)
    make_complaint(customer, received_at=received, status="closed",
                   closed_at=received + timedelta(hours=5), satisfaction=5)
    page = client_as("manager1").get("/complaints/figures")
    assert page.status_code == 200 and '<svg class="fb-chart"' in page.text and "100%" in page.text


def test_figures_counted_in_sql_equal_the_python_count_of_the_same_rows(app, org):
    """The figures page counts in the database; month_figures gives what monthly_figures gives
    over the same complaints, at the business months' edges (16:30 UTC on 31 January is 1
    February in Shanghai) and for closes late, on time, outside the months, still open."""
    import random

    from portal.complaints.queries import visible_complaints
    from portal.models import User

    rng = random.Random(16)
    customers = [make_customer(org.users[u]) for u in ("staff1", "staff2", "staff3")]
    moments = [datetime(2026, 1, 31, 16, 30), datetime(2026, 1, 31, 15, 59),
               datetime(2025, 11, 30, 15, 59, 59), datetime(2025, 11, 30, 16, 0)]
    for i in range(60):
        received = moments[i] if i < len(moments) else \
            datetime(2025, 11, 20) + timedelta(minutes=rng.randrange(0, 60 * 24 * 110))
        closed = received + timedelta(hours=rng.choice([3, 30, 100, 200, 700]),
                                      seconds=rng.randrange(60)) if i % 3 else None
        make_complaint(rng.choice(customers), severity=rng.choice(["low", "medium", "critical"]),
                       received_at=received, closed_at=closed,
                       status="closed" if closed and i % 5 else "resolved" if closed else "new")
    db.session.commit()
    months = services.last_months(date(2026, 2, 10), 3)
    columns = (Complaint.received_at, Complaint.closed_at, Complaint.due_at, Complaint.status)
    for who in ("hr", "manager1"):
        scoped = visible_complaints(db.session.get(User, org.users[who].id)).with_only_columns(
            *columns)
        expected = services.monthly_figures(db.session.execute(scoped).all(), months)
        got = services.month_figures(scoped, months)
        assert [(f.month, f.received, f.closed, f.on_time, f.on_time_percent, f.average_days)
                for f in got] == [(f.month, f.received, f.closed, f.on_time, f.on_time_percent,
                                   f.average_days) for f in expected]
        assert sum(f.received for f in got) > 0 and sum(f.closed for f in got) > 0


def test_list_statements_do_not_grow_with_rows(client_as, org, count_queries):
    client = client_as("manager1")

    def statements(n):
        for i in range(n):
            make_complaint(make_customer(org.users["staff1" if i % 2 else "staff2"]))
        db.session.commit()
        with count_queries() as counter:
            assert client.get("/complaints/").status_code == 200
        return counter.count

    assert statements(3) == statements(27)


# --- what other modules call -------------------------------------------------------------------

def test_on_time_close_percent(app, org):
    staff1 = org.users["staff1"]
    customer = make_customer(staff1)
    base = datetime(2026, 10, 5, 2)
    make_complaint(customer, received_at=base, status="closed",
                   closed_at=base + timedelta(hours=100), satisfaction=4)  # medium: 120 h, on time
    make_complaint(customer, received_at=base, status="closed", severity="critical",
                   closed_at=base + timedelta(hours=30), satisfaction=2)  # 24 h: late
    make_complaint(customer, received_at=base, status="closed",
                   closed_at=datetime(2026, 11, 2, 2), satisfaction=5)  # closed in November
    make_complaint(customer, received_at=base)  # still open
    assert services.on_time_close_percent(staff1.id, date(2026, 10, 1), date(2026, 10, 31)) \
        == Decimal("50.00")
    assert services.on_time_close_percent(staff1.id, date(2026, 9, 1), date(2026, 9, 30)) is None
    assert services.on_time_close_percent(org.users["staff2"].id, date(2026, 10, 1),
                                          date(2026, 10, 31)) is None


def test_satisfaction_average_from_complaints(app, org):
    staff1 = org.users["staff1"]
    customer = make_customer(staff1)
    base = datetime(2026, 10, 5, 2)
    for sat in (4, 2, 5):
        make_complaint(customer, received_at=base, status="closed",
                       closed_at=base + timedelta(days=1), satisfaction=sat)
    # closed at 16:30 UTC on 31 October = 00:30 on 1 November in Shanghai: not October
    make_complaint(customer, received_at=base, status="closed",
                   closed_at=datetime(2026, 10, 31, 16, 30), satisfaction=1)
    assert services.satisfaction_average(staff1.id, date(2026, 10, 1), date(2026, 10, 31)) \
        == Decimal("3.67")
    assert services.satisfaction_average(staff1.id, date(2026, 11, 1), date(2026, 11, 30)) \
        == Decimal("1.00")
    assert services.satisfaction_average(staff1.id, date(2026, 9, 1), date(2026, 9, 30)) is None


def test_duty_kind_is_installed_in_targets(app, org):
    """With the targets module present, its duty "close complaints within the deadline" is ours."""
    duties = pytest.importorskip("portal.targets.duties")
    kind = duties.DUTY_KINDS["complaints_closed_on_time"]
    staff1 = org.users["staff1"]
    base = datetime(2026, 10, 5, 2)
    make_complaint(make_customer(staff1), received_at=base, status="closed",
                   closed_at=base + timedelta(hours=1), satisfaction=5)
    assert kind.measure(None, staff1.id, date(2026, 10, 1), date(2026, 10, 31)) == Decimal("100.00")


def test_duty_counts_open_complaints_already_late(app, org):
    """An owner with only late open complaints scores 0 %, not "nothing to do"."""
    duties = pytest.importorskip("portal.targets.duties")
    kind = duties.DUTY_KINDS["complaints_closed_on_time"]
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    make_complaint(make_customer(staff1), received_at=datetime(2026, 10, 5, 2),
                   status="in_progress")  # due 10 October, still open: late
    assert kind.measure(None, staff1.id, date(2026, 10, 1), date(2026, 10, 31)) == Decimal("0.00")
    base = datetime(2026, 10, 5, 2)
    make_complaint(make_customer(staff1), received_at=base, status="closed",
                   closed_at=base + timedelta(hours=1), satisfaction=5)
    assert kind.measure(None, staff1.id, date(2026, 10, 1), date(2026, 10, 31)) == Decimal("50.00")
    assert kind.measure(None, staff2.id, date(2026, 10, 1), date(2026, 10, 31)) is None
