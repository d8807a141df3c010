"""Incentives through the app: who sees whose pay, approval locks a period, exports, awards,
team activities, bad input, SQL statements per list page."""
import io
import re
import zipfile
from datetime import date
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.incentives import services as pay
from portal.models import AuditLog
from portal.models.incentives import (AwardType, BandMultiplier, BasePay, CommissionRate,
                                      IncentiveSettings, Nomination, PayoutStatement,
                                      PayRuleVersion, TeamActivity)
from portal.targets import services as targets
from tests.conftest import home_page
from tests.customer_factories import make_customer, make_sale, make_target
from tests.factories import make_user
from tests.incentive_factories import PERIOD, make_rules, statement_url

def allow_managers(value: bool = True):
    db.session.add(IncentiveSettings(managers_see_reports=value))
    db.session.commit()


@pytest.fixture
def client_as(client_as_en):
    """Signed-in clients whose browser asks for English, so texts can be asserted."""
    return client_as_en


# --- privacy -----------------------------------------------------------------------------------

def test_staff_see_their_own_pay_only(org, client_as):
    make_rules(org)
    staff1 = client_as("staff1")
    own = staff1.get(statement_url(org, "staff1"))
    assert own.status_code == 200 and "¥8,000.00" in own.text
    assert staff1.get(statement_url(org, "staff2")).status_code == 404
    listing = staff1.get(f"/incentives/statements?period={PERIOD}")
    assert "李娜" in listing.text and "王强" not in listing.text and "刘洋" not in listing.text
    csv_text = staff1.get(f"/incentives/statements/export.csv?period={PERIOD}").text
    assert "staff1" in csv_text and "staff2" not in csv_text


def test_managers_see_no_pay_by_default(org, client_as):
    make_rules(org)
    manager1 = client_as("manager1")
    assert manager1.get(statement_url(org, "staff1")).status_code == 404
    listing = manager1.get(f"/incentives/statements?period={PERIOD}")
    assert "李娜" not in listing.text
    assert "staff1" not in manager1.get(f"/incentives/statements/export.csv?period={PERIOD}").text


def test_managers_see_their_reports_statements_when_hr_allows_it(org, client_as):
    make_rules(org)
    allow_managers()
    manager1 = client_as("manager1")
    assert manager1.get(statement_url(org, "staff1")).status_code == 200
    assert manager1.get(statement_url(org, "staff3")).status_code == 404  # another area
    assert manager1.get(statement_url(org, "hr")).status_code == 404
    listing = manager1.get(f"/incentives/statements?period={PERIOD}").text
    assert "李娜" in listing and "王强" in listing and "刘洋" not in listing
    # staff are not widened by the setting
    assert client_as("staff1").get(statement_url(org, "staff2")).status_code == 404


def test_admins_are_not_hr_and_see_no_one_elses_pay(org, client_as):
    make_rules(org)
    assert client_as("admin").get(statement_url(org, "staff1")).status_code == 404


def test_hr_sees_everyone_and_turns_the_setting_on(org, client_as):
    make_rules(org)
    hr = client_as("hr")
    assert hr.get(statement_url(org, "staff3")).status_code == 200
    response = hr.post("/incentives/settings", data={"managers_see_reports": "y"})
    assert response.status_code == 303
    assert pay.managers_see_reports() is True
    assert db.session.scalar(select(func.count(AuditLog.id))
                             .where(AuditLog.action == "incentive_settings.update")) == 1
    assert client_as("manager1").get(statement_url(org, "staff1")).status_code == 200


# --- statements --------------------------------------------------------------------------------

def test_statement_without_other_modules_says_no_data(org, client_as):
    make_rules(org)
    page = client_as("staff1").get(statement_url(org, "staff1", period="2026-Q4")).text
    assert "¥24,000.00" in page  # 8,000 × 3
    assert "No appraisal band for the period: no data." in page
    assert "no data" in page


def test_adapter_takes_attainment_from_the_targets_module(org, client_as):
    """The adapter imports the targets module (no lookup by name): its attainment, credited
    sales over the months' targets, drives the commission tier and the what-if."""
    make_rules(org)
    staff1 = org.users["staff1"]
    make_target(staff1, date(2026, 10, 1), "100000")
    make_sale(make_customer(staff1), org.product_lines[0], date(2026, 10, 3), "95000")
    db.session.commit()
    period = pay.parse_period("2026-Q4")
    inputs = pay.gather_inputs([staff1.id], period)[staff1.id]
    assert inputs.attainment == targets.attainment_percent(staff1.id, period.start, period.end)
    assert (inputs.attainment, inputs.band) == (D("95"), None)  # no finalised appraisal
    st = pay.statement_from(inputs, period)
    assert st.amount_of("commission") == D("1900.00")  # 2 % of 95,000
    page = client_as("staff1").get(statement_url(org, "staff1", period="2026-Q4",
                                                 what_if="100")).text
    assert "¥2,000.00" in page and "What if I reach 100%?" in page  # 2 % of 100,000


def test_rules_are_versioned_by_period(org):
    make_rules(org)
    later = PayRuleVersion(effective_from=date(2026, 11, 1), base_bonus=D("3000"))
    later.base_pays = [BasePay(user_id=org.users["staff1"].id, monthly=D("9000"))]
    db.session.add(later)
    db.session.commit()
    uid = org.users["staff1"].id
    october = pay.gather_inputs([uid], pay.parse_period("2026-10"))[uid]
    november = pay.gather_inputs([uid], pay.parse_period("2026-11"))[uid]
    assert october.rules.base_monthly == D("8000") and november.rules.base_monthly == D("9000")
    assert pay.gather_inputs([uid], pay.parse_period("2025-12")) == {}


def test_bad_period_is_refused(org, client_as):
    make_rules(org)
    response = client_as("staff1").get(statement_url(org, "staff1", period="2026-13"))
    assert response.status_code == 422
    assert "Enter a month (2026-11) or a quarter (2026-Q4)." in response.text
    assert 'value="2026-13"' in response.text
    bad_what_if = client_as("staff1").get(statement_url(org, "staff1", what_if="-3"))
    assert bad_what_if.status_code == 422


# --- approval locks a period -------------------------------------------------------------------

def test_approval_freezes_statements_and_locks_the_rules(org, client_as):
    version = make_rules(org)
    hr = client_as("hr")
    assert hr.get(f"/incentives/approve?period={PERIOD}").status_code == 200
    assert hr.post(f"/incentives/approve?period={PERIOD}").status_code == 303
    frozen = db.session.scalars(select(PayoutStatement)).all()
    assert {s.user_id for s in frozen} == {org.users[u].id for u in ("staff1", "staff2", "staff3")}
    assert next(s for s in frozen if s.user_id == org.users["staff1"].id).total == D("8000.00")
    assert db.session.get(PayRuleVersion, version.id).locked_at is not None

    # the rules of a locked period can no longer change
    before = db.session.scalar(select(BasePay.monthly).where(
        BasePay.user_id == org.users["staff1"].id))
    assert hr.post(f"/incentives/rules/{version.id}/base-pay",
                   data={"user_id": org.users["staff1"].id, "monthly": "1"}).status_code == 403
    assert hr.post(f"/incentives/rules/{version.id}",
                   data={"base_bonus": "1", **{f"band_{b}": "1" for b in "SABCD"}}
                   ).status_code == 403
    rate = version.commission_rates[0]
    assert hr.post(f"/incentives/rates/{rate.id}/delete").status_code == 403
    assert db.session.scalar(select(BasePay.monthly).where(
        BasePay.user_id == org.users["staff1"].id)) == before
    # nor can new rules reach back into it
    response = hr.post("/incentives/rules", data={
        "effective_from": "2026-10", "base_bonus": "5000", **{f"band_{b}": "1" for b in "SABCD"}})
    assert response.status_code == 422 and "are approved" in response.text
    assert db.session.scalar(select(func.count(PayRuleVersion.id))) == 1
    # approving again changes nothing
    hr.post(f"/incentives/approve?period={PERIOD}")
    assert db.session.scalar(select(func.count(PayoutStatement.id))) == 3
    page = hr.get(f"/incentives/statements?period={PERIOD}").text
    assert "Approved and locked" in page


def test_staff_cannot_approve(org, client_as):
    make_rules(org)
    assert client_as("staff1").post(f"/incentives/approve?period={PERIOD}").status_code == 403
    assert client_as("manager1").post(f"/incentives/approve?period={PERIOD}").status_code == 403
    assert db.session.scalar(select(func.count(PayoutStatement.id))) == 0


# --- rules: bad input --------------------------------------------------------------------------

def test_negative_base_pay_is_refused_and_nothing_saved(org, client_as):
    version = make_rules(org)
    response = client_as("hr").post(f"/incentives/rules/{version.id}/base-pay",
                                    data={"user_id": org.users["staff1"].id, "monthly": "-500"})
    assert response.status_code == 422
    assert "Enter an amount between 0 and 10,000,000." in response.text
    assert 'value="-500"' in response.text
    assert db.session.scalar(select(BasePay.monthly).where(
        BasePay.user_id == org.users["staff1"].id)) == D("8000")


def test_new_rules_with_a_bad_month_are_refused(org, client_as):
    response = client_as("hr").post("/incentives/rules", data={
        "effective_from": "2026-13", "base_bonus": "abc", **{f"band_{b}": "1" for b in "SABCD"}})
    assert response.status_code == 422
    assert "Enter a month as YYYY-MM, e.g. 2026-11." in response.text
    assert 'value="2026-13"' in response.text
    assert db.session.scalar(select(func.count(PayRuleVersion.id))) == 0


def test_hr_creates_a_version_copying_the_previous_one_and_sets_a_tier(org, client_as):
    make_rules(org)
    hr = client_as("hr")
    response = hr.post("/incentives/rules", data={
        "effective_from": "2026-12", "base_bonus": "2500", "copy_previous": "y",
        **{f"band_{b}": v for b, v in zip("SABCD", ["2", "1.5", "1", "0.5", "0"])}})
    assert response.status_code == 303
    new = db.session.scalar(select(PayRuleVersion).where(
        PayRuleVersion.effective_from == date(2026, 12, 1)))
    assert len(new.base_pays) == 3 and len(new.commission_rates) == 1
    response = hr.post(f"/incentives/rules/{new.id}/commission", data={
        "product_line_id": org.product_lines[0].id, "min_attainment": "100",
        "rate_percent": "3"})
    assert response.status_code == 303
    db.session.refresh(new)
    assert sorted((r.min_attainment, r.rate_percent) for r in new.commission_rates) == [
        (D("0"), D("2")), (D("100"), D("3"))]
    assert db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action.in_(["pay_rules.create", "commission_rate.set"]))) == 2


# --- exports -----------------------------------------------------------------------------------

def test_exports_neutralise_formulas(org, client_as):
    org.users["staff1"].display_name = "=HYPERLINK(\"http://evil\")"
    make_rules(org)
    hr = client_as("hr")
    csv_text = hr.get(f"/incentives/statements/export.csv?period={PERIOD}").text
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
    response = hr.get(f"/incentives/statements/export.xlsx?period={PERIOD}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows())
    assert len(rows) == 4
    row = next(r for r in rows if r[0].value == "staff1")
    # Excel: a cell typed as text shows the text and is never run (no apostrophe needed, issue 17).
    assert row[1].value == "=HYPERLINK(\"http://evil\")" and row[1].data_type == "s"
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml")
    assert row[4].value == 8000  # money stays a number


@pytest.mark.parametrize("kind, mimetype", [
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
def test_payout_exports_are_private_downloads(org, client_as, kind, mimetype):
    """Payouts are personal: no proxy or browser cache keeps them; the name says the period."""
    make_rules(org)
    response = client_as("staff1").get(f"/incentives/statements/export.{kind}?period={PERIOD}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="payouts-{PERIOD}.{kind}"' in disposition
    assert f"filename*=UTF-8''payouts-{PERIOD}.{kind}" in disposition


def test_statement_pages_link_only_their_own_arguments(org, client_as):
    """The pagination of the statements carries the period, not whatever else was asked."""
    version = make_rules(org)
    for i in range(30):
        person = make_user(f"extra{i}")
        db.session.add(BasePay(version_id=version.id, user_id=person.id, monthly=D("5000")))
    db.session.commit()
    page = client_as("hr").get(f"/incentives/statements?period={PERIOD}&_anchor=x&junk=1").text
    links = re.findall(r'href="([^"]*page=2[^"]*)"', page)
    assert links and set(links) == {f"/incentives/statements?period={PERIOD}&amp;page=2"}


# --- list pages: SQL statements bounded --------------------------------------------------------

def test_statement_list_runs_the_same_number_of_statements_for_3_and_30(org, client_as,
                                                                         count_queries):
    version = make_rules(org)
    hr = client_as("hr")
    url = f"/incentives/statements?period={PERIOD}"
    hr.get(url)
    with count_queries() as few:
        assert hr.get(url).status_code == 200
    for i in range(27):
        person = make_user(f"pay{i}", area=org.areas[0], manager=org.users["manager1"])
        db.session.add(BasePay(version_id=version.id, user_id=person.id, monthly=D("5000")))
    db.session.commit()
    with count_queries() as many:
        assert hr.get(url).status_code == 200
    assert many.count == few.count, (few.statements, many.statements)


def test_awards_and_activities_lists_are_bounded(org, client_as, count_queries):
    kind = AwardType(name="月度之星", name_en="Monthly star")
    db.session.add(kind)

    def add(n):
        for i in range(n):
            db.session.add(Nomination(award_type=kind, period="2026-11", reason="好",
                                      nominee_id=org.users["staff1"].id, status="won"))
            db.session.add(TeamActivity(area_id=org.areas[0].id, held_on=date(2026, 11, 1),
                                        title=f"活动{i}"))
        db.session.commit()

    add(3)
    hr = client_as("hr")
    hr.get("/incentives/awards")
    with count_queries() as few:
        hr.get("/incentives/awards")
        hr.get("/incentives/activities")
    add(27)
    with count_queries() as many:
        hr.get("/incentives/awards")
        hr.get("/incentives/activities")
    assert many.count == few.count


# --- awards and activities ---------------------------------------------------------------------

def test_nomination_decision_and_winner_on_the_home_page(org, client_as):
    kind = AwardType(name="月度之星", name_en="Monthly star")
    db.session.add(kind)
    db.session.commit()
    manager1 = client_as("manager1")
    # manager1 cannot nominate someone of another area
    response = manager1.post("/incentives/awards/nominate", data={
        "award_type_id": kind.id, "period": "2026-11", "nominee_id": org.users["staff3"].id,
        "area_id": 0, "reason": "客户满意度高"})
    assert response.status_code == 422
    assert "客户满意度高" in response.text
    assert db.session.scalar(select(func.count(Nomination.id))) == 0
    response = manager1.post("/incentives/awards/nominate", data={
        "award_type_id": kind.id, "period": "2026-11", "nominee_id": org.users["staff1"].id,
        "area_id": 0, "reason": "客户满意度高"})
    assert response.status_code == 303
    nomination = db.session.scalar(select(Nomination))
    assert client_as("staff1").get(f"/incentives/awards/nominations/{nomination.id}"
                                   ).status_code == 403
    staff2 = client_as("staff2")
    assert "Award winners" not in home_page(staff2)  # a pending nomination is not public
    response = client_as("hr").post(f"/incentives/awards/nominations/{nomination.id}",
                                    data={"decision": "won"})
    assert response.status_code == 303
    home = home_page(staff2)
    assert "Award winners" in home and "李娜" in home and "Monthly star" in home


def test_team_award_needs_a_team(org, client_as):
    kind = AwardType(name="团队奖", name_en="Team award", for_team=True)
    db.session.add(kind)
    db.session.commit()
    response = client_as("manager1").post("/incentives/awards/nominate", data={
        "award_type_id": kind.id, "period": "2026", "nominee_id": 0, "area_id": 0,
        "reason": "团结协作"})
    assert response.status_code == 422 and "A team award goes to a team" in response.text


def test_activities_are_seen_by_their_area_only(org, client_as):
    manager1 = client_as("manager1")
    response = manager1.post("/incentives/activities/new", data={
        "area_id": org.areas[0].id, "held_on": "2026-11-08", "title": "城东营业区秋季登山",
        "participants": "12", "cost": "1800"})
    assert response.status_code == 303
    assert "秋季登山" in client_as("staff1").get("/incentives/activities").text
    assert "秋季登山" not in client_as("staff3").get("/incentives/activities").text
    # manager1 cannot log for the other area
    response = manager1.post("/incentives/activities/new", data={
        "area_id": org.areas[1].id, "held_on": "2026-11-08", "title": "越界"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(TeamActivity.id))) == 1
    assert client_as("staff1").get("/incentives/activities/new").status_code == 403


@pytest.mark.parametrize("who", ["staff1", "manager1", "hr", "admin"])
def test_index_for_every_role(org, client_as, who):
    assert client_as(who).get("/incentives/").status_code == 200


# --- the adapter with the customers module's sales ---------------------------------------------

def test_sales_count_for_whoever_owned_the_customer_on_the_sale_date(org, client_as):
    """A customer moves from staff1 to staff2 on 16 October: each keeps the sales of their days.

    staff1: 100,000 broadband on 3 Oct  → 2 % = 2,000.00 (base 8,000: total 10,000.00)
    staff2:  50,000 broadband on 20 Oct → 2 % = 1,000.00; a November sale is outside the month.
    """
    from tests.customer_factories import make_customer, make_sale
    from portal.models.customers import CustomerAssignment

    make_rules(org)
    broadband = org.product_lines[0]
    customer = make_customer(org.users["staff1"])
    customer.assignments[0].ends_on = date(2026, 10, 16)
    customer.assignments.append(CustomerAssignment(account_manager_id=org.users["staff2"].id,
                                                   starts_on=date(2026, 10, 16)))
    make_sale(customer, broadband, date(2026, 10, 3), "100000")
    make_sale(customer, broadband, date(2026, 10, 20), "50000")
    make_sale(customer, broadband, date(2026, 11, 2), "70000")
    db.session.commit()
    period = pay.parse_period(PERIOD)
    ids = [org.users["staff1"].id, org.users["staff2"].id]
    inputs = pay.gather_inputs(ids, period)
    one, two = (pay.statement_from(inputs[i], period) for i in ids)
    assert one.amount_of("commission") == D("2000.00") and one.total == D("10000.00")
    assert two.amount_of("commission") == D("1000.00")
    page = client_as("staff1").get(statement_url(org, "staff1")).text
    assert "¥100,000.00" in page and "¥2,000.00" in page


def test_batch_attainment_agrees_with_the_targets_module(org):
    """The statement list reads attainment for a page of people at once; it must equal
    portal.targets.services.attainment_percent person by person."""
    from tests.customer_factories import make_customer, make_sale, make_target
    from portal.targets.services import attainment_percent

    make_rules(org)
    customer = make_customer(org.users["staff1"])
    make_sale(customer, org.product_lines[0], date(2026, 10, 3), "95000")
    make_target(org.users["staff1"], date(2026, 10, 1), "100000")
    db.session.commit()
    period = pay.parse_period(PERIOD)
    ids = [org.users["staff1"].id, org.users["staff2"].id]
    batch = pay.attainment_for_many(ids, period)
    assert batch == {uid: attainment_percent(uid, period.start, period.end) for uid in ids}
    assert batch[ids[0]] == D("95.0") and batch[ids[1]] is None


def test_no_rules_in_force_means_no_statement(org, client_as):
    make_rules(org, start=date(2026, 6, 1))
    hr = client_as("hr")
    page = hr.get("/incentives/statements?period=2026-05").text
    assert "No statement for this period" in page
    assert "No statement for this period" in hr.get(statement_url(org, "staff1", "2026-05")).text
    response = hr.post("/incentives/approve?period=2026-05")
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(PayoutStatement.id))) == 0


def test_htmx_gets_the_rows_alone(org, client_as):
    make_rules(org)
    response = client_as("hr").get(f"/incentives/statements?period={PERIOD}",
                                   headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "李娜" in response.text
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("period", ["9999-12", "0001-Q1"])
def test_a_period_outside_the_calendar_is_refused(org, client_as, period):
    """A well-formed key the calendar cannot hold is a bad period, not an error page."""
    staff1 = client_as("staff1")
    response = staff1.get(statement_url(org, "staff1", period=period))
    assert response.status_code == 422
    assert "Enter a month (2026-11) or a quarter (2026-Q4)." in response.text
    assert staff1.get(f"/incentives/statements/export.csv?period={period}").status_code == 404
