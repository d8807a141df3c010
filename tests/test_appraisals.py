"""Appraisals through the test client: the workflow, locking, who sees what, templates, cycles."""
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.appraisals import services, workflow
from portal.extensions import db
from portal.models import AuditLog
from portal.models.appraisals import (Appraisal, AppraisalCycle, AppraisalScore,
                                      AppraisalStatus as S, CycleStatus, FigureSource,
                                      TemplateIndicator)
from tests.appraisal_factories import advance, appraisal_of, make_cycle, make_template
from tests.factories import make_user


@pytest.fixture
def targets_module(monkeypatch):
    """Stands in for portal.targets.services.attainment_percent: attainment 104 %."""
    fake = replace(services.FIGURE_FUNCTIONS[FigureSource.ATTAINMENT],
                   function=lambda user_id, start, end: Decimal("104.00"))
    monkeypatch.setitem(services.FIGURE_FUNCTIONS, FigureSource.ATTAINMENT, fake)
    return fake


@pytest.fixture
def cycle(org):
    """An open cycle over area A01 with a 60/40 template (attainment, one qualitative)."""
    c = make_cycle(make_template((60, 40)), areas=[org.areas[0]])
    db.session.commit()
    return c


def fresh(appraisal_id: int) -> Appraisal:
    """The appraisal as the database has it now."""
    db.session.expire_all()
    return db.session.get(Appraisal, appraisal_id)


def score_ids(appraisal: Appraisal, kind: str) -> list[int]:
    return [r.indicator_id for r in appraisal.scores if r.indicator.kind == kind]


# --- the workflow ------------------------------------------------------------------------------

def test_the_whole_workflow_in_order(org, cycle, client_as, targets_module):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    qualitative = score_ids(appraisal, "qualitative")[0]
    quantitative = score_ids(appraisal, "quantitative")[0]
    staff1, manager1, hr = client_as("staff1"), client_as("manager1"), client_as("hr")
    aid = appraisal.id

    response = staff1.post(f"/appraisals/{aid}/self",
                           data={f"score-{qualitative}": "4", "comment": "自评", "action": "submit"})
    assert response.status_code == 303
    a = fresh(aid)
    assert a.status == S.MANAGER_REVIEW and a.figures_frozen_at is not None
    row = next(r for r in a.scores if r.indicator_id == quantitative)
    assert row.figure == Decimal("104.00") and row.figure_score == 4
    assert row.source_data["function"] == "portal.targets.services.attainment_percent"
    assert row.source_data["answer"] == "104.00" and row.source_data["start"] == "2026-10-01"

    # The manager sees the self score beside their own inputs.
    page = manager1.get(f"/appraisals/{aid}/review")
    assert page.status_code == 200 and f'name="score-{qualitative}"' in page.text
    assert f'name="score-{quantitative}"' not in page.text  # it has a figure
    response = manager1.post(f"/appraisals/{aid}/review",
                             data={f"score-{qualitative}": "3", "comment": "好", "action": "submit"})
    assert response.status_code == 303
    a = fresh(aid)
    # 4 × 60 / 5 + 3 × 40 / 5 = 48 + 24 = 72 → B
    assert a.status == S.FEEDBACK and a.final_score == Decimal("72.00") and a.band == "B"

    response = manager1.post(f"/appraisals/{aid}/feedback", data={
        "feedback_talk_on": "2026-12-20", "improvement_plan": "每周拜访三家客户", "action": "submit"})
    assert response.status_code == 303 and fresh(aid).status == S.ACKNOWLEDGEMENT

    response = staff1.post(f"/appraisals/{aid}/acknowledge",
                           data={"agrees": "no", "comment": "满意度评分有误"})
    assert response.status_code == 303
    a = fresh(aid)
    assert a.status == S.ACKNOWLEDGED and a.employee_agrees is False

    assert hr.post(f"/appraisals/{aid}/close").status_code == 303
    assert fresh(aid).status == S.CLOSED
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.entity_id == aid)))
    assert {"appraisal.self", "appraisal.figures", "appraisal.review", "appraisal.feedback",
            "appraisal.acknowledge", "appraisal.close"} <= actions


def test_submitting_without_every_score_is_refused_and_nothing_is_saved(org, cycle, client_as):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    qualitative = score_ids(appraisal, "qualitative")[0]
    response = client_as("staff1").post(f"/appraisals/{appraisal.id}/self", data={
        f"score-{qualitative}": "", "comment": "我的自评草稿", "action": "submit"})
    assert response.status_code == 422
    assert "Choose a score from 1 to 5." in response.text or "请选择" in response.text
    assert "我的自评草稿" in response.text  # what was typed is kept
    a = fresh(appraisal.id)
    assert a.status == S.SELF_ASSESSMENT and a.self_comment == ""


def test_a_score_out_of_range_is_refused(org, cycle, client_as):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    qualitative = score_ids(appraisal, "qualitative")[0]
    response = client_as("staff1").post(f"/appraisals/{appraisal.id}/self", data={
        f"score-{qualitative}": "9", "comment": "x", "action": "save"})
    assert response.status_code == 422 and f'id="score-{qualitative}-error"' in response.text
    assert all(r.self_score is None for r in fresh(appraisal.id).scores)


def test_a_draft_is_saved_without_moving_on(org, cycle, client_as):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    qualitative = score_ids(appraisal, "qualitative")[0]
    response = client_as("staff1").post(f"/appraisals/{appraisal.id}/self", data={
        f"score-{qualitative}": "5", "comment": "草稿", "action": "save"})
    assert response.status_code == 303
    a = fresh(appraisal.id)
    assert a.status == S.SELF_ASSESSMENT and a.self_comment == "草稿"
    assert next(r for r in a.scores if r.indicator_id == qualitative).self_score == 5


@pytest.mark.parametrize("who, step", [
    ("manager1", "self"),         # only the person assesses themselves
    ("hr", "self"),
    ("staff1", "review"),         # not at that step, and not the manager
    ("manager1", "review"),       # the manager, but the step has not come
    ("staff1", "acknowledge"),
    ("hr", "close"),              # HR closes only acknowledged appraisals
    ("hr", "reopen"),             # and reopens only closed ones
])
def test_illegal_steps_are_refused(org, cycle, client_as, who, step):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    before = db.session.scalar(select(func.count(AuditLog.id)))
    response = client_as(who).post(f"/appraisals/{appraisal.id}/{step}",
                                   data={"action": "submit", "agrees": "yes", "reason": "x",
                                         "target": "self_assessment"})
    assert response.status_code == 403
    assert fresh(appraisal.id).status == S.SELF_ASSESSMENT
    assert db.session.scalar(select(func.count(AuditLog.id))) == before


def test_the_manager_of_another_area_cannot_review(org, client_as):
    c = make_cycle(make_template(), areas=[org.areas[1]])
    appraisal = appraisal_of(c, org.users["staff3"])
    advance(appraisal, S.MANAGER_REVIEW)
    db.session.commit()
    assert client_as("manager1").post(f"/appraisals/{appraisal.id}/review",
                                      data={"action": "submit"}).status_code == 404
    assert client_as("manager2").get(f"/appraisals/{appraisal.id}/review").status_code == 200


def test_a_closed_appraisal_cannot_be_changed_by_anyone(org, cycle, client_as):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    advance(appraisal, S.CLOSED, hr=org.users["hr"])
    db.session.commit()
    snapshot = (appraisal.final_score, appraisal.self_comment, appraisal.manager_comment,
                appraisal.improvement_plan, appraisal.employee_comment,
                sorted((r.indicator_id, r.self_score, r.manager_score) for r in appraisal.scores))
    ids = [r.indicator_id for r in appraisal.scores]
    data = {**{f"score-{i}": "1" for i in ids}, "comment": "改", "action": "submit",
            "improvement_plan": "改", "feedback_talk_on": "2026-12-01", "agrees": "no"}
    for who in ("staff1", "manager1", "hr", "admin"):
        client = client_as(who)
        for step in ("self", "review", "feedback", "acknowledge", "close"):
            response = client.post(f"/appraisals/{appraisal.id}/{step}", data=data)
            assert response.status_code in (403, 404), (who, step, response.status_code)
    a = fresh(appraisal.id)
    assert a.status == S.CLOSED and a.locked
    assert (a.final_score, a.self_comment, a.manager_comment, a.improvement_plan,
            a.employee_comment,
            sorted((r.indicator_id, r.self_score, r.manager_score) for r in a.scores)) == snapshot


def test_hr_reopens_with_a_reason_and_it_is_audited(org, cycle, client_as):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    advance(appraisal, S.CLOSED, hr=org.users["hr"])
    db.session.commit()
    hr = client_as("hr")
    response = hr.post(f"/appraisals/{appraisal.id}/reopen",
                       data={"target": "feedback", "reason": ""})
    assert response.status_code == 422 and fresh(appraisal.id).status == S.CLOSED
    response = hr.post(f"/appraisals/{appraisal.id}/reopen",
                       data={"target": "feedback", "reason": "改进计划需补充"})
    assert response.status_code == 303
    a = fresh(appraisal.id)
    assert a.status == S.FEEDBACK and a.reopen_reason == "改进计划需补充"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "appraisal.reopen"))
    assert entry.after == {"status": "feedback", "reason": "改进计划需补充"}
    assert entry.actor_id == org.users["hr"].id


def test_acknowledging_without_agreeing_needs_a_reason(org, cycle, client_as):
    appraisal = appraisal_of(cycle, org.users["staff1"])
    advance(appraisal, S.ACKNOWLEDGEMENT)
    db.session.commit()
    response = client_as("staff1").post(f"/appraisals/{appraisal.id}/acknowledge",
                                        data={"agrees": "no", "comment": ""})
    assert response.status_code == 422 and 'id="comment-error"' in response.text
    assert fresh(appraisal.id).status == S.ACKNOWLEDGEMENT


# --- who sees what ---------------------------------------------------------------------------

def test_staff_see_only_their_own(org, cycle, client_as):
    staff1 = client_as("staff1")
    own = appraisal_of(cycle, org.users["staff1"])
    other = appraisal_of(cycle, org.users["staff2"])
    assert staff1.get(f"/appraisals/{own.id}").status_code == 200
    assert staff1.get(f"/appraisals/{other.id}").status_code == 404
    listing = staff1.get("/appraisals/").text
    assert org.users["staff1"].display_name in listing
    assert org.users["staff2"].display_name not in listing


def test_managers_see_their_reports_not_other_areas(org, client_as):
    c = make_cycle(make_template())
    db.session.commit()
    manager1 = client_as("manager1")
    assert manager1.get(f"/appraisals/{appraisal_of(c, org.users['staff2']).id}").status_code == 200
    assert manager1.get(f"/appraisals/{appraisal_of(c, org.users['staff3']).id}").status_code == 404
    listing = manager1.get("/appraisals/").text
    assert org.users["staff2"].display_name in listing
    assert org.users["staff3"].display_name not in listing


def test_hr_sees_every_appraisal_and_admin_none_of_others(org, client_as):
    c = make_cycle(make_template())
    db.session.commit()
    staff3 = appraisal_of(c, org.users["staff3"]).id
    assert client_as("hr").get(f"/appraisals/{staff3}").status_code == 200
    assert client_as("admin").get(f"/appraisals/{staff3}").status_code == 404
    assert client_as("hr").get("/appraisals/?q=a02").text.count("/appraisals/") > 10


def test_list_page_statements_do_not_grow_with_rows(org, client_as, count_queries):
    hr = client_as("hr")
    make_cycle(make_template(), areas=[org.areas[0]])  # 3 people in A01 … then more
    db.session.commit()
    area = org.areas[0]
    few = db.session.scalar(select(func.count(Appraisal.id)))
    with count_queries() as small:
        assert hr.get("/appraisals/").status_code == 200
    for i in range(30):
        make_user(f"extra{i}", area=area, manager=org.users["manager1"])
    make_cycle(make_template(), areas=[area])
    db.session.commit()
    assert db.session.scalar(select(func.count(Appraisal.id))) > few + 25
    with count_queries() as large:
        assert hr.get("/appraisals/").status_code == 200
    assert large.count == small.count


# --- templates and cycles (HR) ---------------------------------------------------------------

def test_bad_indicator_input_is_refused_with_messages_and_nothing_saved(org, client_as):
    template = make_template((60,))
    db.session.commit()
    response = client_as("hr").post(f"/appraisals/templates/{template.id}/indicators/new", data={
        "section": "客户", "name": "客户满意度", "kind": "quantitative", "source": "satisfaction",
        "weight": "150", "score_thresholds": "3, 3.5, 4, 4.5", "position": "20"})
    assert response.status_code == 422
    assert 'id="weight-error"' in response.text and 'id="score_thresholds-error"' in response.text
    assert 'value="3, 3.5, 4, 4.5"' in response.text and "客户满意度" in response.text
    assert db.session.scalar(select(func.count(TemplateIndicator.id))
                             .where(TemplateIndicator.template_id == template.id)) == 1


def test_a_good_indicator_is_added(org, client_as):
    template = make_template((60,))
    db.session.commit()
    response = client_as("hr").post(f"/appraisals/templates/{template.id}/indicators/new", data={
        "section": "客户", "name": "客户满意度", "kind": "quantitative", "source": "satisfaction",
        "weight": "40", "score_thresholds": "4.5, 4, 3.5, 3", "position": "20"})
    assert response.status_code == 303
    added = db.session.scalar(select(TemplateIndicator).where(TemplateIndicator.name == "客户满意度"))
    assert added.weight == Decimal(40) and added.score_thresholds == [4.5, 4, 3.5, 3]


def test_a_cycle_opens_only_when_weights_total_100(org, client_as):
    short = make_template((60, 30))
    cycle = make_cycle(short, areas=[org.areas[0]], opened=False)
    db.session.commit()
    hr = client_as("hr")
    assert "90" in hr.get(f"/appraisals/cycles/{cycle.id}").text
    response = hr.post(f"/appraisals/cycles/{cycle.id}/open")
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Appraisal.id))) == 0
    assert db.session.get(AppraisalCycle, cycle.id).status == CycleStatus.DRAFT


def test_opening_a_cycle_creates_one_appraisal_per_participant(org, client_as):
    template = make_template((60, 40))
    cycle = make_cycle(template, areas=[org.areas[0]], opened=False)
    db.session.commit()
    assert client_as("hr").post(f"/appraisals/cycles/{cycle.id}/open").status_code == 303
    people = set(db.session.scalars(select(Appraisal.user_id).where(Appraisal.cycle_id == cycle.id)))
    a01_staff = {u.id for u in org.users.values()
                 if u.area is org.areas[0] and u.has_role("staff")}
    assert people == a01_staff and org.users["staff3"].id not in people
    assert db.session.scalar(select(func.count(AppraisalScore.id))) == 2 * len(people)
    # Its template is now fixed.
    assert client_as("hr").get(f"/appraisals/templates/{template.id}/edit").status_code == 403


def test_cycle_form_refuses_a_backwards_period(org, client_as):
    response = client_as("hr").post("/appraisals/cycles/new", data={
        "name": "2026-Q4", "period_start": "2026-12-31", "period_end": "2026-10-01",
        "staff_template_id": str(make_template().id), "manager_template_id": "0"})
    assert response.status_code == 422 and 'id="period_end-error"' in response.text
    assert 'value="2026-Q4"' in response.text
    assert db.session.scalar(select(func.count(AppraisalCycle.id))) == 0


def test_staff_and_managers_cannot_manage_cycles_or_templates(org, client_as):
    for who in ("staff1", "manager1", "admin"):
        client = client_as(who)
        assert client.get("/appraisals/cycles").status_code == 403
        assert client.post("/appraisals/templates/new", data={"name": "x"}).status_code == 403


def test_drafts_stay_with_their_author(org, cycle, client_as):
    """The person's draft is not shown to the manager, nor the manager's draft to the person."""
    appraisal = appraisal_of(cycle, org.users["staff1"])
    qualitative = score_ids(appraisal, "qualitative")[0]
    staff1, manager1 = client_as("staff1"), client_as("manager1")
    staff1.post(f"/appraisals/{appraisal.id}/self",
                data={f"score-{qualitative}": "5", "comment": "自评草稿内容", "action": "save"})
    assert "自评草稿内容" in staff1.get(f"/appraisals/{appraisal.id}").text
    assert "自评草稿内容" not in manager1.get(f"/appraisals/{appraisal.id}").text
    staff1.post(f"/appraisals/{appraisal.id}/self",
                data={f"score-{qualitative}": "5", "comment": "自评草稿内容", "action": "submit"})
    assert "自评草稿内容" in manager1.get(f"/appraisals/{appraisal.id}").text
    manager1.post(f"/appraisals/{appraisal.id}/review",
                  data={f"score-{qualitative}": "2", "comment": "经理草稿评语", "action": "save"})
    assert "经理草稿评语" in manager1.get(f"/appraisals/{appraisal.id}").text
    assert "经理草稿评语" not in staff1.get(f"/appraisals/{appraisal.id}").text


def test_hr_takes_the_managers_part_for_someone_without_a_manager(org, client_as):
    """An area head has nobody above them: HR reviews, nobody else, never the person."""
    c = make_cycle(make_template(), areas=[org.areas[0]], opened=False)
    c.manager_template = make_template()
    workflow.open_cycle(c)
    db.session.flush()
    appraisal = appraisal_of(c, org.users["manager1"])
    assert appraisal.manager_id is None
    advance(appraisal, S.MANAGER_REVIEW)
    db.session.commit()
    aid = appraisal.id
    assert client_as("manager1").post(f"/appraisals/{aid}/review",
                                      data={"action": "submit"}).status_code == 403
    assert client_as("manager2").get(f"/appraisals/{aid}/review").status_code == 404
    hr = client_as("hr")
    assert hr.get(f"/appraisals/{aid}/review").status_code == 200
    scores = {f"score-{r.indicator_id}": "3" for r in fresh(aid).scores
              if r.indicator.kind == "qualitative" or r.figure_score is None}
    response = hr.post(f"/appraisals/{aid}/review", data={**scores, "comment": "人力资源部评审",
                                                          "action": "submit"})
    assert response.status_code == 303
    assert fresh(aid).status == S.FEEDBACK and fresh(aid).manager_comment == "人力资源部评审"


# --- the home panel ------------------------------------------------------------------------------

def test_the_home_panel_shows_my_form_the_managers_queue_and_hrs_cycles(org, cycle, client_as):
    advance(appraisal_of(cycle, org.users["staff1"]), S.MANAGER_REVIEW)
    db.session.commit()
    staff = client_as("staff1").get("/panels/appraisals", headers={"HX-Request": "true"}).text
    assert cycle.name in staff and "经理评审" in staff
    manager = client_as("manager1").get("/panels/appraisals", headers={"HX-Request": "true"})
    assert "有1项评审或面谈等待您处理" in manager.text
    hr = client_as("hr").get("/panels/appraisals", headers={"HX-Request": "true"}).text
    assert cycle.name in hr and "<progress" in hr
