"""The targets grid as a spreadsheet (issue 17-b): export to fill in, import back with a check
step; only the manager's team; approved targets refused with the reason; the unchanged export
imported again changes nothing."""
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog
from portal.models.sales import SalesTarget, TargetStatus
from tests import make_files
from tests.customer_factories import make_target

FILES = make_files.FILES
URL = "/targets/grid/import"


def _post(client, content: bytes, name: str, lang="en"):
    return client.post(URL, data={"file": (io.BytesIO(content), name), "action": "check"},
                       content_type="multipart/form-data", headers={"Accept-Language": lang})


def _confirm(client, page: str, action="import_all"):
    job = re.search(r'name="job" value="(\d+)"', page).group(1)
    return client.post(URL, data={"job": job, "action": action},
                       headers={"Accept-Language": "en"})


def _targets() -> list[tuple]:
    return sorted(db.session.execute(select(
        SalesTarget.user_id, SalesTarget.month, SalesTarget.product_line_id,
        SalesTarget.customer_type_id, SalesTarget.amount, SalesTarget.status)).all())


def test_a_filled_in_grid_from_excel_checks_then_imports(client_as, org):
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    client = client_as("manager1")
    page = _post(client, (FILES / "targets-grid-q1.xlsx").read_bytes(),
                 "目标.xlsx").get_data(as_text=True)
    assert "5 new targets, 0 changed, 0 unchanged; 0 rows with errors" in page, page[-3000:]
    assert _targets() == []
    assert _confirm(client, page).status_code == 303
    d = TargetStatus.DRAFT
    assert _targets() == sorted([
        (staff1.id, date(2027, 1, 1), None, None, Decimal("10000.00"), d),
        (staff1.id, date(2027, 2, 1), None, None, Decimal("12000.00"), d),
        (staff1.id, date(2027, 3, 1), None, None, Decimal("13000.00"), d),
        (staff2.id, date(2027, 1, 1), None, None, Decimal("9000.00"), d),
        (staff2.id, date(2027, 3, 1), None, None, Decimal("9500.00"), d)])
    assert db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "target.create")) == 5


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_exported_grid_comes_back_with_nothing_changed(client_as, org, fmt, lang):
    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    line = org.product_lines[0]
    make_target(staff1, date(2027, 1, 1), "1000", line=line)
    make_target(staff2, date(2027, 2, 1), "2000.50", line=line, status=TargetStatus.APPROVED)
    db.session.commit()
    before = _targets()
    client = client_as("manager1")
    exported = client.get(f"/targets/grid/export?period=2027-Q1&line={line.id}&format={fmt}",
                          headers={"Accept-Language": lang})
    assert exported.status_code == 200
    page = _post(client, exported.get_data(), f"grid.{fmt}", lang="en").get_data(as_text=True)
    assert "0 new targets, 0 changed, 2 unchanged; 0 rows with errors" in page, page[-3000:]
    assert 'value="import_all"' not in page  # nothing to import
    assert _targets() == before


def test_the_export_is_the_grid_with_people_and_months(client_as, org):
    make_target(org.users["staff1"], date(2027, 2, 1), "1234.5")
    db.session.commit()
    response = client_as("manager1").get("/targets/grid/export?period=2027-Q1&format=xlsx",
                                         headers={"Accept-Language": "zh"})
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["用户名", "客户经理"] and header[4:] == ["2027-01", "2027-02", "2027-03"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert "staff3" not in rows  # another area's person is not in manager1's grid
    assert rows["staff1"][5].value == 1234.5 and rows["staff1"][5].number_format == '"¥"#,##0.00'


def test_approved_targets_and_people_outside_the_team_are_refused_per_row(client_as, org):
    staff1 = org.users["staff1"]
    make_target(staff1, date(2027, 1, 1), "1000", status=TargetStatus.APPROVED)
    db.session.commit()
    content = ("username,2027-01,2027-02\n"
               "staff1,1500,2000\n"
               "staff3,100,100\n"
               "staff2,,700\n").encode()
    client = client_as("manager1")
    page = html.unescape(_post(client, content, "g.csv").get_data(as_text=True))
    assert "1 new targets, 0 changed, 0 unchanged; 2 rows with errors" in page
    assert re.search(r"<td>2</td>.*2027-01: the target of 1,000.00 is approved and locked", page,
                     re.S)
    assert re.search(r"<td>3</td>.*username: staff3 is not in your team", page, re.S)
    assert "Nothing was imported" in _confirm(client, page).get_data(as_text=True)
    assert len(_targets()) == 1
    _confirm(client, page, "import_good")
    assert [(t[0], t[4]) for t in _targets()] == sorted(
        [(staff1.id, Decimal("1000.00")), (org.users["staff2"].id, Decimal("700.00"))])


def test_a_draft_target_changed_in_the_file_is_updated(client_as, org):
    target = make_target(org.users["staff1"], date(2027, 1, 1), "1000")
    db.session.commit()
    client = client_as("manager1")
    page = _post(client, "用户名,2027年1月\nstaff1,\"¥1,100\"\n".encode(),
                 "g.csv").get_data(as_text=True)
    assert "0 new targets, 1 changed" in page
    _confirm(client, page)
    db.session.expire_all()
    assert db.session.get(SalesTarget, target.id).amount == Decimal("1100.00")


def test_a_file_without_month_columns_is_a_clear_error(client_as, org):
    response = _post(client_as("manager1"), b"username,amount\nstaff1,100\n", "g.csv")
    assert response.status_code == 422
    assert "names a month" in response.get_data(as_text=True)


def test_staff_may_neither_export_nor_import_the_grid(client_as, org):
    client = client_as("staff1")
    assert client.get("/targets/grid/export").status_code == 403
    assert client.get(URL).status_code == 403
