"""The personal task list: quadrants, due dates, my action items, open_items_for, forms, counts."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.communication import Task
from portal.tasks.services import OpenItem, action_item_urgent, open_items_for
from tests.comm_factories import make_action, make_meeting, make_one_on_one, make_series, make_task
from tests.test_migrations import scratch_url  # noqa: F401  (a fixture: an empty scratch database)

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


# --- the board: 2 × 2 quadrants, one-action moves, order within a quadrant ---------------------

def _board_titles(c, quadrant: str) -> list[str]:
    """The task titles of one quadrant as the board shows them, top to bottom."""
    import re

    page = c.get("/tasks/").text
    start = page.index(f'data-quadrant="{quadrant}"')
    end = page.find("</section>", start)
    return re.findall(r'<span class="item-title"><a href="/tasks/\d+/edit">([^<]+)</a>',
                      page[start:end])


def test_board_shows_four_quadrants_with_move_buttons(client_as_en, org):
    task = make_task(org.users["staff1"], title="Call the customer", urgent=True, important=True)
    page = client_as_en("staff1").get("/tasks/").text
    assert 'class="quadrants board"' in page and page.count('class="card quadrant ') == 4
    assert [q for q in ("do", "plan", "delegate", "drop") if f'data-quadrant="{q}"' in page] == \
        ["do", "plan", "delegate", "drop"]
    assert f'draggable="true" data-task-id="{task.id}"' in page
    assert "/static/js/tasks.js" in page
    # One button per other quadrant, none for its own.
    row = page[page.index(f'id="task-{task.id}"'):page.index("</li>", page.index(f'id="task-{task.id}"'))]
    assert [v for v in ("do", "plan", "delegate", "drop") if f'name="quadrant" value="{v}"' in row] \
        == ["plan", "delegate", "drop"]


def test_move_between_quadrants_in_one_post_with_and_without_htmx(client_as, org):
    staff1 = org.users["staff1"]
    a = make_task(staff1, title="甲", urgent=True, important=True, position=0)
    b = make_task(staff1, title="乙", urgent=True, important=True, position=1)
    c_ = make_task(staff1, title="丙", important=True, position=0)
    db.session.commit()
    c = client_as("staff1")
    # A button without JavaScript: a plain form, back to the page it came from.
    r = c.post(f"/tasks/{a.id}/move", data={"quadrant": "plan", "next": "/tasks/"})
    assert r.status_code == 303 and r.location == "/tasks/"
    moved = db.session.get(Task, a.id)
    assert (moved.urgent, moved.important) == (False, True)
    assert _board_titles(c, "plan") == ["丙", "甲"]  # last in its new quadrant
    assert _board_titles(c, "do") == ["乙"]
    assert db.session.get(Task, b.id).position == 0  # the old quadrant renumbered
    # A drop (htmx) before another task: the board comes back, the order is the drop's.
    r = c.post(f"/tasks/{b.id}/move", data={"quadrant": "plan", "before": c_.id}, headers=HX)
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="board"')
    assert "<html" not in r.text
    assert _board_titles(c, "plan") == ["乙", "丙", "甲"]
    assert _board_titles(c, "do") == []
    # Back to "drop", at the end.
    c.post(f"/tasks/{c_.id}/move", data={"quadrant": "drop"}, headers=HX)
    assert _board_titles(c, "drop") == ["丙"] and _board_titles(c, "plan") == ["乙", "甲"]


def test_move_up_and_down_within_a_quadrant(client_as, org):
    staff1 = org.users["staff1"]
    tasks = [make_task(staff1, title=t, important=True, position=i)
             for i, t in enumerate(["一", "二", "三"])]
    db.session.commit()
    c = client_as("staff1")
    assert c.post(f"/tasks/{tasks[2].id}/order", data={"direction": "up"}, headers=HX
                  ).status_code == 200
    assert _board_titles(c, "plan") == ["一", "三", "二"]
    assert c.post(f"/tasks/{tasks[0].id}/order", data={"direction": "down"}).status_code == 303
    assert _board_titles(c, "plan") == ["三", "一", "二"]
    # At the edge nothing changes; the first task's "up" is disabled on the board.
    c.post(f"/tasks/{tasks[2].id}/order", data={"direction": "up"})
    assert _board_titles(c, "plan") == ["三", "一", "二"]
    page = c.get("/tasks/").text
    first = page[page.index(f'id="task-{tasks[2].id}"'):]
    assert 'value="up" data-focus="up" disabled' in first[:first.index("</li>")]


def test_new_and_edited_tasks_go_last_in_their_quadrant(client_as, org):
    staff1 = org.users["staff1"]
    make_task(staff1, title="旧的", urgent=True, important=True, position=4)
    other = make_task(staff1, title="别处的", position=0)
    db.session.commit()
    c = client_as("staff1")
    c.post("/tasks/new", data={"title": "新的", "urgent": "y", "important": "y"})
    assert _board_titles(c, "do") == ["旧的", "新的"]
    c.post(f"/tasks/{other.id}/edit", data={"title": "别处的", "urgent": "y", "important": "y"})
    assert _board_titles(c, "do") == ["旧的", "新的", "别处的"]


def test_bad_moves_change_nothing(client_as, org):
    staff1 = org.users["staff1"]
    task = make_task(staff1, title="甲", urgent=True, important=True)
    theirs = make_task(org.users["staff2"], title="王强的任务", urgent=True, important=True)
    db.session.commit()
    c = client_as("staff1")
    assert c.post(f"/tasks/{task.id}/move", data={"quadrant": "nowhere"}).status_code == 400
    assert c.post(f"/tasks/{task.id}/order", data={"direction": "sideways"}).status_code == 400
    assert (db.session.get(Task, task.id).urgent, db.session.get(Task, task.id).important) == (True, True)
    for who in ("staff1", "manager1", "hr", "admin"):
        other = client_as(who)
        assert other.post(f"/tasks/{theirs.id}/move", data={"quadrant": "drop"}).status_code == 404
        assert other.post(f"/tasks/{theirs.id}/order", data={"direction": "up"}).status_code == 404
    # Dropped "before" someone else's task: placed last, the other list untouched.
    assert c.post(f"/tasks/{task.id}/move", data={"quadrant": "do", "before": theirs.id}
                  ).status_code == 303
    theirs = db.session.get(Task, theirs.id)
    assert (theirs.urgent, theirs.important, theirs.position) == (True, True, 0)


@pytest.mark.slow  # migration history
def test_the_position_migration_keeps_each_quadrants_due_date_order(scratch_url, monkeypatch):
    """Upgrading numbers each owner's quadrant in the order the board showed before: by due date,
    undated last, then id."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app
    from tests.conftest import TEST_CONFIG

    monkeypatch.delenv("DATABASE_URL", raising=False)
    scratch = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": scratch_url})
    with scratch.app_context():
        upgrade(revision="a7c3e1f90b21")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (id, username, display_name, email, phone, active,"
                              " password_hash, session_version, failed_logins, created_at, source,"
                              " local_only) VALUES (1, 'a', 'A', '', '', true, '', 1, 0,"
                              " '2026-01-01', 'local', false)"))
            rows = [(1, True, True, None), (2, True, True, "2026-12-05"), (3, True, True, "2026-12-01"),
                    (4, False, False, None), (5, True, True, "2026-12-01")]
            for task_id, urgent, important, due in rows:
                conn.execute(text(
                    "INSERT INTO tasks (id, owner_id, title, notes, due_date, urgent, important, done,"
                    " created_at) VALUES (:id, 1, 't', '', :due, :u, :i, false, '2026-01-01')"),
                    {"id": task_id, "due": due, "u": urgent, "i": important})
        upgrade()
        with db.engine.connect() as conn:
            positions = dict(conn.execute(text("SELECT id, position FROM tasks")).all())
        db.engine.dispose()
    assert positions == {3: 0, 5: 1, 2: 2, 1: 3, 4: 0}


def test_a_tick_on_the_board_keeps_the_task_movable_when_opened_again(client_as, org):
    task = make_task(org.users["staff1"], title="甲", urgent=True, important=True)
    db.session.commit()
    c = client_as("staff1")
    assert 'name="board" value="1"' in c.get("/tasks/").text
    done = c.post(f"/tasks/{task.id}/toggle", data={"board": "1"}, headers=HX).text
    assert "item-done" in done and "task-moves" not in done  # done: nothing to move
    assert 'name="board" value="1"' in done
    again = c.post(f"/tasks/{task.id}/toggle", data={"board": "1"}, headers=HX).text
    assert "item-done" not in again and "task-moves" in again and 'draggable="true"' in again
    # From the list view, the row stays a list row.
    listed = c.post(f"/tasks/{task.id}/toggle", headers=HX).text
    assert "task-moves" not in listed and 'name="board"' not in listed


def test_the_board_speaks_each_readers_language(client_as, client_as_en, org):
    make_task(org.users["staff1"], title="甲", urgent=True, important=True)
    db.session.commit()
    assert ">计划<" in client_as("staff1").get("/tasks/").text.replace("\n", "").replace(" ", "")
    english = client_as_en("staff1").get("/tasks/").text
    assert "Important, not urgent: plan" in english and ">Plan<" in english.replace(" ", "") \
        .replace("\n", "")
