"""The personal task list: quadrants, due dates, my action items, open_items_for, forms, counts."""
from datetime import date, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models.communication import Task
from portal.tasks.services import OpenItem, action_item_urgent, open_items_for
from tests.comm_factories import make_action, make_meeting, make_one_on_one, make_series, make_task

HX = {"HX-Request": "true"}


def count() -> int:
    return db.session.scalar(select(func.count(Task.id)))


def test_open_items_for_lists_open_tasks_and_action_items_soonest_first(org):
    staff1 = org.users["staff1"]
    today = date(2026, 11, 26)
    make_task(staff1, title="无期限", important=True)
    make_task(staff1, title="明天", due_date=today + timedelta(days=1), urgent=True)
    make_task(staff1, title="已完成", done=True)
    make_task(org.users["staff2"], title="别人的")
    meeting = make_meeting(org.users["manager1"], [staff1])
    make_action(staff1, meeting=meeting, title="会议事项", due=today + timedelta(days=10))
    one = make_one_on_one(make_series(org.users["manager1"], staff1))
    make_action(staff1, one=one, title="面谈事项", due=today)
    items = open_items_for(staff1.id, today)
    assert [i.title for i in items] == ["面谈事项", "明天", "会议事项", "无期限"]
    assert items[0] == OpenItem("action_item", items[0].id, "面谈事项", today, True, True,
                                "one_on_one", one.id)
    assert items[2].source == "meeting" and items[2].source_id == meeting.id
    assert not items[2].urgent  # due in ten days
    assert action_item_urgent(today - timedelta(days=3), today)


def test_quadrants_and_lists_show_my_things_only(client_as, org):
    staff1 = org.users["staff1"]
    make_task(staff1, title="紧急重要的事", urgent=True, important=True)
    make_task(staff1, title="重要不紧急的事", important=True)
    make_task(org.users["staff2"], title="王强的任务")
    c = client_as("staff1")
    page = c.get("/tasks/").text
    assert page.index("紧急重要的事") < page.index("重要不紧急的事")
    assert "王强的任务" not in page
    listing = c.get("/tasks/?view=list&sort=title").text
    assert "紧急重要的事" in listing and "王强的任务" not in listing
    assert "王强的任务" not in c.get("/tasks/?view=list&show=all&q=王强").text


def test_other_peoples_tasks_answer_404(client_as, org):
    task = make_task(org.users["staff2"], title="王强的任务")
    meeting = make_meeting(org.users["manager1"], [org.users["staff2"]])
    item = make_action(org.users["staff2"], meeting=meeting)
    for who in ("staff1", "manager1", "hr", "admin"):
        c = client_as(who)
        assert c.get(f"/tasks/{task.id}/edit").status_code == 404
        assert c.post(f"/tasks/{task.id}/edit", data={"title": "改"}).status_code == 404
        assert c.post(f"/tasks/{task.id}/toggle").status_code == 404
        assert c.post(f"/tasks/{task.id}/delete").status_code == 404
        assert c.post(f"/tasks/actions/{item.id}/toggle").status_code == 404
    task = db.session.get(Task, task.id)
    assert task.title == "王强的任务" and not task.done and not item.done


def test_create_toggle_edit_delete(client_as, org):
    c = client_as("staff1")
    r = c.post("/tasks/new", data={"title": "准备客户答谢会", "due_date": "2026-12-10",
                                   "urgent": "y", "notes": "联系场地"})
    assert r.status_code == 303
    task = db.session.scalar(select(Task))
    assert task.owner_id == org.users["staff1"].id and task.urgent and not task.important
    r = c.post(f"/tasks/{task.id}/toggle", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and "item-done" in r.text
    assert db.session.get(Task, task.id).done and db.session.get(Task, task.id).done_at
    r = c.post(f"/tasks/{task.id}/toggle", data={"next": "/tasks/?view=list"})
    assert r.status_code == 303 and r.location == "/tasks/?view=list"
    r = c.post(f"/tasks/{task.id}/toggle", data={"next": "https://evil.example/"})
    assert r.location == "/tasks/"
    assert c.post(f"/tasks/{task.id}/edit", data={"title": "改名", "important": "y"}
                  ).status_code == 303
    assert db.session.get(Task, task.id).important
    assert c.post(f"/tasks/{task.id}/delete").status_code == 303
    assert count() == 0


def test_bad_task_saves_nothing_and_keeps_what_was_typed(client_as, org):
    c = client_as("staff1")
    r = c.post("/tasks/new", data={"title": " ", "due_date": "2026-13-45", "notes": "不要丢"})
    assert r.status_code == 422 and r.text.count('class="error"') == 2
    assert "不要丢" in r.text and 'value="2026-13-45"' in r.text
    assert count() == 0


def test_task_list_pages_have_a_fixed_number_of_statements(client_as, org, count_queries):
    staff1 = org.users["staff1"]
    meeting = make_meeting(org.users["manager1"], [staff1])
    one = make_one_on_one(make_series(org.users["manager1"], staff1))

    def fill(n):
        for i in range(n):
            make_task(staff1, title=f"任务{i}", urgent=i % 2 == 0, important=i % 3 == 0,
                      due_date=date(2026, 12, 1) + timedelta(days=i))
            make_action(staff1, meeting=meeting if i % 2 else None, one=None if i % 2 else one)
        db.session.commit()

    c = client_as("staff1")
    urls = ["/tasks/", "/tasks/?view=list", "/tasks/?view=actions", "/"]
    fill(3)
    few = {}
    for url in urls:
        c.get(url)
        with count_queries() as counter:
            assert c.get(url).status_code == 200
        few[url] = counter.count
    fill(27)
    for url in urls:
        with count_queries() as counter:
            c.get(url)
        assert counter.count == few[url], (url, few[url], counter.count)
