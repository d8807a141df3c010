"""Career plans: the person edits, the manager assesses, HR reads; reviews keep snapshots."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.careers import services
from portal.extensions import db
from portal.models.careers import (CareerGoal, CareerLevel, CareerMilestone, CareerPlan,
                                   CareerReview, GoalStatus, Readiness)
from portal.models import utcnow
from tests.factories import make_user
from tests.training_factories import make_course, make_session


@pytest.fixture
def ladder(org):
    levels = [CareerLevel(code=f"AM{i}", name=n, name_en=e, rank=i, expectations="独立维护客户\n完成指标")
              for i, (n, e) in enumerate([("初级客户经理", "Junior"), ("中级客户经理", "Intermediate"),
                                          ("高级客户经理", "Senior"), ("资深客户经理", "Principal")], 1)]
    db.session.add_all(levels)
    db.session.flush()
    return levels


def plan_of(user) -> CareerPlan | None:
    return db.session.scalar(select(CareerPlan).where(CareerPlan.user_id == user.id))


def test_the_person_edits_their_own_plan(client_as, org, ladder):
    staff1 = org.users["staff1"]
    response = client_as("staff1").post(f"/careers/people/{staff1.id}/edit", data={
        "current_level_id": ladder[0].id, "target_level_id": ladder[1].id, "horizon_months": "18",
        "strengths": "沟通能力强", "development_areas": "方案撰写", "next_review_on": "2027-03-31"})
    assert response.status_code == 303
    plan = plan_of(staff1)
    assert plan.target_level_id == ladder[1].id and plan.horizon_months == 18
    assert plan.next_review_on == date(2027, 3, 31)


@pytest.mark.parametrize("who, status", [("manager1", 403), ("hr", 403), ("staff2", 404),
                                         ("manager2", 404)])
def test_nobody_else_edits_the_plan(client_as, org, ladder, who, status):
    staff1 = org.users["staff1"]
    response = client_as(who).post(f"/careers/people/{staff1.id}/edit",
                                   data={"strengths": "被改写", "current_level_id": "0",
                                         "target_level_id": "0"})
    assert response.status_code == status
    assert plan_of(staff1) is None


def test_plans_are_private(client_as, org):
    staff1, staff3 = org.users["staff1"].id, org.users["staff3"].id
    assert client_as("staff1").get(f"/careers/people/{staff1}").status_code == 200
    assert client_as("staff1").get(f"/careers/people/{org.users['staff2'].id}").status_code == 404
    assert client_as("manager1").get(f"/careers/people/{staff1}").status_code == 200
    assert client_as("manager1").get(f"/careers/people/{staff3}").status_code == 404
    assert client_as("hr").get(f"/careers/people/{staff3}").status_code == 200
    listing = client_as("manager1").get("/careers/").text
    assert org.users["staff1"].display_name in listing
    assert org.users["staff3"].display_name not in listing


def test_only_the_manager_assesses(client_as, org):
    staff1 = org.users["staff1"]
    url = f"/careers/people/{staff1.id}/assess"
    data = {"readiness": "ready_now", "manager_comment": "可以晋升"}
    assert client_as("staff1").post(url, data=data).status_code == 403
    assert client_as("hr").post(url, data=data).status_code == 403
    assert plan_of(staff1) is None
    assert client_as("manager1").post(url, data=data).status_code == 303
    plan = plan_of(staff1)
    assert plan.readiness == Readiness.READY_NOW and plan.manager_comment == "可以晋升"
    bad = client_as("manager1").post(url, data={"readiness": "tomorrow", "manager_comment": "x"})
    assert bad.status_code == 422
    assert db.session.get(CareerPlan, plan.id).readiness == Readiness.READY_NOW


def test_goal_bad_input_saves_nothing(client_as, org):
    staff1 = org.users["staff1"]
    response = client_as("staff1").post(f"/careers/people/{staff1.id}/goals", data={
        "title": "拿下三家大客户", "status": "planned", "progress": "150"})
    assert response.status_code == 422
    assert "Enter 0 to 100." in response.text or "0 到 100" in response.text
    assert 'value="拿下三家大客户"' in response.text
    assert db.session.scalar(select(func.count(CareerGoal.id))) == 0


def test_goals_and_milestones_with_and_without_htmx(client_as, org):
    staff1 = org.users["staff1"]
    client = client_as("staff1")
    assert client.post(f"/careers/people/{staff1.id}/goals", data={
        "title": "拿下三家大客户", "status": "in_progress", "progress": "30",
        "due_on": "2027-06-30"}).status_code == 303
    goal = db.session.scalar(select(CareerGoal))
    assert client.post(f"/careers/goals/{goal.id}/milestones",
                       data={"title": "完成客户拜访", "due_on": "2027-01-31"}).status_code == 303
    partial = client.post(f"/careers/goals/{goal.id}/milestones", data={"title": "提交方案"},
                          headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text and "提交方案" in partial.text
    milestone = db.session.scalar(select(CareerMilestone).order_by(CareerMilestone.id))
    toggled = client.post(f"/careers/milestones/{milestone.id}/toggle",
                          headers={"HX-Request": "true"})
    assert toggled.status_code == 200 and 'id="goal-' in toggled.text
    assert db.session.get(CareerMilestone, milestone.id).done is True
    # someone else's milestone
    assert client_as("staff2").post(f"/careers/milestones/{milestone.id}/toggle").status_code == 404
    assert client_as("manager1").post(f"/careers/milestones/{milestone.id}/toggle").status_code == 403
    assert db.session.get(CareerMilestone, milestone.id).done is True


def test_review_keeps_the_plan_as_it_was(client_as, org, ladder):
    staff1 = org.users["staff1"]
    me = client_as("staff1")
    me.post(f"/careers/people/{staff1.id}/edit", data={
        "current_level_id": ladder[0].id, "target_level_id": ladder[1].id,
        "strengths": "沟通能力强"})
    me.post(f"/careers/people/{staff1.id}/goals", data={
        "title": "考取云服务认证", "status": "planned", "progress": "0"})
    response = client_as("manager1").post(f"/careers/people/{staff1.id}/reviews/new", data={
        "reviewed_on": "2026-11-20", "note": "进展良好", "next_review_on": "2027-05-20"})
    assert response.status_code == 303
    me.post(f"/careers/people/{staff1.id}/edit", data={
        "current_level_id": ladder[1].id, "target_level_id": ladder[2].id, "strengths": "已改"})
    review = db.session.scalar(select(CareerReview))
    assert review.snapshot["current_level"]["code"] == "AM1"
    assert review.snapshot["strengths"] == "沟通能力强"
    assert review.snapshot["goals"][0]["title"] == "考取云服务认证"
    page = client_as("hr").get(f"/careers/reviews/{review.id}").text
    assert "沟通能力强" in page and "进展良好" in page
    assert client_as("staff2").get(f"/careers/reviews/{review.id}").status_code == 404
    assert client_as("hr").post(f"/careers/people/{staff1.id}/reviews/new", data={
        "reviewed_on": "2026-11-21"}).status_code == 403


def test_snapshot_is_plain_json(org, ladder):
    plan = CareerPlan(user_id=org.users["staff1"].id, current_level=ladder[0],
                      readiness=Readiness.NOT_YET)
    plan.goals = [CareerGoal(title="目标", status=GoalStatus.DONE, progress=100,
                             due_on=date(2027, 1, 1),
                             milestones=[CareerMilestone(title="一步", done=True)])]
    db.session.add(plan)
    db.session.flush()
    snap = services.snapshot(plan)
    assert snap["readiness"] == "not_yet"
    assert snap["goals"] == [{"title": "目标", "due_on": "2027-01-01", "status": "done",
                              "progress": 100,
                              "milestones": [{"title": "一步", "due_on": None, "done": True}]}]


def test_link_a_course_and_enrol_from_the_plan(client_as, org):
    staff1 = org.users["staff1"]
    course = make_course("大客户销售技巧")
    session = make_session(course, starts_at=utcnow() + timedelta(days=3))
    me = client_as("staff1")
    assert me.post(f"/careers/people/{staff1.id}/courses",
                   data={"course_id": course.id}).status_code == 303
    page = me.get(f"/careers/people/{staff1.id}").text
    assert "大客户销售技巧" in page and f"/training/sessions/{session.id}/enrol" in page
    back = f"/careers/people/{staff1.id}#courses"
    response = me.post(f"/training/sessions/{session.id}/enrol", data={"next": back})
    assert response.status_code == 303 and response.location.endswith(back)
    evil = me.post(f"/training/sessions/{session.id}/enrol", data={"next": "//evil.example"})
    assert "evil" not in evil.location


def test_hr_edits_the_ladder_and_others_cannot(client_as, org, ladder):
    url = f"/careers/ladder/{ladder[0].id}/edit"
    data = {"code": "AM1", "name": "初级客户经理", "rank": "1", "expectations": "新的要求"}
    assert client_as("manager1").post(url, data=data).status_code == 403
    assert client_as("hr").post(url, data=data).status_code == 303
    assert db.session.get(CareerLevel, ladder[0].id).expectations == "新的要求"
    dup = client_as("hr").post("/careers/ladder/new", data={"code": "am2", "name": "重复",
                                                           "rank": "2"})
    assert dup.status_code == 422
    assert db.session.scalar(select(func.count(CareerLevel.id))) == 4
    assert "新的要求" in client_as("staff1").get("/careers/ladder").text


def test_may_rules(org):
    staff1, manager1, hr = org.users["staff1"], org.users["manager1"], org.users["hr"]
    assert services.may_edit_plan(staff1, staff1.id)
    assert not services.may_edit_plan(manager1, staff1.id)
    assert services.may_assess(manager1, staff1.id)
    assert not services.may_assess(staff1, staff1.id)
    assert not services.may_assess(hr, staff1.id)
    assert not services.may_assess(org.users["manager2"], staff1.id)


def test_people_list_statements_do_not_grow(client_as, org, count_queries, ladder):
    hr = client_as("hr")

    def add_plans(users):
        for u in users:
            db.session.add(CareerPlan(user_id=u.id, current_level=ladder[0],
                                      target_level=ladder[1], readiness=Readiness.NOT_YET))
        db.session.commit()

    people = [u for name, u in org.users.items() if name.startswith("a0")]
    add_plans(people[:3])
    hr.get("/careers/")
    with count_queries() as few:
        hr.get("/careers/")
    add_plans(people[3:])
    for i in range(10):
        make_user(f"extra{i}", area=org.areas[0])
    db.session.commit()
    with count_queries() as many:
        assert hr.get("/careers/").status_code == 200
    assert few.count == many.count, (few.count, many.count)
