"""The sales import through HTTP with the corpus of real-world files (tests/files/, made by
tests/make_files.py): each file's expected outcome, idempotence by the natural key, the portal's
own exports going back in, background imports above the row limit, and bad files."""
import io
import re
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.sales import ImportJob, SalesRecord
from tests import make_files
from tests.customer_factories import make_customer, make_sale

FILES = make_files.FILES


@pytest.fixture
def customers(org):
    staff1 = org.users["staff1"]
    made = [make_customer(staff1, name, code=code)
            for code, name in (("K101", "甲公司"), ("K102", "乙公司"), ("K103", "丙公司"))]
    db.session.commit()
    return made


def _post(client, content: bytes, name: str, action="check", lang="en"):
    return client.post("/targets/sales/import", data={
        "file": (io.BytesIO(content), name), "action": action},
        content_type="multipart/form-data", headers={"Accept-Language": lang})


def _confirm(client, check_page: str, action="import_all"):
    job = re.search(r'name="job" value="(\d+)"', check_page).group(1)
    return client.post("/targets/sales/import", data={"job": job, "action": action},
                       headers={"Accept-Language": "en"})


def _sales() -> list[tuple]:
    return sorted(db.session.execute(select(
        SalesRecord.sold_on, SalesRecord.amount, SalesRecord.reference)).all())


EXPECTED = [(date(2026, 11, 3), Decimal("1200.00"), "FP-001"),
            (date(2026, 11, 4), Decimal("3.30"), ""),
            (date(2026, 11, 5), Decimal("6000.00"), "=SUM(A1)")]


@pytest.mark.parametrize("name", ["sales-gbk-title-row.csv", "sales-utf16-tabs.txt",
                                  "sales-builtin-date-formats.xlsx"])
def test_office_files_import_whole(client_as, customers, name):
    client = client_as("staff1")
    check = _post(client, (FILES / name).read_bytes(), name)
    page = check.get_data(as_text=True)
    assert check.status_code == 200, page
    assert "3 new rows ready, 0 already recorded, 0 with errors" in page
    assert _sales() == []  # the check writes nothing
    assert _confirm(client, page).status_code == 303
    assert _sales() == EXPECTED
    # The same file again: nothing new, whatever the rows around.
    again = _post(client, (FILES / name).read_bytes(), name).get_data(as_text=True)
    assert "0 new rows ready, 3 already recorded" in again


def test_merged_cells_are_read_and_said(client_as, customers):
    client = client_as("staff1")
    page = _post(client, (FILES / "sales-merged-title.xlsx").read_bytes(),
                 "m.xlsx").get_data(as_text=True)
    assert "merged cells" in page and "3 new rows ready" in page
    _confirm(client, page)
    assert [s[0] for s in _sales()] == [date(2026, 11, 3)] * 2 + [date(2026, 11, 5)]


def test_line_numbers_count_blank_lines_and_errors_name_the_files_header(client_as, customers):
    client = client_as("staff1")
    page = _post(client, (FILES / "sales-semicolons-bom.csv").read_bytes(),
                 "s.csv").get_data(as_text=True)
    assert "2 new rows ready, 0 already recorded, 1 with errors" in page
    assert re.search(r"<td>5</td>.*customer: no customer of yours has the code NOPE", page, re.S)


def test_implausible_values_are_refused_with_a_reason(client_as, customers):
    client = client_as("staff1")
    page = _post(client, (FILES / "sales-ambiguous.csv").read_bytes(),
                 "a.csv").get_data(as_text=True)
    assert "0 new rows ready, 0 already recorded, 5 with errors" in page
    for reason in ("ambiguous", "before 2000-01-01", "digits 0-9", "more than two decimals",
                   "thousands separators"):
        assert reason in page, reason


def test_chinese_interface_speaks_chinese_about_missing_columns(client_as, customers):
    client = client_as("staff1")
    response = _post(client, "名称,数量\n甲,1\n".encode(), "x.csv", lang="zh")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "customer" not in page.split("<main", 1)[-1].split("</form>", 1)[0]


def test_full_width_digits_are_normalised(client_as, customers):
    client = client_as("staff1")
    page = _post(client, (FILES / "sales-fullwidth.csv").read_bytes(),
                 "f.csv").get_data(as_text=True)
    assert "1 new rows ready" in page
    _confirm(client, page)
    assert _sales() == [(date(2026, 11, 3), Decimal("1200.00"), "FP-001")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_portals_own_export_reimports_with_nothing_new(client_as, org, customers, fmt):
    line = org.product_lines[0]
    for n in range(30):  # equal sales without reference, references needing the formula guard
        make_sale(customers[n % 3], line, date(2026, 10, 1 + n % 3), "100.00",
                  reference="" if n % 2 else f"-{n}")
    db.session.commit()
    client = client_as("staff1")
    for lang in ("en", "zh"):
        exported = client.get(f"/targets/sales/export?format={fmt}",
                              headers={"Accept-Language": lang})
        page = _post(client, exported.get_data(), f"e.{fmt}").get_data(as_text=True)
        assert re.search(r"(0 new rows ready, 30 already recorded, 0 with errors)|"
                         r"(0 .*30 .*0 )", page), page[-3000:]
    assert db.session.scalar(select(func.count(SalesRecord.id))) == 30


def test_xlsx_export_is_typed_and_translated(client_as, org, customers):
    from openpyxl import load_workbook

    make_sale(customers[0], org.product_lines[0], date(2026, 11, 2), "6000.00",
              reference="=cmd")
    db.session.commit()
    response = client_as("staff1").get("/targets/sales/export?format=xlsx",
                                       headers={"Accept-Language": "zh"})
    assert "%E9%94%80%E5%94%AE%E6%98%8E%E7%BB%86-" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in sheet[1]][:5] == ["日期", "客户编号", "产品线编号", "金额", "单号"]
    assert sheet["A2"].is_date and sheet["D2"].number_format == '"¥"#,##0.00'
    assert sheet["E2"].value == "=cmd" and sheet["E2"].data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


@pytest.mark.slow
def test_a_file_above_the_row_limit_is_imported_in_the_background(app, client_as, customers,
                                                                   monkeypatch):
    client = client_as("staff1")
    content = make_files.rows_csv(20_000)
    page = _post(client, content, "big.csv").get_data(as_text=True)
    assert "20000 new rows ready" in page
    response = _confirm(client, page)
    assert response.status_code == 303 and "/targets/sales/import/" in response.location
    progress = client.get(response.location, headers={"Accept-Language": "en"})
    assert "20000 sales imported" in progress.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SalesRecord.id))) == 20_000
    job = db.session.scalars(select(ImportJob)).one()
    assert job.state == "done" and job.content == b""
    # Another person cannot see the job.
    assert client_as("staff2").get(response.location).status_code == 404


@pytest.mark.slow
@pytest.mark.parametrize("name, make, message", [
    ("bomb.xlsx", make_files.zip_bomb, "unpacks to more than"),
    ("big.csv", make_files.oversize, "larger than"),
    ("formulas.xlsx", make_files.formulas_everywhere, "no rows"),  # no saved values
    ("nothing.xlsx", lambda: b"not a workbook", "not a readable Excel"),
])
def test_bad_files_are_refused_quickly_and_write_nothing(client_as, customers, name, make,
                                                         message):
    """Issue 15 finding 4: every file-accepting route (the sales import is the only one) with a
    decompression bomb and an oversize file: a clear error within 2 s, nothing written."""
    import resource

    content = make()
    client = client_as("staff1")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    response = _post(client, content, name)
    elapsed = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert message in response.get_data(as_text=True)
    assert elapsed < 2 and grown < 100 * 1024 * 1024
    assert _sales() == []
    assert client.get("/targets/sales").status_code == 200  # the server is still up


def test_a_workbook_of_two_sheets_reads_the_first_and_offers_the_other(client_as, customers):
    """17-c: the first sheet with a header is read; the check step offers the other sheet,
    and the import reads the sheet chosen."""
    client = client_as("staff1")
    content = (FILES / "sales-two-sheets.xlsx").read_bytes()
    page = _post(client, content, "two.xlsx").get_data(as_text=True)
    assert "Read from the sheet “11月”" in page and "3 new rows ready" in page
    assert re.search(r'<select id="sheet" name="sheet"><option value="11月" selected>11月'
                     r'</option><option value="10月" >10月</option>', page)
    job = re.search(r'name="job" value="(\d+)"', page).group(1)
    other = client.post("/targets/sales/import", data={"job": job, "action": "check",
                                                       "sheet": "10月"},
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Read from the sheet “10月”" in other and "1 new rows ready" in other
    assert _sales() == []
    assert _confirm(client, other).status_code == 303
    assert _sales() == [(date(2026, 10, 9), Decimal("500.00"), "OCT-1")]
