"""The numbers other modules rely on, against examples computed by hand.

The example: customer X is owned by staff1 until 2026-02-14 and by staff2 from 2026-02-15;
customer Y by staff1 throughout; customer Z by staff1, bought before the period.

sales    X 2026-01-10 BB  10,000.00  → staff1
         X 2026-02-14 MOB  5,000.50  → staff1 (last day of staff1's ownership)
         X 2026-02-15 BB   7,000.00  → staff2 (first day of staff2's)
         X 2026-03-20 BB   3,000.00  → staff2
         Y 2026-03-01 CLD  2,000.25  → staff1
         Y 2026-04-01 BB  99,999.00  → outside Q1
         Z 2024-12-15 CLD  1,000.00, Z 2025-12-01 BB 500.00 → before Q1
targets  staff1: Jan 10,000 overall; Feb BB 4,000 + MOB 6,000 (split only) = 10,000;
                 Mar 20,000 overall (+ a BB split of 5,000 that the overall row supersedes)
                 → 40,000
         staff2: Feb 5,000, Mar 10,000 → 15,000
Q1 2026  staff1: 10,000 + 5,000.50 + 2,000.25 = 17,000.75 / 40,000 = 42.501875 % → 42.5
         staff2: 7,000 + 3,000 = 10,000 / 15,000 = 66.666… % → 66.7
"""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.customers.services import market_expansion, owner_on, reassign, suggest_tier
from portal.extensions import db
from portal.models.customers import Tier, Visit
from portal.targets.services import (attainment_percent, duty_fulfilment_percent,
                                     is_at_risk, parse_period, pro_rated_percent)
from tests.customer_factories import (make_customer, make_duty, make_sale, make_target,
                                      make_visit)

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def example(org):
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    bb, mob, cld = org.product_lines[0], org.product_lines[1], org.product_lines[2]
    x = make_customer(staff1, "客户X", tier=Tier.A)
    y = make_customer(staff1, "客户Y", tier=Tier.A)
    z = make_customer(staff1, "客户Z", tier=Tier.C)
    reassign(x, staff2, org.users["manager1"], date(2026, 2, 15), "交接")
    make_sale(x, bb, date(2026, 1, 10), "10000.00")
    make_sale(x, mob, date(2026, 2, 14), "5000.50")
    make_sale(x, bb, date(2026, 2, 15), "7000.00")
    make_sale(x, bb, date(2026, 3, 20), "3000.00")
    make_sale(y, cld, date(2026, 3, 1), "2000.25")
    make_sale(y, bb, date(2026, 4, 1), "99999.00")
    make_sale(z, cld, date(2024, 12, 15), "1000.00")
    make_sale(z, bb, date(2025, 12, 1), "500.00")
    make_target(staff1, date(2026, 1, 1), "10000")
    make_target(staff1, date(2026, 2, 1), "4000", line=bb)
    make_target(staff1, date(2026, 2, 1), "6000", line=mob)
    make_target(staff1, date(2026, 3, 1), "20000")
    make_target(staff1, date(2026, 3, 1), "5000", line=bb)
    make_target(staff2, date(2026, 2, 1), "5000")
    make_target(staff2, date(2026, 3, 1), "10000")
    db.session.commit()
    return {"x": x, "y": y, "z": z, "staff1": staff1, "staff2": staff2}


def test_sale_counts_for_whoever_owned_the_customer_that_day(example):
    x = example["x"]
    assert owner_on(x.id, date(2026, 2, 14)) == example["staff1"].id
    assert owner_on(x.id, date(2026, 2, 15)) == example["staff2"].id
    assert owner_on(x.id, date(2020, 1, 1)) == example["staff1"].id  # first owner: since always


def test_attainment_matches_the_hand_computed_example(example):
    one = attainment_percent(example["staff1"].id, *Q1)
    two = attainment_percent(example["staff2"].id, *Q1)
    assert one == Decimal("42.5") and isinstance(one, Decimal)
    assert two == Decimal("66.7")


def test_attainment_of_a_single_month(example):
    # March, staff2: 3,000 / 10,000 = 30.0 %; staff1: 2,000.25 / 20,000 = 10.00125 → 10.0
    assert attainment_percent(example["staff2"].id, date(2026, 3, 1), date(2026, 3, 31)) == Decimal("30.0")
    assert attainment_percent(example["staff1"].id, date(2026, 3, 1), date(2026, 3, 31)) == Decimal("10.0")


def test_no_target_means_none(example, org):
    assert attainment_percent(org.users["staff3"].id, *Q1) is None
    assert attainment_percent(example["staff2"].id, date(2026, 1, 1), date(2026, 1, 31)) is None


def test_at_risk_is_pro_rated_to_today():
    # Q1 2026 has 90 days; on 14 February 45 have passed: half the 40,000 target is 20,000.
    start, end, today = date(2026, 1, 1), date(2026, 3, 31), date(2026, 2, 14)
    assert pro_rated_percent(Decimal("15000.50"), Decimal("40000"), start, end, today) == Decimal("75.0")
    assert is_at_risk(Decimal("15000.50"), Decimal("40000"), start, end, today, Decimal("80"))
    assert not is_at_risk(Decimal("16000.00"), Decimal("40000"), start, end, today, Decimal("80"))
    assert not is_at_risk(Decimal("0"), None, start, end, today, Decimal("80"))


def test_periods_roll_up():
    assert parse_period("2026-Q4", date.today()).start == date(2026, 10, 1)
    assert parse_period("2026-Q4", date.today()).end == date(2026, 12, 31)
    assert parse_period("2026-02", date.today()).end == date(2026, 2, 28)
    assert parse_period("2026", date.today()).end == date(2026, 12, 31)
    assert parse_period("nonsense", date(2026, 5, 2)).key == "2026-Q2"


def test_market_expansion(example):
    # staff1: X (first sale 10 Jan, theirs) and Y (1 Mar) are new; Z bought in 2024.
    # Lines sold in Q1: BB, MOB, CLD; in 2025 (the 12 months before) BB only → 2 new.
    # CLD was sold in December 2024, more than 12 months before: it counts as new.
    assert market_expansion(example["staff1"].id, *Q1) == {"new_customers": 2,
                                                           "new_product_lines": 2}
    # staff2 took X over after its first sale: no new customer; BB is new for them.
    assert market_expansion(example["staff2"].id, *Q1) == {"new_customers": 0,
                                                           "new_product_lines": 1}


def test_duty_fulfilment(example, org):
    staff1, x, y = example["staff1"], example["x"], example["y"]
    make_duty("visit_tier_cadence", tier="A")
    make_duty("visit_plan_on_time", parameter=2)
    make_duty("complaints_closed_on_time", parameter=3)  # not installed yet: left out
    make_duty("visit_plan_on_time", area=org.areas[1])  # another area's duty
    # Tier A monthly. X is due in January only (staff2's from 15 Feb), Y in Jan, Feb, Mar: 4.
    # Done: X 5 Jan, Y 20 Jan, Y 4 Mar → 3 of 4 = 75.0 %.
    make_visit(x, staff1, planned_on=date(2026, 1, 5), done_on=date(2026, 1, 5))
    make_visit(y, staff1, planned_on=date(2026, 1, 18), done_on=date(2026, 1, 20))
    make_visit(y, staff1, planned_on=date(2026, 2, 10))
    make_visit(y, staff1, planned_on=date(2026, 3, 1), done_on=date(2026, 3, 4))
    # On time with 2 days of grace: 5 Jan yes, 18→20 Jan yes, 10 Feb never, 1→4 Mar late: 50.0 %.
    db.session.commit()
    assert duty_fulfilment_percent(staff1.id, *Q1) == Decimal("62.5")
    assert duty_fulfilment_percent(org.users["hr"].id, *Q1) is None


def test_tier_suggestion():
    high, medium = Decimal("500000"), Decimal("100000")
    assert suggest_tier(Decimal("600000"), 1, high, medium).tier == Tier.A
    assert suggest_tier(Decimal("150000"), 3, high, medium).tier == Tier.A
    assert suggest_tier(Decimal("150000"), 2, high, medium).tier == Tier.B
    assert suggest_tier(Decimal("100000.00"), 1, high, medium).value_band == "medium"
    assert suggest_tier(Decimal("50000"), 3, high, medium).tier == Tier.B
    assert suggest_tier(Decimal("99999.99"), 2, high, medium).tier == Tier.C


def test_a_later_module_plugs_in_its_duty_kind(org):
    """The complaints module will register "complaints_closed_on_time"; until then it is skipped."""
    from portal.targets.duties import DUTY_KINDS, register_duty_kind

    staff1 = org.users["staff1"]
    make_duty("complaints_closed_on_time", parameter=3)
    db.session.commit()
    assert duty_fulfilment_percent(staff1.id, *Q1) is None
    installed = DUTY_KINDS.get("complaints_closed_on_time")  # the complaints module's, if merged
    register_duty_kind("complaints_closed_on_time", "closed on time",
                       lambda duty, user_id, start, end: Decimal("80.0"))
    try:
        assert duty_fulfilment_percent(staff1.id, *Q1) == Decimal("80.0")
    finally:
        DUTY_KINDS.pop("complaints_closed_on_time")
        if installed is not None:  # leave the kind as the other tests find it
            DUTY_KINDS["complaints_closed_on_time"] = installed


def test_a_manager_adds_a_duty_for_their_area(client_as, org):
    from portal.models.sales import ServiceDuty

    response = client_as("manager1").post("/targets/duties/new", data={
        "name": "C类客户半年拜访", "role": "staff", "kind": "visit_tier_cadence", "tier": "C",
        "expected_percent": "90", "active": "y"})
    assert response.status_code == 303
    duty = db.session.scalar(db.select(ServiceDuty))
    assert duty.area_id == org.areas[0].id and duty.tier == "C"
    assert client_as("manager2").get(f"/targets/duties/{duty.id}/edit").status_code == 403
    bad = client_as("manager1").post("/targets/duties/new", data={
        "name": "", "role": "staff", "kind": "visit_tier_cadence", "expected_percent": "150"})
    assert bad.status_code == 422


def test_one_pass_over_the_sales_gives_the_same_team_lines_and_chart(org):
    """The targets page sums the team's line, the product lines and the monthly chart from one
    sales_breakdown; each must equal what its own queries give."""
    from portal.targets.services import (customer_type_rows, monthly_series, product_line_rows,
                                         sales_breakdown, team_figures)

    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    bb, mob = org.product_lines[0], org.product_lines[1]
    x, y = make_customer(staff1), make_customer(staff2)
    for day, customer, line, amount in [
            (date(2026, 10, 1), x, bb, "100.10"), (date(2026, 10, 31), y, mob, "50.05"),
            (date(2026, 11, 15), x, mob, "70.00"), (date(2026, 11, 15), x, mob, "0.01"),
            (date(2026, 12, 31), y, bb, "9.99"), (date(2026, 9, 30), x, bb, "1000.00")]:
        make_sale(customer, line, day, amount)
    make_target(staff1, date(2026, 11, 1), "300.00")
    make_target(staff2, date(2026, 11, 1), "80.00", line=mob)
    ids = [staff1.id, staff2.id]
    quarter = parse_period("2026-Q4", date(2026, 11, 26))
    breakdown = sales_breakdown(ids, quarter.start, quarter.end)
    assert sum(row[-1] for row in breakdown) == Decimal("230.15")  # September left out
    for period in (parse_period("2026-11", date(2026, 11, 26)), quarter):
        assert team_figures(ids, period, breakdown) == team_figures(ids, period)
        assert product_line_rows(ids, period, breakdown) == product_line_rows(ids, period)
        assert (customer_type_rows(ids, period, breakdown)
                == customer_type_rows(ids, period) != [])
    assert (monthly_series(ids, quarter.start, quarter.end, breakdown)
            == monthly_series(ids, quarter.start, quarter.end))
    november = team_figures(ids, parse_period("2026-11", date(2026, 11, 26)), breakdown)
    assert november.sales == Decimal("70.01") and november.target == Decimal("380.00")


def _reference_month_target(rows):
    """The rule in docs (a person-month's target), written out plainly: the overall row, else
    the rows split by product line only, else by customer type only, else by both."""
    for keep in ((lambda r: r.product_line_id is None and r.customer_type_id is None),
                 (lambda r: r.product_line_id is not None and r.customer_type_id is None),
                 (lambda r: r.product_line_id is None and r.customer_type_id is not None),
                 (lambda r: r.product_line_id is not None and r.customer_type_id is not None)):
        group = [r.amount for r in rows if keep(r)]
        if group:
            return sum(group, Decimal("0"))
    return None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_database_folds_targets_as_the_rule_says(org, seed):
    """Random mixes of overall, by-line, by-type and by-both rows: targets per person, per month
    and per customer type, summed in SQL, equal the rule applied row by row in Python."""
    import random
    from collections import defaultdict

    from portal.models.sales import SalesTarget
    from portal.targets.services import customer_type_rows, monthly_series, targets_by_person

    rng = random.Random(seed)
    people = [org.users["staff1"], org.users["staff2"]]
    lines, kinds = org.product_lines[:3], org.customer_types[:2]
    months = [date(2026, m, 1) for m in (1, 2, 3)]
    used = set()
    for person in people:
        for month in months:
            for _ in range(rng.randint(0, 6)):
                line = rng.choice([None, *lines])
                kind = rng.choice([None, *kinds])
                if (person.id, month, line, kind) in used:
                    continue
                used.add((person.id, month, line, kind))
                make_target(person, month, f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}",
                            line=line, customer_type=kind)
    db.session.commit()
    rows = db.session.scalars(db.select(SalesTarget)).all()
    per_month = defaultdict(list)
    for row in rows:
        per_month[(row.user_id, row.month)].append(row)
    expected_person, expected_month = defaultdict(Decimal), defaultdict(Decimal)
    for (user_id, month), month_rows in per_month.items():
        value = _reference_month_target(month_rows)
        if value is not None:
            expected_person[user_id] += value
            expected_month[month] += value
    ids = [p.id for p in people]
    assert targets_by_person(ids, *Q1) == dict(expected_person)
    assert {m: t for m, t, _s in monthly_series(ids, *Q1) if t is not None} == dict(expected_month)

    expected_type = defaultdict(Decimal)
    for month_rows in per_month.values():
        for kind in kinds:
            overall = [r.amount for r in month_rows
                       if r.customer_type_id == kind.id and r.product_line_id is None]
            split = [r.amount for r in month_rows
                     if r.customer_type_id == kind.id and r.product_line_id is not None]
            if overall or split:
                expected_type[kind.id] += sum(overall or split, Decimal("0"))
    got = {kind: target for line, kind, target, _s in
           customer_type_rows(ids, parse_period("2026-Q1", date(2026, 3, 31)))
           if line is None and target is not None}
    assert got == dict(expected_type)


def test_plans_on_time_at_the_edges_of_the_grace(org):
    """Done on the last day of grace is on time, a day later is not; a plan whose grace ends
    today is not yet due, one whose grace ended yesterday is; cancelled plans and other people's
    are not counted; someone with no plans has no figure."""
    from portal.customers.duties import measure_plan_on_time_many
    from portal.kernel import clock

    staff1, staff2, hr = org.users["staff1"], org.users["staff2"], org.users["hr"]
    customer = make_customer(staff1, "客户P", tier=Tier.B)
    duty = make_duty("visit_plan_on_time", parameter=2)
    today = date(2026, 3, 20)
    make_visit(customer, staff1, planned_on=date(2026, 3, 1), done_on=date(2026, 3, 3))  # met
    make_visit(customer, staff1, planned_on=date(2026, 3, 2), done_on=date(2026, 3, 5))  # late
    make_visit(customer, staff1, planned_on=date(2026, 3, 17))  # grace ended yesterday: due
    make_visit(customer, staff1, planned_on=date(2026, 3, 18))  # grace ends today: not yet
    make_visit(customer, staff1, planned_on=date(2026, 3, 25), done_on=date(2026, 3, 19))  # met
    make_visit(customer, staff1, planned_on=date(2026, 3, 4), cancelled=True)
    make_visit(customer, staff1, planned_on=date(2026, 4, 1), done_on=date(2026, 4, 1))  # later
    make_visit(customer, staff2, planned_on=date(2026, 3, 1), done_on=date(2026, 3, 1))
    db.session.commit()
    with clock.frozen(today):
        measured = measure_plan_on_time_many(duty, [staff1.id, staff2.id, hr.id], *Q1)
    # staff1: met 1 Mar and 25 Mar; due those two, 2 Mar (late) and 17 Mar → 2 of 4
    assert measured == {staff1.id: Decimal("50.0"), staff2.id: Decimal("100.0"), hr.id: None}


def _cadence_by_the_rule(owned, visits, cadences, tiers, start, end, today, user_ids):
    """The tier cadence duty as its docstring states it, written plainly: for each window of the
    tier's cadence clipped to the period, each customer of the tier the person owned on the
    window's last day is due a visit by them within it; windows still open count when visited."""
    from portal.customers.duties import cadence_windows

    owed = {u: set() for u in user_ids}
    met = {u: set() for u in user_ids}
    for user_id, customer_id, tier, owned_from, owned_until in owned:
        if tier not in tiers:
            continue
        for w_start, w_end in cadence_windows(start, end, cadences[tier]):
            if not ((owned_from is None or owned_from <= w_end)
                    and (owned_until is None or w_end < owned_until)):
                continue
            if any(u == user_id and c == customer_id and w_start <= d <= w_end
                   for u, c, d in visits):
                met[user_id].add((customer_id, w_start))
                owed[user_id].add((customer_id, w_start))
            elif w_end < today:
                owed[user_id].add((customer_id, w_start))
    return {u: (Decimal(len(met[u])) * 100 / len(owed[u])).quantize(Decimal("0.1"))
            if owed[u] else None for u in user_ids}


@pytest.mark.parametrize("seed", range(4))
def test_tier_cadence_agrees_with_the_rule_on_random_teams(org, seed):
    """Random cadences (any 1–12 months, 5 and 7 too, whose windows run across years), periods,
    ownership spans, and visits: the measure finds what the rule written plainly finds."""
    import random
    from datetime import timedelta

    from portal.customers.duties import measure_tier_cadence_many
    from portal.customers.services import cadence_months
    from portal.kernel import clock
    from portal.models.customers import CustomerAssignment, VisitCadence

    rng = random.Random(seed)
    people = [org.users["staff1"], org.users["staff2"], org.users["staff3"]]
    for tier in Tier:
        db.session.add(VisitCadence(tier=tier, interval_months=rng.choice([1, 2, 3, 5, 6, 7, 12])))
    day0 = date(2025, 1, 1)
    for _ in range(25):
        first, second = rng.sample(people, 2)
        customer = make_customer(first, tier=rng.choice(list(Tier)))
        if rng.random() < 0.5:  # handed over on a random day, sometimes back again
            handover = day0 + timedelta(days=rng.randint(0, 700))
            customer.assignments[0].ends_on = handover
            back = handover + timedelta(days=rng.randint(1, 200))
            customer.assignments.append(CustomerAssignment(
                account_manager_id=second.id, starts_on=handover,
                ends_on=back if rng.random() < 0.5 else None))
            if customer.assignments[-1].ends_on:
                customer.assignments.append(CustomerAssignment(
                    account_manager_id=first.id, starts_on=back))
        for _ in range(rng.randint(0, 8)):
            make_visit(customer, rng.choice(people),
                       planned_on=day0 + timedelta(days=rng.randint(0, 730)),
                       done_on=day0 + timedelta(days=rng.randint(0, 730)))
    db.session.commit()
    cadences = cadence_months()
    owned = [(a.account_manager_id, a.customer_id, a.customer.tier, a.starts_on, a.ends_on)
             for a in db.session.scalars(select(CustomerAssignment))]
    visits = [(v.account_manager_id, v.customer_id, v.done_on)
              for v in db.session.scalars(select(Visit))]
    ids = [p.id for p in people] + [org.users["hr"].id]
    for _ in range(6):
        start = day0 + timedelta(days=rng.randint(0, 500))
        end = start + timedelta(days=rng.randint(20, 400))
        today = start + timedelta(days=rng.randint(0, 450))
        tier = rng.choice([None, *Tier])
        duty = make_duty("visit_tier_cadence", tier=tier.value if tier else None)
        within = [v for v in visits if start <= v[2] <= end]
        expected = _cadence_by_the_rule(owned, within, cadences, {tier} if tier else set(Tier),
                                        start, end, today, ids)
        with clock.frozen(today):
            assert measure_tier_cadence_many(duty, ids, start, end) == expected, (start, end)
