"""Customer surveys: one link per customer, no sign-in, one answer per link (even racing),
expiry, CSRF, both languages, results per account manager, and satisfaction_average."""
import re
import threading
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.complaints.services import satisfaction_average
from portal.extensions import db
from portal.models import utcnow
from portal.models.feedback import (QuestionKind, SurveyAudience, SurveyInvitation,
                                    SurveyResponse, SurveyStatus)
from tests.feedback_factories import answer_form, make_complaint, make_customer, make_survey


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def customer_survey(org, status=SurveyStatus.PUBLISHED, expires_on=None):
    """A published customer survey of area A01 with a link for one customer of staff1."""
    survey = make_survey(org.users["manager1"], area=org.areas[0],
                         audience=SurveyAudience.CUSTOMER, status=status, expires_on=expires_on,
                         title="客户满意度回访")
    customer = make_customer(org.users["staff1"], name="东湖酒店")
    invitation = SurveyInvitation(survey_id=survey.id, customer_id=customer.id,
                                  account_manager_id=org.users["staff1"].id, token="t" * 32)
    db.session.add(invitation)
    db.session.commit()
    return survey, invitation


def test_publishing_makes_one_link_per_customer_of_the_area(client_as, org):
    survey = make_survey(org.users["manager1"], area=org.areas[0],
                         audience=SurveyAudience.CUSTOMER, status=SurveyStatus.DRAFT)
    for who in ("staff1", "staff1", "staff2"):
        make_customer(org.users[who])
    make_customer(org.users["staff3"])  # area A02: not asked
    manager = client_as("manager1")
    assert manager.post(f"/surveys/{survey.id}/publish").status_code == 303
    links = db.session.scalars(select(SurveyInvitation)).all()
    assert len(links) == 3 and len({link.token for link in links}) == 3
    assert {link.account_manager_id for link in links} == {org.users["staff1"].id,
                                                           org.users["staff2"].id}
    page = manager.get(f"/surveys/{survey.id}/links").text
    assert all(link.token in page for link in links)
    # a customer who arrives later gets a link of their own; nobody gets a second one
    make_customer(org.users["staff2"])
    assert manager.post(f"/surveys/{survey.id}/links/refresh").status_code == 303
    assert count(SurveyInvitation) == 4


def test_link_answers_without_sign_in_and_only_once(client, org):
    survey, invitation = customer_survey(org)
    url = f"/surveys/r/{invitation.token}"
    page = client.get(url)
    assert page.status_code == 200 and "客户满意度回访" in page.text
    assert 'name="viewport"' in page.text  # made for a phone
    assert client.post(url, data=answer_form(survey, rating=5)).status_code == 303
    assert count(SurveyResponse) == 1
    again = client.post(url, data=answer_form(survey, rating=1))
    assert again.status_code == 200 and count(SurveyResponse) == 1
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.invitation_id == invitation.id and response.respondent_id is None
    assert response.area_id == org.areas[0].id
    assert db.session.get(SurveyInvitation, invitation.id).answered_at is not None


def test_racing_posts_record_one_answer(app, org):
    survey, invitation = customer_survey(org)
    data = answer_form(survey)
    url = f"/surveys/r/{invitation.token}"
    barrier = threading.Barrier(6)
    statuses = []

    def post():
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            statuses.append(client.post(url, data=data).status_code)

    db.session.commit()
    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 6 and set(statuses) <= {200, 303}
    db.session.expire_all()
    assert count(SurveyResponse) == 1


def test_a_stale_reader_cannot_claim_a_used_link(app, org):
    """Two requests that both read the link as unused: the conditional UPDATE lets one through."""
    from portal.surveys.services import record_customer_response

    survey, invitation = customer_survey(org)
    values = {survey.questions[0].id: {"number": 4}}
    assert record_customer_response(invitation, values) is True
    db.session.commit()
    # what a racing request read before the first one committed: the link, still unused
    stale = SurveyInvitation(id=invitation.id, survey_id=survey.id, answered_at=None)
    assert record_customer_response(stale, values) is False
    db.session.rollback()
    assert count(SurveyResponse) == 1


def test_expired_closed_and_unknown_links(client, org):
    survey, invitation = customer_survey(org, expires_on=utcnow().date() - timedelta(days=1))
    url = f"/surveys/r/{invitation.token}"
    assert client.get(url).status_code == 410
    assert client.post(url, data=answer_form(survey)).status_code == 410
    survey.expires_on = None
    survey.status = SurveyStatus.CLOSED
    db.session.commit()
    assert client.post(url, data=answer_form(survey)).status_code == 410
    assert count(SurveyResponse) == 0
    assert client.get("/surveys/r/not-a-token").status_code == 404


def test_bad_answer_keeps_what_was_typed(client, org):
    survey, invitation = customer_survey(org)
    r = client.post(f"/surveys/r/{invitation.token}",
                    data=answer_form(survey, rating=None, text="服务很及时"))
    assert r.status_code == 422 and "服务很及时" in r.text
    assert count(SurveyResponse) == 0
    assert db.session.get(SurveyInvitation, invitation.id).answered_at is None


def test_csrf_is_kept_on_the_public_page(app, client, org, monkeypatch):
    survey, invitation = customer_survey(org)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    url = f"/surveys/r/{invitation.token}"
    assert client.post(url, data=answer_form(survey)).status_code == 400
    assert count(SurveyResponse) == 0
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text)
    assert token, "the form carries a CSRF token"
    r = client.post(url, data={**answer_form(survey), "csrf_token": token.group(1)})
    assert r.status_code == 303 and count(SurveyResponse) == 1


def test_public_page_in_both_languages(client, org):
    _survey, invitation = customer_survey(org)
    url = f"/surveys/r/{invitation.token}"
    zh = client.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    en = client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert "提交" in zh or "发送" in zh
    assert "Send my answers" in en


def test_results_per_account_manager_and_satisfaction_average(client, client_as, org):
    survey, invitation = customer_survey(org)
    client.post(f"/surveys/r/{invitation.token}", data=answer_form(survey, rating=3))
    page = client_as("manager1").get(f"/surveys/{survey.id}/results").text
    assert org.users["staff1"].display_name in page and "CSAT 0" in page
    export = client_as("manager1").get(f"/surveys/{survey.id}/export.csv").text
    assert "东湖酒店" in export
    # satisfaction: the survey's rating (3) and a complaint closed today with 5
    customer = make_customer(org.users["staff1"])
    make_complaint(customer, status="closed", closed_at=utcnow(), satisfaction=5)
    today = utcnow().date()
    period = (today - timedelta(days=2), today + timedelta(days=2))
    assert satisfaction_average(org.users["staff1"].id, *period) == Decimal("4.00")
    assert satisfaction_average(org.users["staff2"].id, *period) is None
    # NPS answers are not satisfaction ratings
    nps = next(q for q in survey.questions if q.kind == QuestionKind.NPS)
    assert nps.kind != QuestionKind.RATING
    assert satisfaction_average(org.users["staff1"].id, date(2020, 1, 1), date(2020, 1, 2)) is None


def test_other_managers_do_not_see_customer_links(client_as, org):
    survey, _invitation = customer_survey(org)
    assert client_as("manager2").get(f"/surveys/{survey.id}/links").status_code == 404
    assert client_as("staff1").get(f"/surveys/{survey.id}/links").status_code == 404


def test_links_page_statements_do_not_grow(client_as, org, count_queries):
    survey, _invitation = customer_survey(org)
    manager = client_as("manager1")

    def statements():
        with count_queries() as counter:
            assert manager.get(f"/surveys/{survey.id}/links").status_code == 200
        return counter.count

    few = statements()
    for i in range(15):
        customer = make_customer(org.users["staff2" if i % 2 else "staff1"])
        db.session.add(SurveyInvitation(survey_id=survey.id, customer_id=customer.id,
                                        account_manager_id=customer.account_manager_id,
                                        token=f"token-{i:02d}-" + "x" * 20))
    db.session.commit()
    assert statements() == few


def test_manager_reads_company_surveys_for_their_area_only(client, client_as, org):
    survey = make_survey(org.users["hr"], area=None, audience=SurveyAudience.CUSTOMER,
                         title="全公司客户回访")
    east = make_customer(org.users["staff1"], name="城东客户甲")
    west = make_customer(org.users["staff3"], name="城西客户乙")
    links = {}
    for customer in (east, west):
        link = SurveyInvitation(survey_id=survey.id, customer_id=customer.id,
                                account_manager_id=customer.account_manager_id,
                                token=f"company-{customer.id}-" + "y" * 20)
        db.session.add(link)
        links[customer.name] = link.token
    db.session.commit()
    client.post(f"/surveys/r/{links['城东客户甲']}", data=answer_form(survey, text="城东的意见"))
    client.post(f"/surveys/r/{links['城西客户乙']}", data=answer_form(survey, text="城西的意见"))
    manager = client_as("manager1")
    assert "全公司客户回访" in manager.get("/surveys/").text
    results = manager.get(f"/surveys/{survey.id}/results").text
    assert "城东的意见" in results and "城西的意见" not in results
    assert org.users["staff3"].display_name not in results
    # asking for the other area falls back to their own
    other = manager.get(f"/surveys/{survey.id}/results?area={org.areas[1].id}").text
    assert "城西的意见" not in other
    export = manager.get(f"/surveys/{survey.id}/export.csv").text
    assert "城东客户甲" in export and "城西客户乙" not in export
    page = manager.get(f"/surveys/{survey.id}/links").text
    assert links["城东客户甲"] in page and links["城西客户乙"] not in page
    assert manager.post(f"/surveys/{survey.id}/close").status_code == 403
    hr = client_as("hr").get(f"/surveys/{survey.id}/results").text
    assert "城东的意见" in hr and "城西的意见" in hr
    # drafts of the company stay with HR
    draft = make_survey(org.users["hr"], area=None, status=SurveyStatus.DRAFT, title="人力草稿")
    db.session.commit()
    assert manager.get(f"/surveys/{draft.id}").status_code == 404
