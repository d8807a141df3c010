"""Training: seats under concurrency, attendance, feedback, records, compliance, export."""
import csv
import io
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Role, utcnow
from portal.models.training import Attendance, Course, Enrolment, TrainingSession
from portal.training import services
from portal.training.services import compliance_percent, spreadsheet_safe
from tests.conftest import login
from tests.factories import make_user
from tests.training_factories import complete, make_course, make_session


def enrolments_of(session_id) -> int:
    return db.session.scalar(select(func.count(Enrolment.id))
                             .where(Enrolment.session_id == session_id))


# --- compliance_percent (the appraisal module calls it) ----------------------------------------

Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def test_compliance_none_when_nothing_is_required(org):
    make_course(required=[Role.MANAGER])
    assert compliance_percent(org.users["staff1"].id, *Q4) is None


def test_compliance_counts_completions_before_and_within_the_period(org):
    staff = org.users["staff1"]
    a, b, c = (make_course(f"必修{i}", required=[Role.STAFF]) for i in range(3))
    make_course("选修", required=[])
    complete(staff, a, date(2025, 5, 1))        # before the period: counts
    complete(staff, b, date(2026, 11, 15))      # within: counts
    complete(staff, c, date(2027, 1, 5))        # after the end: does not
    assert compliance_percent(staff.id, *Q4) == Decimal("66.7")
    assert compliance_percent(staff.id, date(2026, 1, 1), date(2026, 3, 31)) == Decimal("33.3")
    assert compliance_percent(staff.id, date(2027, 1, 1), date(2027, 3, 31)) == Decimal("100.0")


def test_compliance_needs_a_completion_not_an_enrolment(org):
    staff = org.users["staff1"]
    course = make_course(required=[Role.STAFF])
    session = make_session(course, starts_at=datetime(2026, 11, 2, 9))
    db.session.add(Enrolment(session=session, user=staff, attendance=Attendance.ATTENDED))
    db.session.flush()
    assert compliance_percent(staff.id, *Q4) == Decimal("0.0")


def test_compliance_unites_the_courses_of_every_role_and_ignores_retired_ones(org):
    lead = make_user("lead", roles=(Role.STAFF, Role.MANAGER), area=org.areas[0])
    staff_course = make_course("员工必修", required=[Role.STAFF])
    make_course("经理必修", required=[Role.MANAGER])
    make_course("停用课程", required=[Role.STAFF], active=False)
    shared = make_course("共同必修", required=[Role.STAFF, Role.MANAGER])
    complete(lead, staff_course, date(2026, 2, 1))
    complete(lead, shared, date(2026, 2, 1))
    assert compliance_percent(lead.id, *Q4) == Decimal("66.7")


def test_compliance_is_a_decimal_with_one_place_and_rejects_a_reversed_period(org):
    staff = org.users["staff1"]
    courses = [make_course(f"课程{i}", required=[Role.STAFF]) for i in range(8)]
    complete(staff, courses[0], date(2026, 1, 1))
    value = compliance_percent(staff.id, *Q4)
    assert isinstance(value, Decimal) and value == Decimal("12.5")
    assert value.as_tuple().exponent == -1
    with pytest.raises(ValueError):
        compliance_percent(staff.id, Q4[1], Q4[0])


# --- seats -------------------------------------------------------------------------------------

def test_capacity_holds_when_many_take_the_last_seats_at_once(app, org):
    """Eight people press Enrol on a 3-seat session at the same moment: exactly 3 get in."""
    course = make_course()
    session = make_session(course, capacity=3)
    people = [make_user(f"rush{i}", area=org.areas[0], manager=org.users["manager1"])
              for i in range(8)]
    db.session.commit()
    clients = [login(app.test_client(), p.username) for p in people]
    url = f"/training/sessions/{session.id}/enrol"
    start = threading.Barrier(len(clients))
    statuses = []

    def press(client):
        start.wait()
        statuses.append(client.post(url).status_code)

    threads = [threading.Thread(target=press, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * len(clients)  # every request answered, none crashed
    db.session.rollback()  # end the test's read snapshot to see what the threads wrote
    assert enrolments_of(session.id) == 3
    assert db.session.get(TrainingSession, session.id).seats_taken == 3


def test_the_same_person_cannot_take_two_seats_at_once(app, org):
    course = make_course()
    session = make_session(course, capacity=5)
    db.session.commit()
    url = f"/training/sessions/{session.id}/enrol"
    clients = [login(app.test_client(), "staff1") for _ in range(4)]
    start = threading.Barrier(len(clients))

    def press(client):
        start.wait()
        client.post(url)

    threads = [threading.Thread(target=press, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()  # end the test's read snapshot to see what the threads wrote
    assert enrolments_of(session.id) == 1
    assert db.session.get(TrainingSession, session.id).seats_taken == 1


def test_full_session_refuses_and_says_so(client_as, org):
    session = make_session(make_course(), capacity=1)
    db.session.add(Enrolment(session=session, user=org.users["staff2"]))
    session.seats_taken = 1
    response = client_as("staff1").post(f"/training/sessions/{session.id}/enrol",
                                        follow_redirects=True)
    assert "This session is full." in response.text or "名额已满" in response.text
    assert enrolments_of(session.id) == 1


def test_no_self_enrolment_once_the_session_started(client_as, org):
    session = make_session(make_course(), starts_at=utcnow() - timedelta(hours=1))
    client_as("staff1").post(f"/training/sessions/{session.id}/enrol")
    assert enrolments_of(session.id) == 0


def test_manager_assigns_reports_but_not_other_areas(client_as, org):
    session = make_session(make_course())
    manager = client_as("manager1")
    assert manager.post(f"/training/sessions/{session.id}/assign",
                        data={"user_id": org.users["staff1"].id}).status_code == 303
    response = manager.post(f"/training/sessions/{session.id}/assign",
                            data={"user_id": org.users["staff3"].id})
    assert response.status_code == 422  # not among the choices: refused beside the field
    assert enrolments_of(session.id) == 1
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.session_id == session.id))
    assert enrolment.user_id == org.users["staff1"].id
    assert enrolment.assigned_by_id == org.users["manager1"].id
    assert client_as("staff1").post(f"/training/sessions/{session.id}/assign",
                                    data={"user_id": org.users["staff2"].id}).status_code == 403


def test_hr_assigns_anyone(client_as, org):
    session = make_session(make_course())
    assert client_as("hr").post(f"/training/sessions/{session.id}/assign",
                                data={"user_id": org.users["staff3"].id}).status_code == 303
    assert enrolments_of(session.id) == 1


def test_cancel_gives_the_seat_back(client_as, org):
    session = make_session(make_course(), capacity=1)
    staff1 = client_as("staff1")
    staff1.post(f"/training/sessions/{session.id}/enrol")
    enrolment_id = db.session.scalar(select(Enrolment.id).where(Enrolment.session_id == session.id))
    assert staff1.get(f"/training/enrolments/{enrolment_id}/cancel").status_code == 200
    assert client_as("staff2").get(f"/training/enrolments/{enrolment_id}/cancel").status_code == 404
    assert staff1.post(f"/training/enrolments/{enrolment_id}/cancel").status_code == 303
    assert enrolments_of(session.id) == 0
    assert db.session.get(TrainingSession, session.id).seats_taken == 0


def test_session_roster_shows_staff_only_themselves(client_as, org):
    session = make_session(make_course())
    for name in ("staff1", "staff2", "staff3"):
        db.session.add(Enrolment(session=session, user=org.users[name]))
    session.seats_taken = 3
    page = client_as("staff1").get(f"/training/sessions/{session.id}").text
    assert org.users["staff1"].display_name in page
    assert org.users["staff2"].display_name not in page
    page = client_as("manager1").get(f"/training/sessions/{session.id}").text
    assert org.users["staff2"].display_name in page
    assert org.users["staff3"].display_name not in page


# --- attendance --------------------------------------------------------------------------------

def _past_session_with(org, *names):
    session = make_session(make_course(), starts_at=utcnow() - timedelta(days=2))
    enrolments = {n: Enrolment(session=session, user=org.users[n]) for n in names}
    db.session.add_all(enrolments.values())
    session.seats_taken = len(names)
    db.session.flush()
    return session, enrolments


def test_bulk_attendance_marks_the_team_and_nobody_else(client_as, org):
    session, e = _past_session_with(org, "staff1", "staff2", "staff3")
    form = {f"e{e['staff1'].id}-attendance": "attended", f"e{e['staff1'].id}-completed": "1",
            f"e{e['staff1'].id}-score": "92.5", f"e{e['staff1'].id}-certificate": "=HYPERLINK(1)",
            f"e{e['staff2'].id}-attendance": "absent",
            f"e{e['staff3'].id}-attendance": "attended"}  # not manager1's: ignored
    response = client_as("manager1").post(f"/training/sessions/{session.id}/attendance",
                                          data=form, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    one, two, three = (db.session.get(Enrolment, e[n].id) for n in ("staff1", "staff2", "staff3"))
    assert one.attendance == Attendance.ATTENDED and one.completed_on == services.to_local(session.ends_at).date()
    assert one.score == Decimal("92.5") and one.certificate_no == "=HYPERLINK(1)"
    assert two.attendance == Attendance.ABSENT and two.completed_on is None
    assert three.attendance == Attendance.UNMARKED


def test_bulk_attendance_with_a_bad_row_saves_nothing(client_as, org):
    session, e = _past_session_with(org, "staff1", "staff2")
    form = {f"e{e['staff1'].id}-attendance": "attended", f"e{e['staff1'].id}-score": "101",
            f"e{e['staff2'].id}-attendance": "absent", f"e{e['staff2'].id}-completed": "1"}
    response = client_as("manager1").post(f"/training/sessions/{session.id}/attendance", data=form)
    assert response.status_code == 422
    assert "Enter a score from 0 to 100" in response.text or "0 到 100" in response.text
    assert 'value="101"' in response.text  # what was typed is kept
    for n in ("staff1", "staff2"):
        assert db.session.get(Enrolment, e[n].id).attendance == Attendance.UNMARKED


def test_staff_cannot_mark_attendance(client_as, org):
    session, e = _past_session_with(org, "staff1")
    response = client_as("staff1").post(f"/training/sessions/{session.id}/attendance",
                                        data={f"e{e['staff1'].id}-attendance": "attended"})
    assert response.status_code == 403
    assert db.session.get(Enrolment, e["staff1"].id).attendance == Attendance.UNMARKED


# --- feedback ----------------------------------------------------------------------------------

def test_feedback_only_from_attendees_after_the_session(client_as, org):
    session, e = _past_session_with(org, "staff1", "staff2")
    e["staff1"].attendance = Attendance.ATTENDED
    e["staff2"].attendance = Attendance.ABSENT
    db.session.flush()
    ok = client_as("staff1").post(f"/training/enrolments/{e['staff1'].id}/feedback",
                                  data={"rating": "4", "comment": "很实用"})
    assert ok.status_code == 303
    absent = client_as("staff2").post(f"/training/enrolments/{e['staff2'].id}/feedback",
                                      data={"rating": "1", "comment": "x"})
    assert absent.status_code == 403
    assert db.session.get(Enrolment, e["staff1"].id).rating == 4
    assert db.session.get(Enrolment, e["staff2"].id).rating is None


def test_no_feedback_before_the_session_ends(client_as, org):
    session = make_session(make_course(), starts_at=utcnow() - timedelta(hours=1),
                           hours=3)  # still running
    enrolment = Enrolment(session=session, user=org.users["staff1"],
                          attendance=Attendance.ATTENDED)
    db.session.add(enrolment)
    db.session.flush()
    assert client_as("staff1").post(f"/training/enrolments/{enrolment.id}/feedback",
                                    data={"rating": "5"}).status_code == 403
    assert db.session.get(Enrolment, enrolment.id).rating is None


def test_feedback_on_someone_elses_enrolment(client_as, org):
    session, e = _past_session_with(org, "staff1")
    e["staff1"].attendance = Attendance.ATTENDED
    db.session.flush()
    url = f"/training/enrolments/{e['staff1'].id}/feedback"
    assert client_as("staff2").post(url, data={"rating": "1"}).status_code == 404
    assert client_as("manager1").post(url, data={"rating": "1"}).status_code == 403
    assert db.session.get(Enrolment, e["staff1"].id).rating is None


def test_feedback_bad_rating_is_refused_and_the_comment_kept(client_as, org):
    session, e = _past_session_with(org, "staff1")
    e["staff1"].attendance = Attendance.ATTENDED
    db.session.flush()
    response = client_as("staff1").post(f"/training/enrolments/{e['staff1'].id}/feedback",
                                        data={"rating": "0", "comment": "讲师很好"})
    assert response.status_code == 422 and "讲师很好" in response.text
    assert db.session.get(Enrolment, e["staff1"].id).rating is None


def test_feedback_service_refuses_non_attendees(org):
    session, e = _past_session_with(org, "staff1")
    with pytest.raises(services.FeedbackRefused):
        services.give_feedback(e["staff1"], org.users["staff1"], 5, "")


# --- records and privacy -----------------------------------------------------------------------

def test_records_are_private(client_as, org):
    staff1, staff2, staff3 = (org.users[n].id for n in ("staff1", "staff2", "staff3"))
    assert client_as("staff1").get(f"/training/records/{staff1}").status_code == 200
    assert client_as("staff1").get(f"/training/records/{staff2}").status_code == 404
    assert client_as("manager1").get(f"/training/records/{staff2}").status_code == 200
    assert client_as("manager1").get(f"/training/records/{staff3}").status_code == 404
    assert client_as("hr").get(f"/training/records/{staff3}").status_code == 200


def test_record_shows_hours_per_year_and_compliance(client_as, org):
    staff = org.users["staff1"]
    a = make_course("必修甲", required=[Role.STAFF], hours="4")
    make_course("必修乙", required=[Role.STAFF], hours="2")
    complete(staff, a, date(2025, 6, 1))
    complete(staff, make_course("选修丙", hours="1.5"), date(2025, 7, 1))
    assert services.hours_by_year(staff.id) == {2025: Decimal("5.5")}
    page = client_as("staff1").get(f"/training/records/{staff.id}").text
    assert "50%" in page and "必修乙" in page and "5.5" in page


def test_matrix_lists_the_team_and_not_other_areas(client_as, org):
    make_course("必修甲", required=[Role.STAFF])
    page = client_as("manager1").get("/training/matrix").text
    assert org.users["staff1"].display_name in page and "必修甲" in page
    assert org.users["staff3"].display_name not in page
    assert client_as("staff1").get("/training/matrix").status_code == 403
    partial = client_as("manager1").get("/training/matrix?q=staff2", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and org.users["staff2"].display_name in partial.text
    assert org.users["staff1"].display_name not in partial.text


def test_spreadsheet_safe():
    assert spreadsheet_safe("=1+2") == "'=1+2"
    assert spreadsheet_safe("+86 138") == "'+86 138"
    assert spreadsheet_safe("-5") == "'-5"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("客户经理") == "客户经理"
    assert spreadsheet_safe(Decimal("-5")) == Decimal("-5")  # numbers are numbers


def _exportable(org):
    course = make_course("=HYPERLINK(\"http://evil\")")
    complete(org.users["staff1"], course, date(2026, 3, 1))
    complete(org.users["staff3"], course, date(2026, 3, 1))


def test_csv_export_is_scoped_and_neutralises_formulas(client_as, org):
    _exportable(org)
    response = client_as("manager1").get("/training/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    usernames = {r[0] for r in rows[1:]}
    assert usernames == {"staff1"}
    assert rows[1][3] == "'=HYPERLINK(\"http://evil\")"
    staff_rows = list(csv.reader(io.StringIO(
        client_as("hr").get("/training/export.csv").data.decode("utf-8-sig"))))
    assert {r[0] for r in staff_rows[1:]} == {"staff1", "staff3"}


def test_excel_export_neutralises_formulas(client_as, org):
    _exportable(org)
    response = client_as("staff1").get("/training/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "staff1"
    # a typed text cell: shown as written, never run, no apostrophe (issue 17)
    assert rows[1][3] == "=HYPERLINK(\"http://evil\")"
    assert sheet.cell(row=2, column=4).data_type == "s"


# --- catalogue forms ---------------------------------------------------------------------------

def test_course_bad_input_saves_nothing_and_keeps_what_was_typed(client_as, org):
    response = client_as("hr").post("/training/courses/new", data={
        "title": "谈判技巧", "category": "sales_skills", "hours": "0", "mode": "classroom",
        "provider": "培训中心", "required_roles": ["staff"]})
    assert response.status_code == 422
    assert "Enter between 0.5 and 500 hours." in response.text or "0.5" in response.text
    assert 'value="谈判技巧"' in response.text
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_hr_creates_a_course_and_a_session(client_as, org):
    hr = client_as("hr")
    response = hr.post("/training/courses/new", data={
        "title": "谈判技巧", "category": "sales_skills", "hours": "6", "mode": "classroom",
        "required_roles": ["staff"], "active": "y"})
    assert response.status_code == 303
    course = db.session.scalar(select(Course))
    assert course.required_roles == {Role.STAFF}
    bad = hr.post(f"/training/courses/{course.id}/sessions/new", data={
        "starts_at": "2026-12-10T14:00", "ends_at": "2026-12-10T09:00", "place": "A",
        "trainer": "B", "capacity": "20"})
    assert bad.status_code == 422 and "2026-12-10T09:00" in bad.text
    assert db.session.scalar(select(func.count(TrainingSession.id))) == 0
    good = hr.post(f"/training/courses/{course.id}/sessions/new", data={
        "starts_at": "2026-12-10T09:00", "ends_at": "2026-12-10T17:00", "place": "A",
        "trainer": "B", "capacity": "20"})
    assert good.status_code == 303
    stored = db.session.scalar(select(TrainingSession))
    assert stored.starts_at == datetime(2026, 12, 10, 1, 0)  # typed in Beijing time, kept in UTC
    assert services.to_local(stored.starts_at) == datetime(2026, 12, 10, 9, 0)
    assert client_as("manager1").post("/training/courses/new", data={
        "title": "x", "category": "crm", "hours": "1", "mode": "online"}).status_code == 403


def test_capacity_cannot_drop_below_the_seats_taken(client_as, org):
    session = make_session(make_course(), capacity=5)
    session.seats_taken = 3
    start = session.starts_at.strftime("%Y-%m-%dT%H:%M")
    end = session.ends_at.strftime("%Y-%m-%dT%H:%M")
    response = client_as("hr").post(f"/training/sessions/{session.id}/edit", data={
        "starts_at": start, "ends_at": end, "place": "A", "trainer": "B", "capacity": "2"})
    assert response.status_code == 422
    assert db.session.get(TrainingSession, session.id).capacity == 5


# --- SQL statements per list -------------------------------------------------------------------

def _count(client, url, count_queries):
    client.get(url)  # warm: the login user loader and the like
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize("url", ["/training/", "/training/records", "/training/matrix"])
def test_list_statements_do_not_grow_with_rows(client_as, org, count_queries, url):
    hr = client_as("hr")

    def add(n):
        for i in range(n):
            course = make_course(f"课程{url}{i}-{db.session.scalar(select(func.count(Course.id)))}",
                                 required=[Role.STAFF])
            make_session(course)
            complete(org.users["staff1"], course, date(2026, 1, 1))
        db.session.commit()

    add(3)
    few = _count(hr, url, count_queries)
    add(27)
    many = _count(hr, url, count_queries)
    assert few == many, (few, many)


@pytest.mark.parametrize("who", ["admin", "manager1", "hr"])
def test_a_session_page_does_not_grow_with_its_roster(client_as, org, count_queries, who):
    session = make_session(make_course(), capacity=40)
    people = iter([make_user(f"roster{i:02d}", area=org.areas[0], manager=org.users["manager1"])
                   for i in range(20)])

    def enrol(n):
        for _ in range(n):
            db.session.add(Enrolment(session=session, user=next(people)))
        db.session.commit()

    client, url = client_as(who), f"/training/sessions/{session.id}"
    enrol(2)
    few = _count(client, url, count_queries)
    enrol(15)
    assert _count(client, url, count_queries) == few


def test_home_panel_shows_compliance(client_as, org):
    make_course("必修甲", required=[Role.STAFF])
    page = client_as("staff1").get("/").text
    # staff see it on their dashboard's "training due" card, which takes the panel's place
    assert "0%" in page or "0.0%" in page or "0.0 %" in page


def test_a_course_page_shows_its_sessions_a_page_at_a_time(app, client_as, monkeypatch):
    """A course run in every area has hundreds of sessions (398 at size L): the course page
    pages them, newest first, instead of drawing every one."""
    monkeypatch.setitem(app.config, "PER_PAGE", 3)
    course = make_course(title="分页课程")
    start = utcnow() + timedelta(days=30)
    sessions = [make_session(course, starts_at=start - timedelta(days=n)) for n in range(7)]
    db.session.commit()
    client = client_as("staff1")
    first = client.get(f"/training/courses/{course.id}").get_data(as_text=True)
    links = [f"/training/sessions/{s.id}\"" for s in sessions]
    assert [link in first for link in links] == [True] * 3 + [False] * 4
    third = client.get(f"/training/courses/{course.id}?page=3").get_data(as_text=True)
    assert [link in third for link in links] == [False] * 6 + [True]
