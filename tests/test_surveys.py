"""Surveys: the builder, staff answers (named and anonymous), results, CSAT/NPS, CSV export."""
import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from portal import spreadsheets
from portal.extensions import db
from portal.models.feedback import (QuestionKind, Survey, SurveyParticipation, SurveyRespondent,
                                    SurveyQuestion, SurveyResponse, SurveyStatus)
from portal.surveys import services
from tests.feedback_factories import answer_form, make_survey
from tests.factories import make_user

# A results chart; the page header has SVG icons of its own (the bell).
CHART = '<svg class="fb-chart"'


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- pure rules --------------------------------------------------------------------------------

def test_csat_is_share_of_four_and_five():
    assert services.csat([5, 4, 3, 2]) == Decimal("50.0")
    assert services.csat([5, 5, 4]) == Decimal("100.0")
    assert services.csat([]) is None


def test_nps_is_promoters_minus_detractors():
    # 2 promoters (9, 10), 1 passive (8), 2 detractors (6, 0) of 5: 40% - 40% = 0
    assert services.nps([9, 10, 8, 6, 0]) == Decimal("0.0")
    assert services.nps([10, 10, 9, 7]) == Decimal("75.0")
    assert services.nps([0, 3]) == Decimal("-100.0")
    assert services.nps([]) is None


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"),
    ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("普通文字", "普通文字"),
    (None, ""), (5, 5),
])
def test_safe_cell_neutralises_formulas(value, expected):
    """The survey export writes through the portal's one spreadsheet writer and its guard."""
    assert spreadsheets.safe_row([value]) == [expected]


def test_threshold_applies_to_anonymous_surveys_only(app):
    named, anonymous = Survey(anonymous=False), Survey(anonymous=True)
    assert services.may_show_group(named, 1)
    assert not services.may_show_group(anonymous, 4)
    assert services.may_show_group(anonymous, 5)
    assert not services.may_show_group(anonymous, 5, threshold=6)


def test_move_question_renumbers(app, org):
    survey = make_survey(org.users["manager1"], status=SurveyStatus.DRAFT)
    first, second = survey.questions[0], survey.questions[1]
    services.move_question(survey, second, -1)
    assert [q.position for q in survey.questions] == [1, 2, 3, 4, 5]
    assert survey.questions[0] is second and survey.questions[1] is first
    services.move_question(survey, second, -1)  # already first: stays
    assert survey.questions[0] is second


# --- builder -----------------------------------------------------------------------------------

def test_manager_builds_and_publishes_a_survey(client_as, org):
    client = client_as("manager1")
    response = client.post("/surveys/new", data={
        "title": "季度员工调查", "audience": "staff", "anonymous": "y",
        "area_id": str(org.areas[0].id)})
    assert response.status_code == 303
    survey = db.session.scalar(select(Survey).where(Survey.title == "季度员工调查"))
    assert survey.anonymous and survey.status == SurveyStatus.DRAFT
    assert survey.area_id == org.areas[0].id
    url = f"/surveys/{survey.id}"
    for kind, text in [("rating", "满意度"), ("text", "建议")]:
        r = client.post(f"{url}/questions", data={"kind": kind, "text": text, "required": "y"})
        assert r.status_code == 303
    r = client.post(f"{url}/questions",
                    data={"kind": "single", "text": "渠道", "options": "电话\n微信"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="builder"' in r.text and "<html" not in r.text
    questions = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.survey_id == survey.id).order_by(SurveyQuestion.position)).all()
    assert [q.text for q in questions] == ["满意度", "建议", "渠道"]
    assert questions[2].options == ["电话", "微信"] and not questions[2].required
    # htmx reorder: the last question moves up one place
    r = client.post(f"{url}/questions/{questions[2].id}/move", data={"direction": "up"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.index("渠道") < r.text.index("建议")
    db.session.expire_all()
    order = db.session.scalars(select(SurveyQuestion.text).where(
        SurveyQuestion.survey_id == survey.id).order_by(SurveyQuestion.position)).all()
    assert order == ["满意度", "渠道", "建议"]
    assert client.post(f"{url}/publish").status_code == 303
    assert db.session.get(Survey, survey.id).status == SurveyStatus.PUBLISHED
    # once published, the questions are fixed
    client.post(f"{url}/questions", data={"kind": "text", "text": "晚到的问题"})
    assert count(SurveyQuestion) == 3
    # published -> closed, and never back
    assert client.post(f"{url}/close").status_code == 303
    assert db.session.get(Survey, survey.id).status == SurveyStatus.CLOSED
    client.post(f"{url}/publish")
    assert db.session.get(Survey, survey.id).status == SurveyStatus.CLOSED


def test_bad_question_is_refused_with_message_and_nothing_saved(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0], status=SurveyStatus.DRAFT,
                         questions=[])
    client = client_as("manager1")
    r = client.post(f"/surveys/{survey.id}/questions",
                    data={"kind": "multiple", "text": "只有一个选项的问题", "options": "唯一"})
    assert r.status_code == 422
    assert "Give at least two options" in r.text or "至少" in r.text
    assert "只有一个选项的问题" in r.text  # what was typed is kept
    assert count(SurveyQuestion) == 0
    r = client.post(f"/surveys/{survey.id}/questions",
                    data={"kind": "single", "text": "没有选项的问题", "options": ""})
    assert r.status_code == 422 and count(SurveyQuestion) == 0


def test_publishing_needs_a_question(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0], status=SurveyStatus.DRAFT,
                         questions=[])
    client_as("manager1").post(f"/surveys/{survey.id}/publish")
    assert db.session.get(Survey, survey.id).status == SurveyStatus.DRAFT


def test_bad_survey_form_is_refused(client_as, org):
    client = client_as("manager1")
    r = client.post("/surveys/new", data={"title": "", "audience": "customer", "anonymous": "y",
                                          "area_id": str(org.areas[1].id)})
    assert r.status_code == 422
    assert count(Survey) == 0
    r = client.post("/surveys/new", data={"title": "过期的问卷", "audience": "customer",
                                          "area_id": str(org.areas[0].id),
                                          "expires_on": "2020-01-31"})
    assert r.status_code == 422 and 'id="expires_on-error"' in r.text and "过期的问卷" in r.text
    assert count(Survey) == 0


def test_manager_cannot_address_another_area(client_as, org):
    r = client_as("manager1").post("/surveys/new", data={
        "title": "越界", "audience": "staff", "area_id": str(org.areas[1].id)})
    assert r.status_code == 422 and count(Survey) == 0


# --- who sees which survey ---------------------------------------------------------------------

def test_other_peoples_surveys_are_404(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    for who in ("manager2", "staff1", "admin"):
        client = client_as(who)
        for path in ("", "/results", "/export.csv", "/edit", "/links"):
            assert client.get(f"/surveys/{survey.id}{path}").status_code == 404, (who, path)
    assert client_as("hr").get(f"/surveys/{survey.id}/results").status_code == 200


def test_staff_of_another_area_cannot_answer(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    client = client_as("staff3")
    assert client.get(f"/surveys/{survey.id}/answer").status_code == 404
    assert client.post(f"/surveys/{survey.id}/answer",
                       data=answer_form(survey)).status_code == 404
    assert count(SurveyResponse) == 0


def test_drafts_and_closed_surveys_take_no_answer(client_as, org):
    for status in (SurveyStatus.DRAFT, SurveyStatus.CLOSED):
        survey = make_survey(org.users["manager1"], area=org.areas[0], status=status)
        r = client_as("staff1").post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
        assert r.status_code == 404
    assert count(SurveyResponse) == 0


# --- answering ---------------------------------------------------------------------------------

def test_named_answer_is_recorded_once(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    client = client_as("staff1")
    assert "员工满意度调查" in client.get("/surveys/").text
    r = client.post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    assert r.status_code == 303
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.respondent_id == org.users["staff1"].id
    answers = {a.question.kind: a for a in response.answers}
    assert answers[QuestionKind.RATING].number == 4
    assert answers[QuestionKind.MULTIPLE].choices == [0, 2]
    assert answers[QuestionKind.TEXT].text == "很好"
    # a second answer is refused and nothing more is stored
    again = client.post(f"/surveys/{survey.id}/answer", data=answer_form(survey, rating=1))
    assert again.status_code == 200 and count(SurveyResponse) == 1
    assert "员工满意度调查" not in client.get("/surveys/").text  # no longer waiting


def test_second_answer_refused_by_the_database_too(app, org):
    """Even if two requests pass the "already answered?" check, the key refuses the second."""
    from sqlalchemy.exc import IntegrityError

    survey = make_survey(org.users["manager1"], area=org.areas[0], anonymous=True)
    staff1 = org.users["staff1"]
    assert services.record_staff_response(survey, staff1, {}) is True
    db.session.commit()
    assert services.record_staff_response(survey, staff1, {}) is False
    db.session.add(SurveyParticipation(survey_id=survey.id, user_id=staff1.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert count(SurveyResponse) == 1


def test_bad_answers_are_refused_with_messages_and_kept(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    form = answer_form(survey, rating="9", nps=None, text="我写的建议")
    r = client_as("staff1").post(f"/surveys/{survey.id}/answer", data=form)
    assert r.status_code == 422
    rating, nps = survey.questions[0], survey.questions[1]
    assert f'id="q{rating.id}-error"' in r.text and f'id="q{nps.id}-error"' in r.text
    assert "我写的建议" in r.text  # typed text kept
    assert count(SurveyResponse) == 0 and count(SurveyParticipation) == 0


def test_choice_outside_the_options_is_refused(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    r = client_as("staff1").post(f"/surveys/{survey.id}/answer",
                                 data=answer_form(survey, single="7"))
    assert r.status_code == 422 and count(SurveyResponse) == 0


# --- anonymity ---------------------------------------------------------------------------------

def _team(org, n):
    """n more account managers in area A01."""
    return [make_user(f"anon{i}", area=org.areas[0], manager=org.users["manager1"],
                      display_name=f"匿名测试者{i}") for i in range(n)]


def test_anonymous_answers_cannot_be_traced_to_a_person(app, client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0], anonymous=True)
    people = _team(org, 5)
    db.session.commit()
    texts = {}
    for i, person in enumerate(people):
        text = f"秘密意见{i}"
        texts[person.username] = text
        r = client_as(person.username).post(f"/surveys/{survey.id}/answer",
                                            data=answer_form(survey, rating=1 + i % 5, text=text))
        assert r.status_code == 303
    # The database: no answer names anyone, none has a time, the keys are random.
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert len(responses) == 5
    assert all(r.respondent_id is None and r.invitation_id is None for r in responses)
    columns = {c["name"] for c in inspect(db.engine).get_columns("survey_responses")}
    # Not even a column that could hold a person (named answers keep theirs in another table).
    assert not any(c in columns for c in ("respondent_id", "user_id")), columns
    assert count(SurveyRespondent) == 0
    assert not any("at" == c.split("_")[-1] for c in columns), columns  # dates only, no times
    participation_columns = {c["name"] for c in inspect(db.engine).get_columns(
        "survey_participations")}
    assert participation_columns == {"survey_id", "user_id"}
    ids = sorted(r.id for r in responses)
    assert all(len(i) == 32 for i in ids)
    # Every page and the export: no name, username or user id beside an answer.
    client = client_as("manager1")
    results = client.get(f"/surveys/{survey.id}/results").text
    export = client.get(f"/surveys/{survey.id}/export.csv").text
    for person in people:
        for page in (results, export):
            assert person.display_name not in page and person.username not in page
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    assert len(rows) == 6 and all(len(row) == 1 + len(survey.questions) for row in rows)
    assert set(texts.values()) <= {row[-1] for row in rows[1:]}
    # The participation records show who answered, and nothing of what.
    assert count(SurveyParticipation) == 5


def test_anonymous_results_withheld_under_threshold(client_as, org):
    survey = make_survey(org.users["manager1"], area=None, anonymous=True)
    people = _team(org, 4)
    db.session.commit()
    for person in people:
        client_as(person.username).post(f"/surveys/{survey.id}/answer",
                                        data=answer_form(survey, text="小组里的话"))
    hr = client_as("hr")
    page = hr.get(f"/surveys/{survey.id}/results").text
    assert "小组里的话" not in page and CHART not in page
    export = hr.get(f"/surveys/{survey.id}/export.csv")
    assert export.status_code == 302 and "小组里的话" not in export.text
    # a fifth answer (from the other area) opens the whole survey...
    client_as("staff3").post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    page = hr.get(f"/surveys/{survey.id}/results").text
    assert CHART in page and "小组里的话" in page
    # ...but not a breakdown of the other area, where only one person answered
    west = hr.get(f"/surveys/{survey.id}/results?area={org.areas[1].id}").text
    assert CHART not in west
    east = hr.get(f"/surveys/{survey.id}/results?area={org.areas[0].id}").text
    assert CHART not in east  # 4 answers: still under 5


def test_anonymous_results_move_only_in_steps_of_the_threshold(client_as, org):
    """Finding 11: reloading the results as the count goes from N to N+1 shows nothing new;
    results change only when at least the threshold of new answers has come, or at close."""
    survey = make_survey(org.users["manager1"], area=org.areas[0], anonymous=True)
    people = _team(org, 11)
    db.session.commit()
    manager = client_as("manager1")

    def answer(i):
        r = client_as(people[i].username).post(
            f"/surveys/{survey.id}/answer",
            data=answer_form(survey, rating=1 + i % 5, nps=i % 11, text=f"第{i}条意见"))
        assert r.status_code == 303

    def results():
        return services.survey_results(db.session.get(Survey, survey.id))

    for i in range(5):
        answer(i)
    assert results().responses == 5
    shown = manager.get(f"/surveys/{survey.id}/results").text
    assert "第4条意见" in shown
    answer(5)  # N -> N+1: the published state does not move
    assert results().responses == 5
    again = manager.get(f"/surveys/{survey.id}/results").text
    assert "第5条意见" not in again
    assert [q.distribution for q in results().questions] == [
        q.distribution for q in services.survey_results(survey).questions]
    export = manager.get(f"/surveys/{survey.id}/export.csv").text
    assert "第5条意见" not in export
    for i in range(6, 10):
        answer(i)
        assert results().responses == (10 if i == 9 else 5)
    answer(10)
    assert results().responses == 10
    assert manager.post(f"/surveys/{survey.id}/close").status_code == 303
    assert results().responses == 11  # closing releases the rest
    assert "第10条意见" in manager.get(f"/surveys/{survey.id}/results").text


def test_named_answers_keep_their_respondent_beside_the_answer(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    db.session.commit()
    client_as("staff1").post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    response = db.session.scalar(select(SurveyResponse))
    assert response.released and response.respondent_id == org.users["staff1"].id
    assert db.session.scalar(select(SurveyRespondent.user_id)) == org.users["staff1"].id


def test_no_area_breakdown_while_another_area_is_small(client_as, org):
    """All minus A01 would be A02's one answer: so A01 alone is not shown either."""
    survey = make_survey(org.users["hr"], area=None, anonymous=True)
    people = _team(org, 5)
    db.session.commit()
    for person in people:
        client_as(person.username).post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    client_as("staff3").post(f"/surveys/{survey.id}/answer",
                             data=answer_form(survey, text="城西唯一的回答"))
    hr = client_as("hr")
    # The sixth answer waits until enough join it or the survey closes: close it.
    assert hr.post(f"/surveys/{survey.id}/close").status_code == 303
    assert CHART in hr.get(f"/surveys/{survey.id}/results").text  # 6 in all: shown
    east = hr.get(f"/surveys/{survey.id}/results?area={org.areas[0].id}").text
    assert CHART not in east  # 5 in A01, but A02 has 1
    assert services.may_break_down(survey, [5, 5], threshold=5)
    assert not services.may_break_down(survey, [7, 1], threshold=5)
    assert services.may_break_down(Survey(anonymous=False), [7, 1], threshold=5)


def test_threshold_is_configurable(app, client_as, org, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_ANONYMITY_THRESHOLD", 2)
    survey = make_survey(org.users["manager1"], area=org.areas[0], anonymous=True)
    db.session.commit()
    for who in ("staff1", "staff2"):
        client_as(who).post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    assert CHART in client_as("manager1").get(f"/surveys/{survey.id}/results").text


def test_results_show_charts_csat_and_nps(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    db.session.commit()
    for who, rating, nps in (("staff1", 5, 10), ("staff2", 3, 6)):
        client_as(who).post(f"/surveys/{survey.id}/answer",
                            data=answer_form(survey, rating=rating, nps=nps))
    page = client_as("manager1").get(f"/surveys/{survey.id}/results").text
    assert page.count(CHART) == 4  # rating, NPS, single, multiple
    assert "CSAT 50" in page and "NPS 0" in page
    export = client_as("manager1").get(f"/surveys/{survey.id}/export.csv").text
    assert "李娜" in export  # named survey: the respondent is named


def test_export_neutralises_formulas(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    db.session.commit()
    client_as("staff1").post(f"/surveys/{survey.id}/answer",
                             data=answer_form(survey, text="=cmd|' /C calc'!A0"))
    export = client_as("manager1").get(f"/surveys/{survey.id}/export.csv").text
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    assert rows[1][-1] == "'=cmd|' /C calc'!A0"


def test_survey_list_statements_do_not_grow_with_rows(client_as, org, count_queries):
    client = client_as("hr")

    def statements(n):
        for i in range(n):
            make_survey(org.users["hr"], area=org.areas[i % 2], title=f"调查{i}")
        db.session.commit()
        with count_queries() as counter:
            assert client.get("/surveys/").status_code == 200
        return counter.count

    assert statements(3) == statements(27)


def test_results_statements_do_not_grow_with_answers(client_as, org, count_queries):
    survey = make_survey(org.users["manager1"], area=org.areas[0])
    db.session.commit()
    manager = client_as("manager1")

    def statements():
        with count_queries() as counter:
            assert manager.get(f"/surveys/{survey.id}/results").status_code == 200
        return counter.count

    client_as("staff1").post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    few = statements()
    for person in _team(org, 6):
        db.session.commit()
        client_as(person.username).post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    assert statements() == few


def test_area_head_reads_but_does_not_change_hr_surveys(client_as, org):
    survey = make_survey(org.users["hr"], area=org.areas[0])
    draft = make_survey(org.users["hr"], area=org.areas[0], status=SurveyStatus.DRAFT)
    manager = client_as("manager1")
    assert manager.get(f"/surveys/{survey.id}/results").status_code == 200
    assert manager.get(f"/surveys/{survey.id}/close").status_code == 403
    assert manager.post(f"/surveys/{survey.id}/close").status_code == 403
    assert manager.post(f"/surveys/{draft.id}/publish").status_code == 403
    assert manager.post(f"/surveys/{draft.id}/questions",
                        data={"kind": "text", "text": "插入的问题"}).status_code == 403
    page = manager.get(f"/surveys/{draft.id}").text
    assert "Publish" not in page and "发布" not in page
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status == SurveyStatus.PUBLISHED
    assert db.session.get(Survey, draft.id).status == SurveyStatus.DRAFT


def test_manager_sees_anonymous_company_survey_for_own_area_above_threshold(client_as, org):
    survey = make_survey(org.users["hr"], area=None, anonymous=True)
    people = _team(org, 5)
    db.session.commit()
    for person in people:
        client_as(person.username).post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    manager = client_as("manager1")
    assert CHART in manager.get(f"/surveys/{survey.id}/results").text  # A01: 5, A02: none
    client_as("staff3").post(f"/surveys/{survey.id}/answer", data=answer_form(survey))
    # A02's one answer waits (released in steps): until then A01 stays shown as it was.
    assert CHART in manager.get(f"/surveys/{survey.id}/results").text
    assert client_as("hr").post(f"/surveys/{survey.id}/close").status_code == 303
    assert CHART not in manager.get(f"/surveys/{survey.id}/results").text  # A02 has 1 now
    assert manager.get(f"/surveys/{survey.id}/export.csv").status_code == 302
    assert client_as("manager2").get(f"/surveys/{survey.id}/export.csv").status_code == 302
