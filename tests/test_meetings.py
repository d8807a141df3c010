"""Meetings: who sees and changes them, carried-over action items, sanitised notes, forms, the
calendar feed, SQL counts."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import utcnow
from portal.kernel.markdown import render_markdown
from portal.meetings.services import CalendarEvent, _fold, build_calendar, split_departments
from portal.models.communication import (ActionItem, CalendarToken, Meeting, MeetingAttendee,
                                         MeetingKind, PrivateNote)
from tests.comm_factories import make_action, make_meeting, make_one_on_one, make_series

HX = {"HX-Request": "true"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def valid_form(org, **changes):
    data = {"kind": "team", "title": "十二月团队例会", "starts_at": "2026-12-01T09:30",
            "duration_minutes": "60", "location": "三楼会议室", "departments": "",
            "attendee_ids": [org.users["staff1"].id, org.users["staff2"].id],
            "agenda": "1. 月度业绩", "notes": "", "decisions": ""}
    data.update(changes)
    return data


# --- services -----------------------------------------------------------------------------------

def test_markdown_is_sanitised():
    html = str(render_markdown("**好** <script>alert(1)</script> [x](javascript:alert(1)) "
                               '<a href="/x" onclick="evil()" hx-get="/admin">y</a>'))
    assert "<strong>好</strong>" in html
    for bad in ("<script", "javascript:", "onclick", "hx-get"):
        assert bad not in html


def test_split_departments():
    assert split_departments("市场部，网络运维部、 财务部,") == ["市场部", "网络运维部", "财务部"]


def test_ics_lines_are_folded_at_75_octets_without_breaking_characters():
    line = "SUMMARY:" + "季度客户经理沟通会议" * 10
    folded = _fold(line)
    parts = folded.split("\r\n ")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(parts) == line
    body = build_calendar("日历", [CalendarEvent("u1", datetime(2026, 12, 1, 1, 30), 60,
                                                 "例会; 议程, 其他")], datetime(2026, 11, 26))
    assert "DTSTART:20261201T013000Z\r\n" in body and "DTEND:20261201T023000Z\r\n" in body
    assert "SUMMARY:例会\\; 议程\\, 其他\r\n" in body
    assert body.endswith("END:VCALENDAR\r\n")


# --- who sees and who changes -------------------------------------------------------------------

def test_attendees_organiser_and_area_head_see_a_meeting_others_get_404(client_as, org):
    staff1 = org.users["staff1"]
    meeting = make_meeting(staff1, [staff1, org.users["staff2"]], title="客户拜访小组会")
    assert client_as("staff2").get(f"/meetings/{meeting.id}").status_code == 200
    assert client_as("manager1").get(f"/meetings/{meeting.id}").status_code == 200  # area head
    for who in ("staff3", "manager2", "hr", "admin"):
        c = client_as(who)
        assert c.get(f"/meetings/{meeting.id}").status_code == 404
        assert "客户拜访小组会" not in c.get("/meetings/").text
        assert c.post(f"/meetings/{meeting.id}/actions",
                      data={"title": "x", "owner_id": staff1.id}).status_code == 404
    assert count(ActionItem) == 0


def test_attendee_reads_but_cannot_change(client_as, org):
    manager1 = org.users["manager1"]
    meeting = make_meeting(manager1, [org.users["staff1"]])
    item = make_action(org.users["staff2"], meeting=meeting)
    staff1 = client_as("staff1")
    assert staff1.get(f"/meetings/{meeting.id}/edit").status_code == 403
    assert staff1.post(f"/meetings/{meeting.id}/edit", data=valid_form(org)).status_code == 403
    assert staff1.post(f"/meetings/{meeting.id}/delete").status_code == 403
    assert staff1.post(f"/meetings/actions/{item.id}/toggle").status_code == 403
    assert db.session.get(Meeting, meeting.id).title == "周例会"
    assert not db.session.get(ActionItem, item.id).done


def test_create_edit_and_delete(client_as, org):
    c = client_as("manager1")
    r = c.post("/meetings/new", data=valid_form(org))
    assert r.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert meeting.starts_at == datetime(2026, 12, 1, 1, 30)  # Shanghai 09:30 in UTC
    assert meeting.area_id == org.areas[0].id and meeting.organiser_id == org.users["manager1"].id
    assert {a.user_id for a in meeting.attendees} == {org.users["staff1"].id,
                                                      org.users["staff2"].id}
    edit = c.get(f"/meetings/{meeting.id}/edit")
    assert 'value="2026-12-01T09:30"' in edit.text
    r = c.post(f"/meetings/{meeting.id}/edit",
               data=valid_form(org, kind="cross", departments="市场部，网络运维部",
                               attendee_ids=[org.users["staff1"].id]))
    assert r.status_code == 303
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.kind == MeetingKind.CROSS and meeting.departments == "市场部, 网络运维部"
    assert [a.user_id for a in meeting.attendees] == [org.users["staff1"].id]
    assert c.get(f"/meetings/{meeting.id}/delete").status_code == 200
    assert c.post(f"/meetings/{meeting.id}/delete").status_code == 303
    assert count(Meeting) == 0 and count(MeetingAttendee) == 0


def test_bad_meeting_form_saves_nothing_and_keeps_what_was_typed(client_as, org):
    c = client_as("manager1")
    r = c.post("/meetings/new", data=valid_form(org, title="", kind="cross", departments="",
                                                starts_at="not a date", agenda="保留的议程"))
    assert r.status_code == 422
    assert r.text.count('class="error"') == 3  # title, start, departments
    assert "保留的议程" in r.text and 'value="三楼会议室"' in r.text
    outsider = org.users["staff3"].id  # not among manager1's people
    r = c.post("/meetings/new", data=valid_form(org, attendee_ids=[outsider]))
    assert r.status_code == 422
    assert count(Meeting) == 0


def test_notes_render_sanitised_on_the_page(client_as, org):
    manager1 = org.users["manager1"]
    meeting = make_meeting(manager1, [manager1],
                           notes="## 要点\n\n- **续约**\n\n<img src=x onerror=alert(1)><script>x()</script>")
    page = client_as("manager1").get(f"/meetings/{meeting.id}").text
    assert "<strong>续约</strong>" in page
    assert "onerror" not in page and "<script>x()" not in page


# --- action items -------------------------------------------------------------------------------

def test_open_action_items_carry_over_to_the_next_meeting_of_the_area(client_as, org):
    manager1, staff1 = org.users["manager1"], org.users["staff1"]
    first = make_meeting(manager1, [staff1], starts_at=datetime(2026, 11, 1, 1))
    open_item = make_action(staff1, meeting=first, title="还没完成的事项")
    make_action(staff1, meeting=first, title="已经完成的事项", done=True)
    other_area = make_meeting(org.users["manager2"], [], starts_at=datetime(2026, 11, 2, 1))
    make_action(org.users["staff3"], meeting=other_area, title="别的营业区的事项")
    second = make_meeting(manager1, [staff1], starts_at=datetime(2026, 11, 8, 1))
    page = client_as("manager1").get(f"/meetings/{second.id}").text
    assert "还没完成的事项" in page
    assert "已经完成的事项" not in page and "别的营业区的事项" not in page
    # Ticked from the owner's task list, it no longer shows on the next meeting.
    assert client_as("staff1").post(f"/tasks/actions/{open_item.id}/toggle").status_code == 303
    assert "还没完成的事项" not in client_as("manager1").get(f"/meetings/{second.id}").text


def test_action_item_lands_in_owner_tasks_and_tick_shows_at_the_source(client_as, org):
    manager1, staff1 = org.users["manager1"], org.users["staff1"]
    meeting = make_meeting(manager1, [staff1])
    m1 = client_as("manager1")
    r = m1.post(f"/meetings/{meeting.id}/actions",
                data={"title": "提交季度拜访计划", "owner_id": staff1.id, "due_date": "2026-12-05"},
                headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and "提交季度拜访计划" in r.text
    item = db.session.scalar(select(ActionItem))
    s1 = client_as("staff1")
    tasks = s1.get("/tasks/").text
    assert "提交季度拜访计划" in tasks and f"/meetings/{meeting.id}" in tasks
    r = s1.post(f"/tasks/actions/{item.id}/toggle", headers=HX)
    assert r.status_code == 200 and "item-done" in r.text
    page = m1.get(f"/meetings/{meeting.id}").text
    assert "item-done" in page[page.index('id="actions"'):]
    # and back again from the meeting page, by its owner
    assert s1.post(f"/meetings/actions/{item.id}/toggle",
                   data={"meeting": meeting.id}).status_code == 303
    assert not db.session.get(ActionItem, item.id).done


def test_bad_action_item_is_refused(client_as, org):
    manager1 = org.users["manager1"]
    meeting = make_meeting(manager1, [org.users["staff1"]])
    for headers in ({}, HX):
        r = client_as("manager1").post(
            f"/meetings/{meeting.id}/actions",
            data={"title": "给外区的人", "owner_id": org.users["staff3"].id, "due_date": "32/13"},
            headers=headers)
        assert r.status_code == 422 and 'value="给外区的人"' in r.text
        assert r.text.count('class="error"') == 2
    assert count(ActionItem) == 0


# --- calendar feed ------------------------------------------------------------------------------

def test_calendar_feed_by_secret_token_revocable(client, client_as, org):
    manager1, staff1 = org.users["manager1"], org.users["staff1"]
    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    make_meeting(manager1, [staff1], starts_at=soon, title="客户经理周会")
    make_meeting(manager1, [manager1], starts_at=soon, title="经理自己的会")
    one = make_one_on_one(make_series(manager1, staff1), starts_at=soon,
                          shared_notes="不应出现在日历里")
    db.session.add(PrivateNote(one_on_one_id=one.id, author_id=staff1.id, body="私人内容"))
    s1 = client_as("staff1")
    assert s1.post("/meetings/calendar/token").status_code == 303
    token = db.session.scalar(select(CalendarToken.token))
    assert token in s1.get("/meetings/calendar").text
    feed = client.get(f"/meetings/calendar/{token}.ics")  # no session needed
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    body = feed.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "客户经理周会" in body and "张伟" in body  # the one-on-one with manager1
    assert "经理自己的会" not in body
    assert "不应出现" not in body and "私人内容" not in body
    # replacing the address retires the old one; revoking retires the new one
    assert s1.post("/meetings/calendar/token").status_code == 303
    assert client.get(f"/meetings/calendar/{token}.ics").status_code == 404
    new = db.session.scalar(select(CalendarToken.token))
    assert client.get(f"/meetings/calendar/{new}.ics").status_code == 200
    assert s1.post("/meetings/calendar/revoke").status_code == 303
    assert client.get(f"/meetings/calendar/{new}.ics").status_code == 404
    assert client.get("/meetings/calendar/guess.ics").status_code == 404


# --- list pages ---------------------------------------------------------------------------------

def test_meeting_list_has_a_fixed_number_of_statements(client_as, org, count_queries):
    manager1 = org.users["manager1"]
    people = [org.users["staff1"], org.users["staff2"]]

    def fill(n):
        for i in range(n):
            m = make_meeting(manager1, people, starts_at=datetime(2026, 10, 1) + timedelta(days=i),
                             title=f"例会{i}")
            make_action(people[0], meeting=m)
        db.session.commit()

    c = client_as("manager1")
    fill(3)
    c.get("/meetings/")
    with count_queries() as few:
        assert c.get("/meetings/?sort=title").status_code == 200
    fill(27)
    with count_queries() as many:
        assert c.get("/meetings/?sort=title").status_code == 200
    assert few.count == many.count <= 10
