"""Departments: the admin page, what a department member sees (and does not), complaints handed
to a department, department people invited to cross-department meetings."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models.communication import ActionItem, Meeting
from portal.models.departments import Department, DepartmentMember
from portal.models.feedback import Complaint
from tests.conftest import login
from tests.customer_factories import make_customer
from tests.dept_factories import department_person, make_department
from tests.feedback_factories import make_complaint


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- admin ---------------------------------------------------------------------------------------

def test_admin_adds_and_edits_a_department_with_head_and_members(client_as, org):
    head, member = department_person("fin-head"), department_person("fin1")
    admin = client_as("admin")
    r = admin.post("/admin/departments", data={"code": "FIN", "name": "财务部",
                                               "name_en": "Finance", "head_id": head.id,
                                               "member_ids": [head.id, member.id]})
    assert r.status_code == 303
    department = db.session.scalar(select(Department))
    assert department.head_id == head.id
    assert {m.user_id for m in department.members} == {head.id, member.id}
    assert "财务部" in admin.get("/admin/departments").text
    r = admin.post(f"/admin/departments/{department.id}",
                   data={"code": "FIN", "name": "财务部", "head_id": member.id,
                         "member_ids": [member.id]})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Department, department.id).head_id == member.id
    assert count(DepartmentMember) == 1


def test_bad_department_input_is_refused_with_nothing_saved(client_as, org):
    person = department_person("p1")
    make_department("FIN", members=[person])
    db.session.commit()
    admin = client_as("admin")
    # code taken
    r = admin.post("/admin/departments", data={"code": "FIN", "name": "另一个", "head_id": 0})
    assert r.status_code == 422 and count(Department) == 1
    # empty name
    r = admin.post("/admin/departments", data={"code": "NEW", "name": "", "head_id": 0})
    assert r.status_code == 422 and count(Department) == 1
    # a person in two departments
    r = admin.post("/admin/departments", data={"code": "PRD", "name": "产品部", "head_id": 0,
                                               "member_ids": [person.id]})
    assert r.status_code == 422 and count(Department) == 1
    assert client_as("manager1").get("/admin/departments").status_code == 403


# --- access --------------------------------------------------------------------------------------

def test_department_member_gets_404_on_an_areas_customers(app, client, org):
    member = department_person("fin1")
    make_department("FIN", members=[member])
    customer = make_customer(org.users["staff1"])
    db.session.commit()
    c = login(app.test_client(), "fin1")
    assert c.get(f"/customers/{customer.id}").status_code == 404
    assert customer.name not in c.get("/customers/").text


# --- complaint hand-off --------------------------------------------------------------------------

def test_handoff_keeps_the_deadline_and_the_timeline_and_the_head_assigns(app, client_as, org):
    head, member = department_person("fin-head"), department_person("fin1")
    other = department_person("prod1")
    finance = make_department("FIN", head=head, members=[member])
    make_department("PRD", members=[other])
    complaint = make_complaint(make_customer(org.users["staff1"], name="转交客户"))
    due, account_manager = complaint.due_at, complaint.account_manager_id
    db.session.commit()
    staff1 = client_as("staff1")
    # a reason is needed: refused with nothing changed
    r = staff1.post(f"/complaints/{complaint.id}/handoff",
                    data={"department_id": finance.id, "reason": ""})
    assert r.status_code == 422
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).department_id is None
    r = staff1.post(f"/complaints/{complaint.id}/handoff",
                    data={"department_id": finance.id, "reason": "退费需财务核对"})
    assert r.status_code == 303
    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint.id)
    assert complaint.department_id == finance.id and complaint.owner_id == head.id
    assert complaint.due_at == due and complaint.account_manager_id == account_manager
    handoff = [e for e in complaint.events if e.kind == "handoff"]
    assert len(handoff) == 1 and "退费需财务核对" in handoff[0].note
    # the account manager keeps seeing it, and its timeline tells of the move
    page = staff1.get(f"/complaints/{complaint.id}").text
    assert "退费需财务核对" in page
    # the head assigns within the department; members see it, another department does not
    head_client = login(app.test_client(), "fin-head")
    assert head_client.get(f"/complaints/{complaint.id}").status_code == 200
    r = head_client.post(f"/complaints/{complaint.id}/department-owner",
                         data={"owner_id": member.id})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).owner_id == member.id
    assert login(app.test_client(), "fin1").get(f"/complaints/{complaint.id}").status_code == 200
    assert login(app.test_client(), "prod1").get(f"/complaints/{complaint.id}").status_code == 404
    # someone who does not head the department cannot assign
    assert staff1.post(f"/complaints/{complaint.id}/department-owner",
                       data={"owner_id": head.id}).status_code == 403


# --- meetings ------------------------------------------------------------------------------------

def test_cross_department_meeting_invites_department_people_and_their_actions_land(
        app, client_as, org):
    person = department_person("prod1")
    make_department("PRD", members=[person])
    db.session.commit()
    m1 = client_as("manager1")
    r = m1.post("/meetings/new", data={
        "kind": "cross", "title": "跨部门协调会", "starts_at": "2026-12-01T09:30",
        "duration_minutes": "60", "location": "", "departments": "产品部",
        "attendee_ids": [org.users["staff1"].id, person.id], "agenda": "", "notes": "",
        "decisions": ""})
    assert r.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert person.id in {a.user_id for a in meeting.attendees}
    r = m1.post(f"/meetings/{meeting.id}/actions",
                data={"title": "评估客户需求", "owner_id": person.id, "due_date": "2026-12-05"})
    assert r.status_code in (200, 303)
    assert db.session.scalar(select(ActionItem)).owner_id == person.id
    c = login(app.test_client(), "prod1")
    assert "评估客户需求" in c.get("/tasks/").text
    assert c.get(f"/meetings/{meeting.id}").status_code == 200


def test_time_per_department_and_escalation(app, client_as, org):
    from portal.complaints import services
    head = department_person("fin-head")
    finance = make_department("FIN", head=head)
    complaint = make_complaint(make_customer(org.users["staff1"]),
                               received_at=datetime(2026, 11, 20, 2), status="in_progress")
    services.hand_off(complaint, finance, org.users["staff1"].id, "退费",
                      now=datetime(2026, 11, 21, 2))
    db.session.commit()
    figures = services.department_figures(select(Complaint.id),
                                          now=datetime(2026, 11, 22, 2))
    assert [(f[1], f[4], f[5], float(f[6])) for f in figures] == [("FIN", 1, 1, 24.0)]
    assert "FIN" in client_as("manager1").get("/complaints/figures").text or \
        "FIN部" in client_as("manager1").get("/complaints/figures").text
    # late by more than the threshold: the area head and the department head are to be told
    late = complaint.due_at + timedelta(hours=25)
    assert services.escalations(late) == [{"complaint_id": complaint.id,
                                           "due_at": complaint.due_at,
                                           "notify": sorted([org.users["manager1"].id, head.id])}]
    assert services.escalations(complaint.due_at + timedelta(hours=23)) == []


# --- the account manager is told when their complaint moves (issue 22) --------------------------

def _moved(user_id: int) -> list:
    from portal.models.notifications import Notification
    db.session.expire_all()
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.kind == "complaint_moved")
        .order_by(Notification.id)).all()


def test_account_manager_is_told_when_their_complaint_moves(app, client_as, client_as_en, org):
    from portal.notifications.labels import message
    head, member = department_person("fin-head"), department_person("fin1")
    finance = make_department("FIN", head=head, members=[member])
    staff1 = org.users["staff1"]
    complaint = make_complaint(make_customer(staff1, name="转交客户"), subject="账单多收")
    db.session.commit()
    # the manager hands it to finance: staff1 is told, once
    manager = client_as("manager1")
    assert manager.post(f"/complaints/{complaint.id}/handoff",
                        data={"department_id": finance.id, "reason": "退费"}).status_code == 303
    told = _moved(staff1.id)
    assert [n.params["change"] for n in told] == ["handoff"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert message("complaint_moved", told[0].params) == \
            "Complaint “账单多收” of 转交客户: handed to FIN"
    # the head assigns it inside the department: told again
    head_client = login(app.test_client(), "fin-head")
    assert head_client.post(f"/complaints/{complaint.id}/department-owner",
                            data={"owner_id": member.id}).status_code == 303
    # the department member starts work, then resolves it
    fin1 = login(app.test_client(), "fin1")
    assert fin1.post(f"/complaints/{complaint.id}/status",
                     data={"to_status": "in_progress"}).status_code == 303
    assert fin1.post(f"/complaints/{complaint.id}/status",
                     data={"to_status": "resolved", "resolution": "已退费"}).status_code == 303
    told = _moved(staff1.id)
    assert [n.params["change"] for n in told] == ["handoff", "owner", "status", "status"]
    assert told[1].params["name"] == member.display_name
    assert [n.params.get("status") for n in told[2:]] == ["in_progress", "resolved"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert message("complaint_moved", told[3].params).endswith(": now Resolved")
    # an illegal or refused move tells nobody; the account manager's own move neither
    assert fin1.post(f"/complaints/{complaint.id}/status",
                     data={"to_status": "closed"}).status_code == 422
    assert client_as("staff1").post(f"/complaints/{complaint.id}/status", data={
        "to_status": "closed", "satisfaction": 4}).status_code == 303
    assert len(_moved(staff1.id)) == 4
    # what the account manager reads in the centre, in English
    page = client_as_en("staff1").get("/notifications/").text
    assert "handed to FIN" in page and "now handled by" in page


def test_account_manager_who_turned_it_off_or_cannot_see_it_is_not_told(app, client_as, org):
    from portal.models import User
    from portal.models.notifications import Channel, NotificationPreference
    head = department_person("fin-head")
    finance = make_department("FIN", head=head)
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    first = make_complaint(make_customer(staff1, name="客户甲"))
    second = make_complaint(make_customer(staff2, name="客户乙"))
    db.session.add(NotificationPreference(user_id=staff1.id, kind="complaint_moved",
                                          channel=Channel.OFF))
    db.session.get(User, staff2.id).active = False
    db.session.commit()
    manager = client_as("manager1")
    for complaint in (first, second):
        assert manager.post(f"/complaints/{complaint.id}/handoff",
                            data={"department_id": finance.id, "reason": "核对"}).status_code == 303
    assert {c.department_id for c in db.session.scalars(select(Complaint).where(
        Complaint.id.in_([first.id, second.id])))} == {finance.id}
    assert _moved(staff1.id) == [] and _moved(staff2.id) == []
    # the choice is offered on the preferences page like the other kinds
    assert "kind_complaint_moved" in client_as("staff1").get("/notifications/preferences").text


# --- admin: a person's department in the user form (issue 22) -----------------------------------

def test_admin_seats_a_person_in_a_department_and_they_sign_in_with_staff_and_it(
        app, client_as_en, org):
    from portal.models import AuditLog, User
    head = department_person("fin-head")
    finance = make_department("FIN", head=head)
    product = make_department("PRD")
    handed = make_complaint(make_customer(org.users["staff1"], name="账单客户"))
    handed.department_id = finance.id
    other = make_customer(org.users["staff1"], name="区域客户")
    db.session.commit()
    admin = client_as_en("admin")
    form = {"username": "fin2", "display_name": "财务新人", "email": "fin2@example.com",
            "locale": "", "roles": ["staff"], "area_id": "0", "manager_id": "0",
            "active": "y", "password": "long-enough-pw"}
    # staff without an area and without a department: refused, nothing saved
    r = admin.post("/admin/users/new", data={**form, "department_id": "0"})
    assert r.status_code == 422 and "belong to an area" in r.text
    r = admin.post("/admin/users/new", data={**form, "department_id": "99999"})
    assert r.status_code == 422
    assert count(DepartmentMember) == 0
    assert db.session.scalar(select(User).where(User.username == "fin2")) is None
    # with the department: saved, seated, audited
    assert admin.post("/admin/users/new",
                      data={**form, "department_id": str(finance.id)}).status_code == 303
    person = db.session.scalar(select(User).where(User.username == "fin2"))
    assert person.area_id is None
    assert db.session.get(DepartmentMember, person.id).department_id == finance.id
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create",
                                                     AuditLog.entity_id == person.id))
    assert entry.after["department_id"] == finance.id
    # the edit form shows the seat; the departments page lists the member and the head
    assert f'<option selected value="{finance.id}">' in \
        admin.get(f"/admin/users/{person.id}/edit").text
    page = admin.get("/admin/departments").text
    assert "财务新人" in page and head.display_name in page
    # signed in with the staff role and the department: the department's complaint, not the area
    fin2 = login(app.test_client(), "fin2", "long-enough-pw")
    assert fin2.get(f"/complaints/{handed.id}").status_code == 200
    assert fin2.get(f"/customers/{other.id}").status_code == 404
    # moved to another department: one seat only; then out of any
    data = {**form, "department_id": str(product.id)}
    data.pop("password")
    assert admin.post(f"/admin/users/{person.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert [m.department_id for m in db.session.scalars(
        select(DepartmentMember).where(DepartmentMember.user_id == person.id))] == [product.id]
    assert fin2.get(f"/complaints/{handed.id}").status_code == 404
    data["department_id"], data["area_id"] = "0", str(org.areas[0].id)
    assert admin.post(f"/admin/users/{person.id}/edit", data=data).status_code == 303
    assert count(DepartmentMember) == 0
