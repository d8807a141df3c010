"""The payout computation, worked by hand; periods; formula-injection neutralising."""
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from portal.incentives import services as pay
from portal.incentives.services import Rules, Tier, compute_statement

BB, MOB = 1, 2
TIERED = [Tier(D("0"), D("1")), Tier(D("80"), D("2")), Tier(D("100"), D("3"))]
MULTIPLIERS = {"S": D("1.5"), "A": D("1.2"), "B": D("1.0"), "C": D("0.5"), "D": D("0")}


def rules(**changes) -> Rules:
    base = dict(base_monthly=D("8000"), base_bonus_monthly=D("2000"), multipliers=MULTIPLIERS,
                commission={BB: TIERED, MOB: [Tier(D("0"), D("1.5"))]},
                line_names={BB: "宽带", MOB: "移动通信"})
    base.update(changes)
    return Rules(**base)


def amounts(statement) -> dict:
    return {line.label: line.amount for line in statement.lines}


def test_quarter_worked_by_hand():
    """Q4, band A, 95 % attainment.

    base        8,000 × 3                      = 24,000.00
    bonus       2,000 × 3 × 1.2                =  7,200.00
    broadband   150,000.00 × 2 % (80–100 tier) =  3,000.00
    mobile      33,333.33 × 1.5 % = 499.99995  →    500.00
    total                                       = 34,700.00
    """
    st = compute_statement(rules(), 3, {BB: D("150000"), MOB: D("33333.33")}, D("95"), "A")
    assert amounts(st) == {"base": D("24000.00"), "bonus": D("7200.00"), "宽带": D("3000.00"),
                           "移动通信": D("500.00")}
    assert st.total == D("34700.00")
    assert st.complete
    assert st.amount_of("commission") == D("3500.00")


@pytest.mark.parametrize("attainment, rate, amount", [
    (D("79.99"), D("1"), D("1000.00")),   # below 80 %: 1 %
    (D("80"), D("2"), D("2000.00")),      # 80 % is in the 80–100 tier
    (D("100"), D("3"), D("3000.00")),     # the 3 % tier applies from 100 % on
    (D("130"), D("3"), D("3000.00")),
])
def test_tier_boundaries_on_100000_of_sales(attainment, rate, amount):
    st = compute_statement(rules(), 1, {BB: D("100000")}, attainment, "B")
    line = next(line for line in st.lines if line.product_line_id == BB)
    assert (line.rate, line.amount) == (rate, amount)
    # a month, band B: 8,000 + 2,000 × 1.0 + commission; no mobile sales: 0.00
    assert st.total == D("10000.00") + amount


def test_below_the_lowest_tier_earns_no_commission():
    st = compute_statement(rules(commission={BB: [Tier(D("50"), D("2"))]}), 1,
                           {BB: D("10000")}, D("40"), "B")
    line = st.lines[-1]
    assert (line.amount, line.note) == (D("0.00"), "below_tiers")


def test_missing_inputs_give_no_data_not_invented_numbers():
    st = compute_statement(rules(), 1, None, None, None)
    assert amounts(st) == {"base": D("8000.00"), "bonus": None, "commission": None}
    assert [line.note for line in st.lines] == ["", "no_band", "no_sales"]
    assert not st.complete
    assert st.total == D("8000.00")
    assert st.amount_of("bonus") is None


def test_missing_attainment_blocks_only_tiered_lines():
    st = compute_statement(rules(), 1, {BB: D("1000"), MOB: D("1000")}, None, "S")
    by_line = {line.product_line_id: line for line in st.lines if line.kind == "commission"}
    assert by_line[BB].amount is None and by_line[BB].note == "no_attainment"
    assert by_line[MOB].amount == D("15.00")  # flat 1.5 % needs no attainment
    assert amounts(st)["bonus"] == D("3000.00")  # 2,000 × 1.5


def test_unknown_band_has_no_multiplier():
    st = compute_statement(rules(multipliers={"A": D("1")}), 1, {}, D("90"), "S")
    assert st.lines[1].note == "no_multiplier" and st.lines[1].amount is None


def test_rounding_is_half_up_per_line():
    st = compute_statement(rules(commission={BB: [Tier(D("0"), D("1"))]}), 1,
                           {BB: D("0.50")}, D("50"), "B")
    assert st.lines[-1].amount == D("0.01")  # 0.005 → 0.01


def test_what_if_scales_sales_to_the_imagined_attainment():
    """At 75 % with 150,000 of broadband, reaching 100 % means 200,000 sold, at 3 %: 6,000."""
    sales = pay.what_if_sales({BB: D("150000")}, D("75"), D("100"))
    assert sales == {BB: D("200000.00")}
    st = compute_statement(rules(commission={BB: TIERED}), 3, sales, D("100"), "A")
    assert st.lines[-1].amount == D("6000.00")
    assert pay.what_if_sales({BB: D("10")}, None, D("100")) == {BB: D("10")}
    assert pay.what_if_sales(None, D("50"), D("100")) is None


@pytest.mark.parametrize("key, start, end, months", [
    ("2026-11", "2026-11-01", "2026-11-30", 1),
    ("2026-02", "2026-02-01", "2026-02-28", 1),
    ("2026-Q4", "2026-10-01", "2026-12-31", 3),
    ("2026-Q1", "2026-01-01", "2026-03-31", 3),
])
def test_periods(key, start, end, months):
    period = pay.parse_period(key)
    assert (str(period.start), str(period.end), period.months) == (start, end, months)


@pytest.mark.parametrize("key", ["2026-13", "2026-Q5", "26-11", "", "2026-11; drop"])
def test_bad_periods(key):
    assert pay.parse_period(key) is None


def test_statement_lines_survive_the_json_round_trip():
    st = compute_statement(rules(), 3, {BB: D("150000")}, D("95"), None)
    again = [pay.line_from_json(pay.line_to_json(line)) for line in st.lines]
    assert tuple(again) == st.lines


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"x\")"])
def test_formula_injection_is_neutralised(text):
    assert pay.neutralise(text) == "'" + text
    assert pay.neutralise("李娜") == "李娜"
    assert pay.neutralise(D("-5.00")) == D("-5.00")  # numbers stay numbers
    csv_text = pay.to_csv(["name"], [[text]])
    assert csv_text.splitlines()[1].lstrip('"').startswith("'")
    book = load_workbook(io.BytesIO(pay.to_xlsx("payouts 2026-11", ["name", "total"],
                                                [[text, D("12.50")]])))
    sheet = book.active
    assert sheet["A2"].value == text and sheet["A2"].data_type == "s"  # typed text, no '
    assert sheet["B2"].value == 12.5
