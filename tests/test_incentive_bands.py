"""The bonus of a payout comes from the rating band of a finalised appraisal
(portal.appraisals.services.final_band/final_bands, called by the incentives adapter)."""
from datetime import date
from decimal import Decimal as D

from portal.appraisals import services as appraisal_services
from portal.extensions import db
from portal.incentives import services as pay
from portal.models.appraisals import Appraisal, AppraisalStatus as S
from tests.appraisal_factories import advance, appraisal_of, make_cycle, make_template
from tests.customer_factories import make_customer, make_sale, make_target
from tests.incentive_factories import make_rules, statement_url


def _appraise(org, statuses):
    """A 2026-Q4 cycle over area A01 (attainment 60 %, a qualitative 40 %), taken to the steps."""
    cycle = make_cycle(make_template((60, 40)), areas=[org.areas[0]])
    for username, status in statuses.items():
        advance(appraisal_of(cycle, org.users[username]), status, hr=org.users["hr"])
    db.session.commit()
    return cycle


def test_payout_includes_the_bonus_of_a_closed_appraisal(org, client_as):
    """Worked by hand, staff1 over 2026-Q4 under make_rules (base 8,000, bonus 2,000, 2 %):

    - target October 100,000, sold 100,000 → attainment 100 %: the figure scores 4 (≥ 100),
      weighted 4/5 × 60 = 48; the manager scores the qualitative indicator 3: 3/5 × 40 = 24;
      final 72 → band B (≥ 70), multiplier 1;
    - base 8,000 × 3 = 24,000.00; bonus 2,000 × 3 × 1 = 6,000.00; commission 2 % × 100,000 =
      2,000.00; total 32,000.00.
    staff2's appraisal is only at the feedback talk: not finalised, so still no band.
    """
    make_rules(org)
    staff1 = org.users["staff1"]
    make_target(staff1, date(2026, 10, 1), "100000")
    make_sale(make_customer(staff1), org.product_lines[0], date(2026, 10, 3), "100000")
    db.session.commit()
    cycle = _appraise(org, {"staff1": S.CLOSED, "staff2": S.FEEDBACK})
    mine = db.session.get(Appraisal, appraisal_of(cycle, staff1).id)
    assert (mine.final_score, mine.band) == (D("72.00"), "B")

    period = pay.parse_period("2026-Q4")
    ids = [staff1.id, org.users["staff2"].id]
    assert appraisal_services.final_bands(ids, period.start, period.end) == {staff1.id: "B"}
    inputs = pay.gather_inputs(ids, period)
    statement = pay.statement_from(inputs[staff1.id], period)
    assert statement.amount_of("base") == D("24000.00")
    assert statement.amount_of("bonus") == D("6000.00")
    assert statement.amount_of("commission") == D("2000.00")
    assert statement.total == D("32000.00") and statement.complete
    assert pay.statement_from(inputs[ids[1]], period).amount_of("bonus") is None

    page = client_as("staff1").get(statement_url(org, "staff1", period="2026-Q4")).text
    assert "¥6,000.00" in page and "¥32,000.00" in page
    assert "No appraisal band for the period: no data." not in page


def test_a_month_takes_the_band_of_the_cycle_it_falls_in(org):
    """October pays one month of the quarter's band: 2,000 × 1 × multiplier of band C (0.5)
    when the manager scores 3 everywhere and there is no figure: 3/5 × 60 + 3/5 × 40 = 60 → C.
    A month outside the cycle has no band."""
    make_rules(org)
    _appraise(org, {"staff1": S.CLOSED})
    staff1 = org.users["staff1"].id
    assert appraisal_services.final_band(staff1, date(2026, 10, 1), date(2026, 10, 31)) == "C"
    assert appraisal_services.final_band(staff1, date(2026, 9, 1), date(2026, 9, 30)) is None
    period = pay.parse_period("2026-10")
    statement = pay.statement_from(pay.gather_inputs([staff1], period)[staff1], period)
    assert statement.amount_of("bonus") == D("1000.00")
