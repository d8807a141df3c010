"""The monthly sales summary against the raw sums of the sales, after random writes through the
services (hand-entered sales, deletions, an import, reassignments, a customer's type changed),
and the rebuild command; the same for the kept pairs of customer and product line bought."""
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select

from portal.customers.services import reassign
from portal.extensions import db
from portal.models.customers import Customer, CustomerAssignment
from portal.models.sales import CustomerProductLine, SalesRecord, SalesSummary
from portal.kernel.periods import month_start
from portal.targets import services
from portal.targets.imports import check_file, import_rows
from portal.targets.sales import credit_join
from tests.customer_factories import make_customer


def raw_sums() -> dict:
    """(person, month, line, type) → (amount, count), summed in Python from the sales."""
    found = defaultdict(lambda: [Decimal("0"), 0])
    for user_id, day, line_id, type_id, amount in db.session.execute(
            select(CustomerAssignment.account_manager_id, SalesRecord.sold_on,
                   SalesRecord.product_line_id, Customer.type_id, SalesRecord.amount)
            .select_from(SalesRecord).join(CustomerAssignment, credit_join())
            .join(Customer, Customer.id == SalesRecord.customer_id)):
        cell = found[(user_id, month_start(day), line_id, type_id)]
        cell[0] += Decimal(str(amount))
        cell[1] += 1
    return {k: (v[0].quantize(Decimal("0.01")), v[1]) for k, v in found.items()}


def summary_sums() -> dict:
    """The same from the summary (a key may have several rows: a deleted type's rows)."""
    found = defaultdict(lambda: [Decimal("0"), 0])
    for row in db.session.execute(select(SalesSummary.user_id, SalesSummary.month,
                                         SalesSummary.product_line_id,
                                         SalesSummary.customer_type_id, SalesSummary.amount,
                                         SalesSummary.sales_count)):
        cell = found[tuple(row[:4])]
        cell[0] += Decimal(str(row.amount))
        cell[1] += row.sales_count
    return {k: (v[0].quantize(Decimal("0.01")), v[1]) for k, v in found.items() if v[1]}


def raw_pairs() -> set:
    return set(db.session.execute(select(SalesRecord.customer_id, SalesRecord.product_line_id)))


def kept_pairs() -> set:
    rows = db.session.execute(select(CustomerProductLine.customer_id,
                                     CustomerProductLine.product_line_id)).all()
    assert len(rows) == len(set(rows))
    return set(rows)


def test_summary_follows_random_writes(app, org):
    rng = random.Random(16)
    staff = [org.users["staff1"], org.users["staff2"]]
    assert staff[0].area_id == staff[1].area_id
    types = [*org.customer_types, None]
    customers = []
    for n in range(6):
        customer = make_customer(staff[n % 2], f"汇总客户{n}")
        customer.type_id = rng.choice(types).id if rng.random() < .8 and org.customer_types \
            else None
        customers.append(customer)
    db.session.commit()
    start = date(2025, 9, 1)
    sales = []
    for step in range(60):
        action = rng.random()
        if action < .6 or not sales:
            sales.append(services.record_sale(
                rng.choice(customers).id, start + timedelta(days=rng.randint(0, 440)),
                rng.choice(org.product_lines).id,
                Decimal(rng.randint(100, 900000)) / 100, f"R{step}", org.users["manager1"]))
        elif action < .75:
            services.delete_sale(sales.pop(rng.randrange(len(sales))))
        elif action < .85:
            sale = rng.choice(sales)
            sale.amount = Decimal(rng.randint(100, 900000)) / 100
            sale.sold_on = start + timedelta(days=rng.randint(0, 440))
            if rng.random() < .5:  # a line corrected: the pairs change, the summary moves
                sale.product_line_id = rng.choice(org.product_lines).id
        elif action < .95:
            customer = rng.choice(customers)
            owner = staff[1] if customer.account_manager_id == staff[0].id else staff[0]
            current = db.session.scalar(
                select(func.max(CustomerAssignment.starts_on))
                .where(CustomerAssignment.customer_id == customer.id)) or date(2025, 9, 1)
            reassign(customer, owner, org.users["manager1"],
                     current + timedelta(days=rng.randint(1, 40)), "测试")
        else:
            customer = rng.choice(customers)
            customer.type_id = rng.choice(types).id if rng.random() < .7 else None
        db.session.commit()
        if step % 10 == 9:
            assert summary_sums() == raw_sums(), step
            assert kept_pairs() == raw_pairs(), step

    # An import: many sales in one flush.
    lines = "\n".join(f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},{c.code},"
                      f"{rng.choice(org.product_lines).code},{rng.randint(1, 5000)}.50,IMP{i}"
                      for i, c in enumerate(rng.choices(customers, k=30)))
    report = check_file("sales.csv", f"date,customer,product_line,amount,reference\n{lines}"
                        .encode(), select(Customer), org.today)
    assert len(report.good_rows) == 30
    import_rows(report, org.users["manager1"], only_good=False)
    db.session.commit()
    raw = raw_sums()
    assert summary_sums() == raw
    assert sum(count for _a, count in raw.values()) > 50
    assert kept_pairs() == raw_pairs() and len(raw_pairs()) > 12


def test_a_rolled_back_write_leaves_the_summary_alone(app, org):
    customer = make_customer(org.users["staff1"], "回滚客户")
    services.record_sale(customer.id, date(2026, 3, 3), org.product_lines[0].id,
                         Decimal("100.00"), "", org.users["manager1"])
    db.session.commit()
    before = summary_sums()
    services.record_sale(customer.id, date(2026, 3, 4), org.product_lines[0].id,
                         Decimal("50.00"), "", org.users["manager1"])
    pairs = kept_pairs()
    services.record_sale(customer.id, date(2026, 3, 5), org.product_lines[1].id,
                         Decimal("70.00"), "", org.users["manager1"])
    db.session.flush()
    db.session.rollback()
    assert summary_sums() == before == raw_sums()
    assert kept_pairs() == pairs == raw_pairs()


def test_figures_for_partial_months_add_the_edge_days(app, org):
    staff1 = org.users["staff1"]
    customer = make_customer(staff1, "边界客户")
    for day, amount in ((date(2026, 2, 27), "1.00"), (date(2026, 3, 1), "10.00"),
                        (date(2026, 3, 31), "100.00"), (date(2026, 4, 2), "1000.00")):
        services.record_sale(customer.id, day, org.product_lines[0].id, Decimal(amount), "",
                             org.users["manager1"])
    db.session.commit()
    ids = [staff1.id, org.users["staff2"].id]
    windows = [(date(2026, 2, 27), date(2026, 4, 1)), (date(2026, 2, 1), date(2026, 4, 30)),
               (date(2026, 2, 28), date(2026, 3, 30)), (date(2026, 3, 1), date(2026, 3, 1)),
               (date(2026, 3, 1), date(2026, 3, 31)), (date(2025, 1, 15), date(2026, 11, 26))]
    for start, end in windows:
        rows = db.session.execute(
            select(CustomerAssignment.account_manager_id, func.sum(SalesRecord.amount))
            .select_from(SalesRecord).join(CustomerAssignment, credit_join())
            .where(CustomerAssignment.account_manager_id.in_(ids),
                   SalesRecord.sold_on >= start, SalesRecord.sold_on <= end)
            .group_by(CustomerAssignment.account_manager_id))
        raw = {uid: Decimal(str(total)).quantize(Decimal("0.01")) for uid, total in rows}
        assert services.sales_by_person(ids, start, end) == raw, (start, end)
        by_day = services.sales_breakdown(ids, start, end)
        assert sum((row[-1] for row in by_day), Decimal(0)) == sum(raw.values(), Decimal(0))
    assert services.sales_by_person([staff1.id], date(2026, 4, 1), date(2026, 4, 2))[
        staff1.id] >= Decimal("1000.00")


def test_rebuild_command_restores_a_damaged_summary(app, org, runner):
    customer = make_customer(org.users["staff1"], "重建客户")
    services.record_sale(customer.id, date(2026, 5, 5), org.product_lines[0].id,
                         Decimal("123.45"), "", org.users["manager1"])
    db.session.commit()
    expected = raw_sums()
    assert summary_sums() == expected
    db.session.execute(delete(SalesSummary))
    db.session.execute(delete(CustomerProductLine))
    db.session.commit()
    assert summary_sums() != expected and kept_pairs() == set()
    result = runner.invoke(args=["rebuild-sales-summary"])
    assert result.exit_code == 0, result.output
    assert "Sales summary rebuilt" in result.output
    db.session.expire_all()
    assert summary_sums() == expected
    assert kept_pairs() == raw_pairs() == {(customer.id, org.product_lines[0].id)}
