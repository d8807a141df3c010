"""One-on-ones: who sees what, private notes, mood, cadence, carry-over, forms, htmx, SQL counts."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.communication import (ActionItem, Cadence, MoodCheckIn, OneOnOne,
                                         OneOnOneSeries, PrivateNote, TalkingPoint)
from portal.one_on_ones.services import (cadence_figures, carry_over, may_read_private_note,
                                         mood_trend, next_due)
from tests.conftest import login
from tests.comm_factories import make_action, make_one_on_one, make_series
from tests.factories import make_user
from tests.routes import PUBLIC, collect_routes, collect_sample_args

HX = {"HX-Request": "true"}
EVERY_ROLE = ["staff1", "staff2", "staff3", "manager1", "manager2", "hr", "admin"]


@pytest.fixture
def pair(org):
    """A series of manager1 with staff1 and one one-on-one with content of every kind."""
    series = make_series(org.users["manager1"], org.users["staff1"])
    one = make_one_on_one(series, shared_notes="共享笔记：讨论了大客户续约")
    db.session.add(TalkingPoint(one_on_one=one, author=org.users["staff1"], text="培训计划讨论"))
    one.mood = MoodCheckIn(score=2, comment="最近压力有点大")
    return series, one


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- services -----------------------------------------------------------------------------------

def test_next_due_by_cadence():
    assert next_due(date(2026, 11, 26), Cadence.WEEKLY) == date(2026, 12, 3)
    assert next_due(date(2026, 11, 26), Cadence.FORTNIGHTLY) == date(2026, 12, 10)
    assert next_due(date(2026, 1, 31), Cadence.MONTHLY) == date(2026, 2, 28)
    assert next_due(date(2026, 12, 15), Cadence.MONTHLY) == date(2027, 1, 15)


def test_cadence_figures_and_mood_trend():
    today = date(2026, 11, 26)
    f = cadence_figures(date(2026, 11, 1), date(2026, 11, 15), today)
    assert f.days_since == 25 and f.overdue
    assert not cadence_figures(date(2026, 11, 20), date(2026, 12, 4), today).overdue
    assert cadence_figures(None, None, today).overdue  # never held, nothing planned
    assert mood_trend([2, 2, 4]) == "up" and mood_trend([4, 4, 2]) == "down"
    assert mood_trend([3]) == "flat" and mood_trend([3, 3]) == "flat"


def test_private_note_rule_is_the_author_alone(org):
    note = PrivateNote(one_on_one_id=1, author_id=org.users["manager1"].id, body="x")
    assert may_read_private_note(org.users["manager1"].id, note)
    for who in ("staff1", "admin", "hr", "manager2"):
        assert not may_read_private_note(org.users[who].id, note)


def test_carry_over_moves_only_undiscussed_points(pair):
    series, one = pair
    one.points.append(TalkingPoint(text="已讨论", discussed=True))
    new = make_one_on_one(series, starts_at=datetime(2026, 12, 3, 2))
    assert carry_over(one, new) == 1
    assert [p.text for p in new.points] == ["培训计划讨论"] and new.points[0].carried_over == 1
    assert [p.text for p in one.points] == ["已讨论"]


# --- who sees what ------------------------------------------------------------------------------

def test_report_sees_only_own_one_on_ones(client_as, org, pair):
    series, one = pair
    other = make_series(org.users["manager2"], org.users["staff3"])
    staff1 = client_as("staff1")
    page = staff1.get("/one-on-ones/")
    assert "张伟" in page.text and "李秀英" not in page.text
    assert staff1.get(f"/one-on-ones/series/{other.id}").status_code == 404
    for who in ("staff2", "staff3"):
        c = client_as(who)
        assert c.get(f"/one-on-ones/{one.id}").status_code == 404
        assert c.get(f"/one-on-ones/series/{series.id}").status_code == 404


def test_manager_sees_only_one_on_ones_with_own_reports(client_as, org, pair):
    series, one = pair
    other = make_series(org.users["manager2"], org.users["staff3"])
    other_one = make_one_on_one(other)
    m1 = client_as("manager1")
    assert m1.get(f"/one-on-ones/{one.id}").status_code == 200
    assert m1.get(f"/one-on-ones/{other_one.id}").status_code == 404
    assert "刘洋" not in m1.get("/one-on-ones/").text
    assert "刘洋" not in m1.get("/one-on-ones/cadence").text
    m2 = client_as("manager2")
    assert m2.get(f"/one-on-ones/{one.id}").status_code == 404
    assert m2.get(f"/one-on-ones/series/{series.id}").status_code == 404


def test_other_peoples_ids_answer_404_on_every_change(client_as, org, pair):
    series, one = pair
    point = one.points[0]
    item = make_action(org.users["staff1"], one=one)
    before = (count(TalkingPoint), count(ActionItem), count(PrivateNote))
    for who in ("staff2", "manager2", "hr", "admin"):
        c = client_as(who)
        assert c.post(f"/one-on-ones/{one.id}/points", data={"text": "x"}).status_code == 404
        assert c.post(f"/one-on-ones/points/{point.id}/toggle").status_code == 404
        assert c.post(f"/one-on-ones/{one.id}/notes", data={"shared_notes": "x"}).status_code == 404
        assert c.post(f"/one-on-ones/{one.id}/private-note", data={"body": "x"}).status_code == 404
        assert c.post(f"/one-on-ones/{one.id}/mood", data={"score": "5"}).status_code == 404
        assert c.post(f"/one-on-ones/{one.id}/actions",
                      data={"title": "x", "owner_id": org.users["staff1"].id}).status_code == 404
        assert c.post(f"/one-on-ones/actions/{item.id}/toggle").status_code == 404
        assert c.post(f"/one-on-ones/{one.id}/held").status_code == 404
        assert c.post(f"/one-on-ones/series/{series.id}/schedule",
                      data={"starts_at": "2026-12-01T10:00", "duration_minutes": "30"}
                      ).status_code == 404
    assert (count(TalkingPoint), count(ActionItem), count(PrivateNote)) == before
    assert db.session.get(OneOnOne, one.id).shared_notes.startswith("共享笔记")
    assert not db.session.get(ActionItem, item.id).done


def test_hr_sees_cadence_figures_but_no_content(client_as, org, pair):
    series, one = pair
    one.held = True
    db.session.add(PrivateNote(one_on_one_id=one.id, author_id=org.users["manager1"].id,
                               body="经理私人笔记内容"))
    hr = client_as("hr")
    page = hr.get("/one-on-ones/cadence")
    assert page.status_code == 200
    assert "李娜" in page.text and "张伟" in page.text          # who, with whom
    assert "2026" in page.text or "11" in page.text            # the dates are there
    for content in ("培训计划讨论", "共享笔记", "最近压力", "经理私人笔记", 'class="mood'):
        assert content not in page.text
    assert f"/one-on-ones/series/{series.id}" not in page.text  # no links into the content
    assert hr.get(f"/one-on-ones/{one.id}").status_code == 404
    assert hr.get(f"/one-on-ones/series/{series.id}").status_code == 404


def test_manager_cadence_shows_last_next_overdue_and_mood_trend(client_as, org):
    manager1 = org.users["manager1"]
    series = make_series(manager1, org.users["staff1"], next_date=date.today() - timedelta(days=3))
    for i, score in enumerate([4, 4, 3, 2]):
        one = make_one_on_one(series, starts_at=datetime(2026, 9, 1 + 7 * i, 2), held=True)
        one.mood = MoodCheckIn(score=score)
    page = client_as("manager1").get("/one-on-ones/cadence")
    assert page.status_code == 200
    assert 'class="row-overdue"' in page.text
    assert page.text.index('mood-4') < page.text.index('mood-2')  # oldest first
    assert "↘" in page.text
    # Direct reports without a series are listed to start one.
    assert "王强" in page.text  # staff2
    # staff cannot open the cadence view at all
    assert client_as("staff1").get("/one-on-ones/cadence").status_code == 403


def test_cadence_sorting(client_as, org):
    m1 = org.users["manager1"]
    make_series(m1, org.users["staff1"], next_date=date(2026, 12, 20))
    make_series(m1, org.users["staff2"], next_date=date(2026, 12, 1))
    c = client_as("manager1")
    asc = c.get("/one-on-ones/cadence?sort=next").text
    desc = c.get("/one-on-ones/cadence?sort=-next").text
    assert asc.index("王强") < asc.index("李娜") and desc.index("李娜") < desc.index("王强")


# --- private notes: the author alone, through every page of the portal --------------------------

def all_get_urls(app, org) -> list[str]:
    """Every GET route of the app with the access matrix's sample arguments; of the public ones
    only the calendar feed (the others show no record)."""
    args = collect_sample_args(org)
    routes = collect_routes()
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if routes.get(rule.endpoint) == PUBLIC and rule.endpoint != "meetings.calendar_feed":
                continue
            urls.append(app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments}))
    return urls


@pytest.mark.slow  # crawl of every page
def test_private_note_is_read_by_its_author_alone_on_every_page(app, client_as, org):
    urls = all_get_urls(app, org)
    from tests.comm_factories import sample_communication

    sample = sample_communication(org)
    one = sample["one"]
    # manager1 wrote "经理的私人笔记" (the sample); staff1 writes her own through the page.
    staff1 = client_as("staff1")
    assert staff1.post(f"/one-on-ones/{one.id}/private-note",
                       data={"body": "李娜自己的私人笔记"}).status_code == 303
    secrets = {"manager1": "经理的私人笔记", "staff1": "李娜自己的私人笔记"}
    admin_urls = ["/admin/", "/admin/users", "/admin/audit", "/admin/audit?entity_type=private_note",
                  f"/admin/users/{org.users['manager1'].id}/edit"]
    for who in EVERY_ROLE:
        c = client_as(who)
        for url in urls + admin_urls:
            body = c.get(url).get_data()  # bytes: exports and PDFs are pages too
            for author, secret in secrets.items():
                if author == who and url == f"/one-on-ones/{one.id}":
                    assert secret.encode() in body, (who, url)
                else:
                    assert secret.encode() not in body, (who, url, author)
    # Both notes exist, one per author; neither overwrote the other.
    notes = db.session.scalars(select(PrivateNote).where(PrivateNote.one_on_one_id == one.id))
    assert {n.body for n in notes} == set(secrets.values())


def test_manager_higher_up_reads_neither_the_one_on_one_nor_its_notes(app, org, pair):
    """The manager's own manager manages the report too, yet is not one of the two."""
    series, one = pair
    boss = make_user("boss", roles=("manager",), area=org.areas[0])
    org.users["manager1"].manager = boss
    db.session.add(PrivateNote(one_on_one_id=one.id, author_id=org.users["staff1"].id,
                               body="不想让经理的经理看到"))
    boss_client = login(app.test_client(), "boss")
    assert boss_client.get(f"/one-on-ones/{one.id}").status_code == 404
    assert "不想让" not in boss_client.get("/one-on-ones/").text


# --- mood ---------------------------------------------------------------------------------------

def test_mood_is_set_by_the_report_and_seen_by_the_two(client_as, org, pair):
    series, one = pair
    staff1, manager1 = client_as("staff1"), client_as("manager1")
    assert manager1.post(f"/one-on-ones/{one.id}/mood", data={"score": "5"}).status_code == 403
    assert db.session.get(OneOnOne, one.id).mood.score == 2
    assert staff1.post(f"/one-on-ones/{one.id}/mood",
                       data={"score": "4", "comment": "好多了"}).status_code == 303
    assert db.session.get(OneOnOne, one.id).mood.score == 4
    assert "好多了" in manager1.get(f"/one-on-ones/{one.id}").text


def test_mood_out_of_range_is_refused(client_as, org, pair):
    series, one = pair
    response = client_as("staff1").post(f"/one-on-ones/{one.id}/mood",
                                        data={"score": "9", "comment": "打错了"})
    assert response.status_code == 422
    assert 'class="error"' in response.text and 'value="打错了"' in response.text
    assert db.session.get(OneOnOne, one.id).mood.score == 2


# --- agenda, htmx and plain forms ---------------------------------------------------------------

def test_add_and_tick_a_point_with_htmx_and_without(client_as, org, pair):
    series, one = pair
    c = client_as("manager1")
    r = c.post(f"/one-on-ones/{one.id}/points", data={"text": "客户投诉复盘"}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and "客户投诉复盘" in r.text
    assert 'id="agenda"' in r.text
    r = c.post(f"/one-on-ones/{one.id}/points", data={"text": "续约策略"})
    assert r.status_code == 303 and r.location.endswith(f"/one-on-ones/{one.id}#agenda")
    point = db.session.scalar(select(TalkingPoint).where(TalkingPoint.text == "续约策略"))
    assert point.author_id == org.users["manager1"].id
    r = client_as("staff1").post(f"/one-on-ones/points/{point.id}/toggle", headers=HX)
    assert r.status_code == 200 and "item-done" in r.text
    assert db.session.get(TalkingPoint, point.id).discussed


def test_blank_point_is_refused_with_a_message(client_as, org, pair):
    series, one = pair
    before = count(TalkingPoint)
    for headers in ({}, HX):
        r = client_as("staff1").post(f"/one-on-ones/{one.id}/points", data={"text": "   "},
                                     headers=headers)
        assert r.status_code == 422 and 'class="error"' in r.text
    r = client_as("staff1").post(f"/one-on-ones/{one.id}/points", data={"text": "长" * 501})
    assert r.status_code == 422 and "长" * 501 in r.text
    assert count(TalkingPoint) == before


def test_schedule_carries_points_over_and_moves_the_next_date(client_as, org, pair):
    series, one = pair
    r = client_as("manager1").post(f"/one-on-ones/series/{series.id}/schedule",
                                   data={"starts_at": "2026-12-03T10:00", "duration_minutes": "45"})
    assert r.status_code == 303
    new = db.session.scalar(select(OneOnOne).where(OneOnOne.series_id == series.id)
                            .order_by(OneOnOne.starts_at.desc()))
    assert new.id != one.id
    assert new.starts_at == datetime(2026, 12, 3, 2, 0)  # 10:00 in Shanghai is 02:00 UTC
    assert [p.text for p in new.points] == ["培训计划讨论"]
    assert db.session.get(OneOnOneSeries, series.id).next_date == date(2026, 12, 17)


def test_schedule_bad_input_saves_nothing(client_as, org, pair):
    series, one = pair
    before = count(OneOnOne)
    r = client_as("manager1").post(f"/one-on-ones/series/{series.id}/schedule",
                                   data={"starts_at": "明天", "duration_minutes": "2"})
    assert r.status_code == 422 and r.text.count('class="error"') == 2
    assert 'value="明天"' in r.text
    assert count(OneOnOne) == before


def test_series_forms(client_as, org):
    c = client_as("manager1")
    r = c.post("/one-on-ones/series/new", data={"report_id": "0", "cadence": "weekly",
                                                 "next_date": ""})
    assert r.status_code == 422 and count(OneOnOneSeries) == 0
    staff3 = org.users["staff3"]  # not manager1's report: not a valid choice
    r = c.post("/one-on-ones/series/new", data={"report_id": staff3.id, "cadence": "weekly",
                                                 "next_date": "2026-12-01"})
    assert r.status_code == 422 and count(OneOnOneSeries) == 0
    r = c.post("/one-on-ones/series/new", data={"report_id": org.users["staff2"].id,
                                                 "cadence": "weekly", "next_date": "2026-12-01"})
    assert r.status_code == 303
    series = db.session.scalar(select(OneOnOneSeries))
    assert series.report_id == org.users["staff2"].id and series.cadence == Cadence.WEEKLY
    assert client_as("staff2").post(f"/one-on-ones/series/{series.id}/edit",
                                    data={"cadence": "monthly", "next_date": "2026-12-01"}
                                    ).status_code == 403
    assert client_as("staff1").get("/one-on-ones/series/new").status_code == 403


def test_action_item_of_a_one_on_one_lands_in_the_owners_tasks(client_as, org, pair):
    series, one = pair
    m1 = client_as("manager1")
    r = m1.post(f"/one-on-ones/{one.id}/actions",
                data={"title": "完成CRM培训", "owner_id": org.users["staff1"].id,
                      "due_date": "2026-12-10"}, headers=HX)
    assert r.status_code == 200 and "完成CRM培训" in r.text
    item = db.session.scalar(select(ActionItem).where(ActionItem.title == "完成CRM培训"))
    staff1 = client_as("staff1")
    assert "完成CRM培训" in staff1.get("/tasks/").text
    assert staff1.post(f"/tasks/actions/{item.id}/toggle").status_code == 303
    assert db.session.get(ActionItem, item.id).done
    page = m1.get(f"/one-on-ones/{one.id}").text
    start = page.index('id="actions"')
    assert "item-done" in page[start:]  # the source shows the tick


def test_action_item_owner_must_be_one_of_the_two(client_as, org, pair):
    series, one = pair
    r = client_as("manager1").post(f"/one-on-ones/{one.id}/actions",
                                   data={"title": "越权", "owner_id": org.users["staff3"].id})
    assert r.status_code == 422 and 'value="越权"' in r.text
    assert count(ActionItem) == 0


def test_suggested_points_are_overdue_action_items(client_as, org, pair):
    series, one = pair
    earlier = make_one_on_one(series, starts_at=datetime(2026, 10, 1, 2), held=True)
    make_action(org.users["staff1"], one=earlier, title="逾期的报价单",
                due=date.today() - timedelta(days=5))
    page = client_as("manager1").get(f"/one-on-ones/{one.id}").text
    start = page.index('id="agenda"')
    assert "逾期的报价单" in page[start:page.index('id="actions"')]


# --- list pages stay within a fixed number of statements ----------------------------------------

def test_list_pages_have_a_fixed_number_of_statements(client_as, org, count_queries):
    manager1 = org.users["manager1"]
    team = [org.users["staff1"], org.users["staff2"]] + [org.users[f"a01-am{i:02d}"]
                                                          for i in range(1, 11)]

    def fill(people):
        for person in people:
            s = make_series(manager1, person)
            for i in range(3):
                one = make_one_on_one(s, starts_at=datetime(2026, 10, 1 + i, 2), held=True)
                one.mood = MoodCheckIn(score=3)

    c = client_as("manager1")
    fill(team[:3])
    db.session.commit()
    counts = {}
    for url in ("/one-on-ones/", "/one-on-ones/cadence"):
        c.get(url)
        with count_queries() as few:
            assert c.get(url).status_code == 200
        counts[url] = few.count
    fill(team[3:11])  # a01-am10 stays without a series: the page lists the same sections
    db.session.commit()  # so the test's own writes are not counted with the request
    for url, n in counts.items():
        with count_queries() as many:
            c.get(url)
        assert many.count == n, (url, n, many.count)
        assert n <= 14, (url, n)
