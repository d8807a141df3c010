"""The targets module through HTTP: sales entry and import, the grid, approval lock, audit."""
import csv
import io
from urllib.parse import quote
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import Workbook
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog
from portal.models.sales import SalesRecord, SalesTarget, TargetStatus
from tests.customer_factories import make_customer, make_sale, make_target


def _csv(rows, header=("date", "customer", "product_line", "amount", "reference")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(client, content: bytes, action="check", name="sales.csv"):
    return client.post("/targets/sales/import", data={
        "file": (io.BytesIO(content), name), "action": action},
        content_type="multipart/form-data", headers={"Accept-Language": "en"})


def _sales_count():
    return db.session.scalar(select(func.count(SalesRecord.id)))


def test_import_with_a_bad_row_leaves_the_database_unchanged(client_as, org):
    make_customer(org.users["staff1"], code="K001")
    client = client_as("staff1")
    content = _csv([["2026-10-01", "K001", "BB", "1000.00", "INV-1"],
                    ["2026-10-02", "K001", "NOPE", "12.345", "INV-2"]])
    response = _upload(client, content, action="import_all")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "no active product line has the code NOPE." in page
    assert "more than two decimals" in page
    assert _sales_count() == 0


def test_good_rows_only_when_asked_and_reimport_counts_nothing_twice(client_as, org):
    make_customer(org.users["staff1"], code="K001")
    make_customer(org.users["staff3"], code="W001")  # another area's customer: refused
    client = client_as("staff1")
    content = _csv([["2026-10-01", "K001", "BB", "1000.00", ""],
                    ["2026-10-01", "K001", "BB", "1000.00", ""],  # a second, equal sale
                    ["2026-10-03", "W001", "BB", "5.00", ""],
                    ["2026/10/04", "k001", "mob", "¥2,000.10", "INV-9"]])
    check = _upload(client, content)
    assert check.status_code == 200
    assert "no customer of yours has the code W001." in check.get_data(as_text=True)
    assert _sales_count() == 0  # checking writes nothing
    assert _upload(client, content, action="import_good").status_code == 303
    amounts = sorted(db.session.scalars(select(SalesRecord.amount)))
    assert amounts == [Decimal("1000.00"), Decimal("1000.00"), Decimal("2000.10")]
    # The same file again, even asking for the good rows: nothing is counted twice.
    _upload(client, content, action="import_good")
    assert _sales_count() == 3
    total = db.session.scalar(select(func.sum(SalesRecord.amount)))
    assert Decimal(total) == Decimal("4000.10")


def test_excel_import_and_export_round_trip(client_as, org):
    make_customer(org.users["staff1"], code="K002", name="表格客户")
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "客户编号", "产品线", "金额", "单号"])
    sheet.append([date(2026, 9, 1), "K002", "CLD", 300.5, "X-1"])
    sheet.append(["2026-09-02", "K002", "DL", "0.10", "X-2"])
    out = io.BytesIO()
    book.save(out)
    client = client_as("staff1")
    response = _upload(client, out.getvalue(), action="import_all", name="sales.xlsx")
    assert response.status_code == 303
    assert sorted(db.session.scalars(select(SalesRecord.amount))) == [Decimal("0.10"), Decimal("300.50")]
    exported = client.get("/targets/sales/export?format=csv")
    assert exported.status_code == 200
    text = exported.get_data().decode("utf-8-sig")
    assert "表格客户" in text and "300.50" in text
    # The export goes back in without double counting (same references).
    assert _upload(client, exported.get_data(), action="import_all").status_code == 303
    assert _sales_count() == 2
    xlsx = client.get("/targets/sales/export?format=xlsx")
    assert xlsx.data[:2] == b"PK"


def test_sale_entry_validates_and_keeps_money_exact(client_as, org):
    customer = make_customer(org.users["staff1"])
    other = make_customer(org.users["staff3"])
    client = client_as("staff1")
    line = org.product_lines[0].id
    bad = client.post("/targets/sales/new", data={
        "customer_id": customer.id, "sold_on": "2026-11-01", "product_line_id": line,
        "amount": "12.345", "reference": "手工单号"})
    assert bad.status_code == 422
    assert "12.345" in bad.get_data(as_text=True) and "手工单号" in bad.get_data(as_text=True)
    assert _sales_count() == 0
    refused = client.post("/targets/sales/new", data={
        "customer_id": other.id, "sold_on": "2026-11-01", "product_line_id": line,
        "amount": "1.00"})
    assert refused.status_code == 422 and _sales_count() == 0
    for amount in ("0.10", "0.20"):
        assert client.post("/targets/sales/new", data={
            "customer_id": customer.id, "sold_on": "2026-11-01", "product_line_id": line,
            "amount": amount}).status_code == 303
    total = db.session.scalar(select(func.sum(SalesRecord.amount)))
    assert Decimal(total) == Decimal("0.30")


def test_staff_see_only_sales_of_their_customers(client_as, org):
    mine = make_customer(org.users["staff1"], "甲客户")
    theirs = make_customer(org.users["staff2"], "乙客户")
    make_sale(mine, org.product_lines[0], date(2026, 11, 1), "10.00")
    other = make_sale(theirs, org.product_lines[0], date(2026, 11, 1), "20.00")
    client = client_as("staff1")
    page = client.get("/targets/sales").get_data(as_text=True)
    assert "甲客户" in page and "乙客户" not in page
    assert "乙客户" not in client.get("/targets/sales/export").get_data().decode("utf-8-sig")
    assert client_as("manager1").get(f"/targets/sales/{other.id}/delete").status_code == 200
    assert client_as("manager2").get(f"/targets/sales/{other.id}/delete").status_code == 404


@pytest.mark.parametrize("username", ["staff1", "manager1", "manager2", "hr"])
def test_the_lists_total_is_the_sum_of_what_it_finds(client_as_en, org, username):
    """The total above the sales list (read without the customers' join unless a search needs
    them) equals a hand sum of the sales the user may see, filtered the same way."""
    import re

    lines = org.product_lines
    a = make_customer(org.users["staff1"], "甲客户", code="K-A")
    b = make_customer(org.users["staff2"], "乙客户", code="K-B")
    c = make_customer(org.users["staff3"], "丙客户", code="K-C")
    rows = [(a, lines[0], date(2026, 10, 3), "10.00"), (a, lines[1], date(2026, 11, 2), "0.50"),
            (b, lines[0], date(2026, 11, 5), "200.00"), (c, lines[0], date(2026, 11, 6), "4000")]
    for customer, line, day, amount in rows:
        make_sale(customer, line, day, amount)
    # HR reads the company's figures, not its customers' sales (PRODUCT.md): an empty list
    sees = {"staff1": {a}, "manager1": {a, b}, "manager2": {c}, "hr": set()}[username]
    client = client_as_en(username)
    cases = [("", lambda r: True),
             (f"line={lines[0].id}", lambda r: r[1] == lines[0]),
             ("from=2026-11-01&to=2026-11-05", lambda r: date(2026, 11, 1) <= r[2]
              <= date(2026, 11, 5)),
             ("q=甲客户", lambda r: r[0] == a),
             (f"q=K-&line={lines[0].id}", lambda r: r[1] == lines[0])]
    for query, wanted in cases:
        page = client.get(f"/targets/sales?{query}").get_data(as_text=True)
        shown = re.search(r"Total of the selection: CN?¥([\d,.]+)", page).group(1)
        expected = sum((Decimal(r[3]) for r in rows if r[0] in sees and wanted(r)), Decimal(0))
        assert Decimal(shown.replace(",", "")) == expected, query


def test_grid_saves_audits_refuses_bad_cells_and_locks_approved(client_as, org):
    staff1 = org.users["staff1"]
    client = client_as("manager1")
    assert client.get("/targets/grid?period=2026-Q4").status_code == 200
    response = client.post("/targets/grid?period=2026-Q4", data={
        f"cell-{staff1.id}-202610": "10000", f"cell-{staff1.id}-202611": "abc"})
    assert response.status_code == 422
    assert 'value="abc"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SalesTarget.id))) == 0
    response = client.post("/targets/grid?period=2026-Q4", data={
        f"cell-{staff1.id}-202610": "10000", f"cell-{staff1.id}-202611": "12000.50"})
    assert response.status_code == 303
    amounts = sorted(db.session.scalars(select(SalesTarget.amount)))
    assert amounts == [Decimal("10000.00"), Decimal("12000.50")]
    assert db.session.scalar(select(func.count(AuditLog.id))
                             .where(AuditLog.action == "target.create")) == 2
    # Approve: locked.
    assert client.post("/targets/approve?period=2026-Q4").status_code == 303
    assert set(db.session.scalars(select(SalesTarget.status))) == {TargetStatus.APPROVED}
    response = client.post("/targets/grid?period=2026-Q4", data={f"cell-{staff1.id}-202610": "1"})
    assert response.status_code == 422
    assert db.session.scalar(select(SalesTarget.amount).where(
        SalesTarget.month == date(2026, 10, 1))) == Decimal("10000.00")
    # The htmx cell says the same.
    cell = client.post("/targets/grid/cell", data={
        "user_id": staff1.id, "month": "2026-10-01", "value": "1"}, headers={"HX-Request": "true"})
    assert cell.status_code == 422
    # A change through its own form, by the manager, with a reason, audited.
    target = db.session.scalar(select(SalesTarget).where(SalesTarget.month == date(2026, 10, 1)))
    assert client_as("staff1").post(f"/targets/{target.id}/change",
                                    data={"amount": "1", "reason": "x"}).status_code == 403
    assert client.post(f"/targets/{target.id}/change",
                       data={"amount": "9000", "reason": "市场调整"}).status_code == 303
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "target.change_approved"))
    assert entry.before["amount"] == "10000.00" and entry.after["amount"] == "9000.00"
    assert entry.after["reason"] == "市场调整"


def test_grid_cell_for_someone_not_managed_is_404(client_as, org):
    response = client_as("manager1").post("/targets/grid/cell", data={
        "user_id": org.users["staff3"].id, "month": "2026-10-01", "value": "5"},
        headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(SalesTarget.id))) == 0


def test_attainment_page_shows_the_credited_figures(client_as, org):
    staff1 = org.users["staff1"]
    customer = make_customer(staff1)
    make_sale(customer, org.product_lines[0], date(2026, 10, 5), "2500.25")
    make_target(staff1, date(2026, 10, 1), "10000")
    page = client_as("staff1").get("/targets/?period=2026-10").get_data(as_text=True)
    assert "25%" in page  # 2,500.25 / 10,000 = 25.0025 → 25
    assert "2,500.25" in page
    # staff1 sees only themselves; another person's page is 404.
    assert org.users["staff2"].display_name not in page
    assert client_as("staff1").get(f"/targets/people/{org.users['staff2'].id}").status_code == 404


def test_target_and_sales_pages_run_a_bounded_number_of_statements(client_as, org, count_queries):
    client = client_as("manager1")
    counts = {}
    staff = [u for u in org.users.values() if u.area is org.areas[0] and u.has_role("staff")]
    for n in (3, 30):
        for i in range(n if n == 3 else n - 3):
            owner = staff[i % len(staff)]
            c = make_customer(owner)
            make_sale(c, org.product_lines[i % 5], date.today() - timedelta(days=i), "100.00")
            make_target(owner, date.today().replace(day=1), "1000", line=org.product_lines[i % 5])
        db.session.commit()
        for url in ("/targets/", "/targets/sales", "/targets/grid"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.setdefault(url, []).append(counter.count)
    for url, (few, many) in counts.items():
        assert few == many, (url, few, many)


def test_a_reference_already_recorded_is_not_imported_or_entered_twice(client_as, org):
    customer = make_customer(org.users["staff1"], code="K003")
    make_sale(customer, org.product_lines[0], date(2026, 10, 1), "500.00", reference="INV-7")
    client = client_as("staff1")
    content = _csv([["2026-10-01", "K003", "BB", "500.00", "INV-7"]])
    check = _upload(client, content)
    assert "already imported: skipped" in check.get_data(as_text=True)
    _upload(client, content, action="import_all")
    assert _sales_count() == 1
    response = client.post("/targets/sales/new", data={
        "customer_id": customer.id, "sold_on": "2026-10-01",
        "product_line_id": org.product_lines[0].id, "amount": "500.00", "reference": "INV-7"})
    assert response.status_code == 422 and _sales_count() == 1


def test_export_is_a_private_download_named_after_the_month(client_as, org):
    from portal.kernel import clock

    make_sale(make_customer(org.users["staff1"], code="K010"), org.product_lines[0],
              date(2026, 11, 2), "10.00", reference="E-1")
    db.session.commit()
    with clock.frozen(date(2026, 11, 26)):
        csv_response = client_as("staff1").get("/targets/sales/export?format=csv&format=x")
        xlsx_response = client_as("staff1").get("/targets/sales/export?format=xlsx")
    assert csv_response.status_code == 200
    assert (f"filename*=UTF-8''{quote('销售明细-城东营业区-2026-11.csv')}"
            in csv_response.headers["Content-Disposition"])
    assert csv_response.headers["Cache-Control"] == "private, no-store"
    assert "E-1" in csv_response.get_data().decode("utf-8-sig")
    assert "2026-11.xlsx" in xlsx_response.headers["Content-Disposition"]


def test_export_links_carry_only_the_lists_own_filters(client_as, org):
    """A stray `format` or `_anchor` in the list's URL neither breaks nor reaches the links."""
    html = client_as("manager1").get(
        "/targets/sales?from=2026-11-01&format=pdf&_anchor=x&page=2").get_data(as_text=True)
    assert "/targets/sales/export?format=csv&amp;from=2026-11-01\"" in html
    assert "_anchor" not in html.split("<main", 1)[-1]


def test_a_sale_made_this_morning_in_beijing_is_not_in_the_future(client_as, org):
    """At 07:00 in Beijing UTC still says yesterday; the company's day is the one that counts."""
    from datetime import datetime, timezone

    from portal.kernel import clock

    customer = make_customer(org.users["staff1"], code="K011")
    db.session.commit()
    morning = datetime(2026, 11, 25, 23, 0, tzinfo=timezone.utc)  # 07:00 on the 26th in Beijing
    with clock.frozen(morning.astimezone(clock.zone())):
        response = client_as("staff1").post("/targets/sales/new", data={
            "customer_id": customer.id, "sold_on": "2026-11-26",
            "product_line_id": org.product_lines[0].id, "amount": "5.00"})
    assert response.status_code == 303


def test_an_approved_target_is_locked_against_the_grid(app, org):
    """The rule lives in services.save_cell: repeating the amount is fine, changing it is not."""
    from portal.targets.services import save_cell

    target = make_target(org.users["staff1"], date(2026, 11, 1), "1000",
                         status=TargetStatus.APPROVED)
    db.session.commit()
    month, user_id = target.month, target.user_id
    with app.test_request_context():  # the refusal is a translated message
        assert save_cell(user_id, month, None, None, "1000.00", target) is None
        assert save_cell(user_id, month, None, None, "1200", target) is not None
        assert save_cell(user_id, month, None, None, "", target) is not None
    assert target.amount == Decimal("1000") and target.status == TargetStatus.APPROVED
    assert db.session.scalar(select(func.count(AuditLog.id))) == 0


# --- attainment by customer type (issue 21) -------------------------------------------------------

def _by_type_org(org):
    from tests.factories import make_customer_type
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    school, hospital = make_customer_type("SCHOOL"), make_customer_type("HOSPITAL")
    l0, l1 = org.product_lines[0], org.product_lines[1]

    def customer(owner, kind):
        c = make_customer(owner)
        c.type_id = kind.id if kind else None
        db.session.flush()
        return c

    a, b, c = customer(staff1, school), customer(staff1, hospital), customer(staff1, None)
    d = customer(staff2, school)
    make_sale(a, l0, date(2026, 10, 5), "300")
    make_sale(a, l1, date(2026, 11, 3), "200")
    make_sale(b, l0, date(2026, 11, 10), "500")
    make_sale(c, l0, date(2026, 11, 12), "70")
    make_sale(d, l0, date(2026, 11, 1), "100")
    make_target(staff1, date(2026, 10, 1), "1000", customer_type=school)
    make_target(staff1, date(2026, 11, 1), "400", line=l0, customer_type=school)
    make_target(staff1, date(2026, 11, 1), "600", line=l1, customer_type=school)
    make_target(staff1, date(2026, 11, 1), "2000", customer_type=hospital)
    make_target(staff1, date(2026, 11, 1), "500", line=l0, customer_type=hospital)
    make_target(staff2, date(2026, 11, 1), "600", customer_type=school)
    db.session.commit()
    return school, hospital, l0, l1


def test_attainment_by_customer_type_against_hand_worked_figures(app, org):
    from portal.kernel.periods import Period
    from portal.targets.services import customer_type_rows
    school, hospital, l0, l1 = _by_type_org(org)
    team = [org.users["staff1"].id, org.users["staff2"].id]
    rows = customer_type_rows(team, Period.parse("2026-Q4"))
    D = Decimal
    assert rows == [
        # per type: a type's month target is its overall row, else the sum of its line rows
        (None, school.id, D("2600"), D("600.00")),   # 1000 (Oct) + 400+600 (Nov) + 600 (staff2)
        (None, hospital.id, D("2000"), D("500.00")),  # the overall row wins over the line row
        (None, None, None, D("70.00")),               # a customer without a type
        (l0.id, school.id, D("400"), D("400.00")),
        (l0.id, hospital.id, D("500"), D("500.00")),
        (l0.id, None, None, D("70.00")),
        (l1.id, school.id, D("600"), D("200.00")),
    ]
    # one person only, and a month (whole month from the summary, same answer)
    assert customer_type_rows([org.users["staff2"].id], Period.parse("2026-11")) == [
        (None, school.id, D("600"), D("100.00")), (l0.id, school.id, None, D("100.00"))]


def test_attainment_page_and_exports_show_customer_types(client_as_en, org):
    import openpyxl
    school, hospital, l0, l1 = _by_type_org(org)

    def en(row):
        return row.name_en or row.name
    manager = client_as_en("manager1")
    page = manager.get("/targets/?period=2026-Q4").text
    section = page[page.index('id="by-customer-type"'):]
    assert en(school) in section and en(hospital) in section and "No type" in section
    assert "23.1%" in section and "25%" in section and "33.3%" in section  # one percent format
    assert "Product line × customer type" in section
    r = manager.get("/targets/attainment/export?period=2026-Q4&format=csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Breakdown", "Name or product line"]
    typed = [row for row in rows if row[0] == "Customer type"]
    assert [row[3:] for row in typed] == [[en(school), "2600.00", "600.00", "23.1"],
                                         [en(hospital), "2000.00", "500.00", "25.0"],
                                         ["No type", "", "70.00", ""]]
    crossed = [row for row in rows if row[0] == "Product line × customer type"]
    assert [en(l1), "", en(school), "600.00", "200.00", "33.3"] in [row[1:] for row in crossed]
    people = {row[1] for row in rows if row[0] == "Account manager"}
    assert {org.users["staff1"].display_name, org.users["staff2"].display_name} <= people
    r = manager.get("/targets/attainment/export?period=2026-Q4&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert any(row[0] == "Customer type" and row[3] == en(school) for row in values)
    # staff see only their own figures in it
    own = client_as_en("staff1").get("/targets/attainment/export?period=2026-Q4").get_data(
        as_text=True)
    assert org.users["staff2"].display_name not in own and "500.00" in own
