"""The spreadsheet layer on its own: values as people write them, reading files as they are made,
limits checked while reading, and exports that open well (typed XLSX, streamed CSV)."""
import io
import time
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal import spreadsheets
from portal.spreadsheets import reading, values
from portal.spreadsheets.writing import Column
from tests import make_files

FILES = make_files.FILES


@pytest.fixture
def ctx(app):
    """A request in English: the layer's messages are lazy strings in the reader's language."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app


@pytest.mark.parametrize("written, day", [
    ("2026-11-03", date(2026, 11, 3)), ("2026/11/3", date(2026, 11, 3)),
    ("2026.11.3", date(2026, 11, 3)), ("2026年11月3日", date(2026, 11, 3)),
    ("20261103", date(2026, 11, 3)), ("2026-11-03 14:30:00", date(2026, 11, 3)),
    ("2026/11/3 9:05", date(2026, 11, 3)), ("２０２６－１１－０３", date(2026, 11, 3)),
    (46329, date(2026, 11, 3)), (46329.5, date(2026, 11, 3)), ("46329", date(2026, 11, 3)),
    (datetime(2026, 11, 3, 18, 0), date(2026, 11, 3)), (date(2026, 11, 3), date(2026, 11, 3)),
])
def test_dates_as_people_write_them(ctx, written, day):
    assert values.parse_date(written) == day


@pytest.mark.parametrize("written, reason", [
    ("11/3/2026", "ambiguous"), ("3/11/2026", "ambiguous"), ("2026-02-30", "calendar"),
    ("٢٠٢٦-١١-٠٣", "digits 0-9"), ("12", "not a date"), ("soon", "not a date"), ("", "missing"),
])
def test_dates_refused_say_why(ctx, written, reason):
    with pytest.raises(ValueError) as refused:
        values.parse_date(written)
    assert reason in str(refused.value)


def test_dates_outside_the_plausible_window_are_refused(ctx):
    with pytest.raises(ValueError, match="before 2000-01-01"):
        values.parse_date("0001-01-01", date(2000, 1, 1), date(2026, 11, 26))
    with pytest.raises(ValueError, match="after 2026-11-26"):
        values.parse_date("2026-11-27", date(2000, 1, 1), date(2026, 11, 26))


@pytest.mark.parametrize("written, amount", [
    ("1200", "1200.00"), ("¥1,200.50", "1200.50"), ("￥6,000.00", "6000.00"), ("300元", "300.00"),
    ("１，２００．００", "1200.00"), (3.3000000000000003, "3.30"), (1.1 + 2.2, "3.30"),
    (1200, "1200.00"), (" 12.5 ", "12.50"), ("RMB 99", "99.00"),
])
def test_amounts_as_people_write_them(ctx, written, amount):
    assert values.parse_amount(written) == Decimal(amount)


@pytest.mark.parametrize("written, reason", [
    ("3.335", "two decimals"), ("1,5", "thousands separators"), ("-5", "more than zero"),
    ("0", "more than zero"), ("١٢", "digits 0-9"), ("1e999999", "larger than"),
    ("1e-999999", "more than zero"), ("abc", "not an amount"), ("NaN", "not a number"),
])
def test_amounts_refused_say_why(ctx, written, reason):
    with pytest.raises(ValueError) as refused:
        values.parse_amount(written)
    assert reason in str(refused.value)


def test_header_words_with_units_and_full_width_brackets(ctx):
    synonyms = {"amount": ("金额", "amount"), "date": ("销售日期", "date")}
    rows = [["2026年11月销售明细（城东营业区）"], [], ["销售日期", "金额（元）"], ["2026-11-03", "1"]]
    assert values.find_header(rows, synonyms, ("date", "amount")) == (2, {"date": 0, "amount": 1})
    rows = [["Date", "Amount (¥)"]]
    assert values.find_header(rows, synonyms, ("date", "amount")) == (0, {"date": 0, "amount": 1})
    assert values.find_header([["x", "y"]], synonyms, ("date",)) is None


def test_encodings_and_delimiters_are_found(ctx):
    gbk = reading.read("a.csv", (FILES / "sales-gbk-title-row.csv").read_bytes(), max_rows=100)
    assert gbk.rows[1][0] == "销售日期" and gbk.rows[2][3] == "￥1,200.00"
    utf16 = reading.read("a.txt", (FILES / "sales-utf16-tabs.txt").read_bytes(), max_rows=100)
    assert utf16.rows[0] == ["日期", "客户编号", "产品线编号", "金额", "单号"]
    semi = reading.read("a.csv", (FILES / "sales-semicolons-bom.csv").read_bytes(), max_rows=100)
    assert semi.rows[0][0] == "date" and semi.rows[3] == []  # the blank line keeps its number


def test_calamine_reads_the_chinese_builtin_date_formats_that_openpyxl_misses(ctx):
    content = (FILES / "sales-builtin-date-formats.xlsx").read_bytes()
    table = reading.read("a.xlsx", content, max_rows=100,
                         pick=lambda t: any("销售日期" == c for r in t.rows for c in r))
    assert table.sheet == "明细" and table.sheets == ["说明", "明细"]
    assert [values.parse_date(r[0]) for r in table.rows[1:]] == [
        date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5)]
    assert values.parse_amount(table.rows[2][3]) == Decimal("3.30")
    # openpyxl gives the cell with format 58 as a plain number: the reason calamine reads
    sheet = load_workbook(io.BytesIO(content), data_only=True)["明细"]
    assert not isinstance(sheet["A2"].value, datetime) and not isinstance(sheet["A3"].value, datetime)
    assert sheet["A2"].value == 46329 and sheet["A3"].value == 46330


def test_merged_cells_read_as_their_top_left_value(ctx):
    table = reading.read("a.xlsx", (FILES / "sales-merged-title.xlsx").read_bytes(), max_rows=100)
    assert table.merged
    assert table.rows[3][0] == table.rows[2][0] == date(2026, 11, 3)


def test_not_a_spreadsheet_is_a_clear_error(ctx):
    with pytest.raises(spreadsheets.SpreadsheetError, match="not a readable Excel"):
        reading.read("a.xlsx", (FILES / "not-a-spreadsheet.xlsx").read_bytes(), max_rows=100)
    with pytest.raises(spreadsheets.SpreadsheetError, match="Choose a .csv"):
        reading.read("a.pdf", b"%PDF", max_rows=100)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(ctx):
    bomb = make_files.zip_bomb()
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(spreadsheets.SpreadsheetError, match="unpacks to more than"):
        reading.read("bomb.xlsx", bomb, max_rows=100)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2 and peak < 100 * 1024 * 1024


def test_reading_stops_at_the_row_limit(ctx):
    table = reading.read("big.csv", make_files.rows_csv(5000), max_rows=1000)
    assert table.truncated and len(table.rows) == 1000


def test_xlsx_cells_are_typed_formatted_and_never_formulas(ctx):
    columns = [Column("日期", "date"), Column("客户", "text"), Column("金额", "money")]
    rows = [[date(2026, 11, 3), "=HYPERLINK(\"http://x\")", Decimal("6000")],
            [date(2026, 11, 4), "-5 客户", Decimal("1.5")]]
    book = load_workbook(io.BytesIO(spreadsheets.xlsx_bytes("销售", columns, rows)))
    sheet = book.active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C3"
    assert sheet["A2"].is_date and sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["C2"].value == 6000 and sheet["C2"].number_format == '"¥"#,##0.00'
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "=HYPERLINK(\"http://x\")"
    assert sheet["B3"].value == "-5 客户"  # no apostrophe in a typed text cell
    assert sheet.column_dimensions["A"].width >= 12 and sheet.column_dimensions["C"].width >= 15


def test_csv_keeps_its_formula_guard_and_bom(ctx):
    data = spreadsheets.csv_bytes(["a"], [["=1+1"], ["@x"], ["ok"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["a", "'=1+1", "'@x", "ok"]


@pytest.mark.slow
def test_xlsx_export_of_100000_rows_is_flat_and_whole(ctx):
    """100,000 rows within 200 MB (issue 16 point 5), every row in the file. Memory is the
    process's peak RSS growth (tracemalloc would slow the writer several times). How long it
    takes is the benchmark's to say (bench/export_bench.py, README): a timed assertion here
    failed CI once on a busy machine (79 ms for 10,000 rows, 1.3 s for 100,000)."""
    import resource

    from python_calamine import CalamineWorkbook

    columns = [Column("日期", "date"), Column("客户", "text"), Column("金额", "money")]
    count = 100_000
    rows = ([date(2026, 11, 1 + i % 28), f"客户{i}", Decimal(i) / 100] for i in range(count))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out = spreadsheets.xlsx_file("x", columns, rows)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert grown < 200 * 1024 * 1024
    sheet = CalamineWorkbook.from_filelike(out).get_sheet_by_index(0).to_python()
    out.close()
    assert len(sheet) == count + 1
    assert sheet[-1][1] == f"客户{count - 1}" and sheet[-1][2] == (count - 1) / 100


def test_customer_export_speaks_the_readers_language(client_as, org):
    from tests.customer_factories import make_customer

    make_customer(org.users["staff1"], "导出客户", code="=EXP", potential=3)
    from portal.extensions import db
    db.session.commit()
    client = client_as("staff1")
    response = client.get("/customers/export?format=xlsx", headers={"Accept-Language": "zh"})
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["客户编号", "名称", "类型"] and "潜力" in header
    row = {h: c.value for h, c in zip(header, sheet[2])}
    assert row["客户编号"] == "=EXP" and row["潜力"] == "高" and row["状态"] != "active"
    assert sheet[2][header.index("近12个月销售额")].number_format == '"¥"#,##0.00'
    csv_text = client.get("/customers/export", headers={"Accept-Language": "en"}).get_data()
    assert csv_text.decode("utf-8-sig").splitlines()[1].startswith("'=EXP,")


@pytest.mark.parametrize("lang, header, coded", [
    ("zh", ["用户名", "姓名"], ("城东营业区", "出勤")),
    ("en", ["Username", "Name"], ("East District", "Attended")),
])
def test_training_export_speaks_the_readers_language(client_as, org, lang, header, coded):
    """17-d: headers and coded values (area, category, attendance) in the reader's language;
    hours a number, not money; the date columns dates."""
    from datetime import date as day

    from portal.extensions import db
    from tests.training_factories import complete, make_course

    complete(org.users["staff1"], make_course("谈判"), day(2026, 3, 1))
    db.session.commit()
    response = client_as("staff1").get("/training/export.xlsx",
                                       headers={"Accept-Language": lang})
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    names = [c.value for c in sheet[1]]
    assert names[:2] == header
    values = [c.value for c in sheet[2]]
    assert coded[0] in values and coded[1] in values
    assert sheet[2][5].value == 3 and "¥" not in sheet[2][5].number_format  # hours
    assert sheet[2][8].is_date  # completed on


@pytest.mark.parametrize("lang, words, complete", [("zh", ("用户名", "合计"), {"是", "否"}),
                                                   ("en", ("Username", "Total"), {"yes", "no"})])
def test_payout_export_speaks_the_readers_language(client_as, org, lang, words, complete):
    from tests.incentive_factories import PERIOD, make_rules

    make_rules(org)
    response = client_as("hr").get(f"/incentives/statements/export.xlsx?period={PERIOD}",
                                   headers={"Accept-Language": lang})
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    for word in words:
        assert word in cells, word
    header = [c.value for c in sheet[1]]
    assert {row[-1].value for row in sheet.iter_rows(min_row=2)} <= complete
    assert sheet[2][header.index(words[1])].number_format == '"¥"#,##0.00'
