"""The corpus of real-world spreadsheet files under tests/files/, made with the libraries that
write real Excel formats (openpyxl for .xlsx with its built-in number formats, GBK/UTF-16 CSVs).

    python -m tests.make_files          # (re)writes the small files, committed
    big_files(tmp_path)                 # the big ones, made at test time (not committed)

The customers the files name (codes K101…K103) and product lines (BB, MOB) are made by the tests;
tests/test_spreadsheets.py holds each file's expected outcome.
"""
import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

FILES = Path(__file__).parent / "files"

ROWS = [  # (date, customer, product line, amount, reference)
    (date(2026, 11, 3), "K101", "BB", "1200.00", "FP-001"),
    (date(2026, 11, 4), "K102", "MOB", "3.30", ""),
    (date(2026, 11, 5), "K103", "BB", "6000.00", "=SUM(A1)"),
]


def _csv(rows, encoding: str, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _xlsx(fill) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    fill(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def gbk_title_row() -> bytes:
    """GBK CSV saved from WPS: a title row, Chinese headers with units, Chinese long dates."""
    rows = [["2026年11月销售明细（城东营业区）", "", "", "", ""],
            ["销售日期", "客户编码", "产品线", "金额（元）", "发票号"]]
    rows += [[f"{d.year}年{d.month}月{d.day}日", c, p, f"￥{float(a):,.2f}", r]
             for d, c, p, a, r in ROWS]
    return _csv(rows, "gbk")


def utf16_tabs() -> bytes:
    """Excel's "Unicode text": UTF-16 with a BOM, tab-separated, slashed dates."""
    rows = [["日期", "客户编号", "产品线编号", "金额", "单号"]]
    rows += [[f"{d.year}/{d.month}/{d.day}", c, p, a, r] for d, c, p, a, r in ROWS]
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-16")


def semicolons_bom() -> bytes:
    """UTF-8 with BOM, semicolons, dotted dates, blank line in the middle (line numbers kept)."""
    rows = [["date", "customer", "product_line", "amount", "reference"]]
    rows += [[f"{d.year}.{d.month}.{d.day}", c, p, a, r] for d, c, p, a, r in ROWS[:2]]
    rows += [[]]
    rows += [["2026.11.5", "NOPE", "BB", "1", ""]]
    return _csv(rows, "utf-8", ";", bom=True)


def builtin_formats() -> bytes:
    """Dates as cells with Excel's Chinese built-in formats 31 and 58 (openpyxl reads numbers),
    a bare serial, a datetime with a time, amounts with float noise, codes stored as numbers."""
    def fill(book):
        sheet = book.active
        sheet.title = "说明"
        sheet["A1"] = "本表为销售明细，数据在第二张表"
        data = book.create_sheet("明细")
        data.append(["销售日期", "客户编码", "产品线", "金额(元)", "单号"])
        data.append([datetime(2026, 11, 3), "K101", "BB", 1200, "FP-001"])
        data.append([datetime(2026, 11, 4), "K102", "MOB", 1.1 + 2.2, None])  # 3.3000000000000003
        data.append([46331, "K103", "BB", 6000.0, "=SUM(A1)"])  # serial of 2026-11-05
        data["A2"].number_format = 'yyyy"年"m"月"d"日"'  # built-in id 31
        data["A3"].number_format = "m\"月\"d\"日\""  # built-in id 58
        data["A4"].number_format = "General"
        data["E4"].data_type = "s"
    return _builtin_ids(_xlsx(fill), {'yyyy"年"m"月"d"日"': 31, 'm"月"d"日"': 58})


def _builtin_ids(content: bytes, ids: dict[str, int]) -> bytes:
    """The workbook with its custom date formats replaced by references to Excel's built-in ids,
    as Excel itself saves them in a Chinese locale (no format code in the file: the reader must
    know what id 31 or 58 means)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/styles.xml":
                text = data.decode()
                for code, builtin in ids.items():
                    escaped = code.replace('"', "&quot;")
                    found = re.search(r'<numFmt numFmtId="(\d+)" formatCode="' + re.escape(escaped)
                                      + '"\s*/>', text)
                    text = text.replace(found.group(0), "")
                    text = text.replace(f'numFmtId="{found.group(1)}"', f'numFmtId="{builtin}"')
                data = text.encode()
            target.writestr(info, data)
    return out.getvalue()


def merged_title() -> bytes:
    """A merged title row above the header, and a date merged down two rows."""
    def fill(book):
        sheet = book.active
        sheet.append(["2026年11月销售明细"])
        sheet.merge_cells("A1:E1")
        sheet.append(["日期", "客户编号", "产品线", "金额", "单号"])
        sheet.append([date(2026, 11, 3), "K101", "BB", 1200, "FP-001"])
        sheet.append([None, "K102", "MOB", "3.30", ""])
        sheet.merge_cells("A3:A4")
        sheet.append(["2026-11-05", "K103", "BB", "6,000.00", "FP-003"])
    return _xlsx(fill)


def ambiguous_and_implausible() -> bytes:
    """Rows that must be refused with a reason: a day-first/month-first date, year 0001,
    Arabic-Indic digits, a real third decimal, a decimal comma."""
    rows = [["date", "customer", "product_line", "amount", "reference"],
            ["11/3/2026", "K101", "BB", "10", ""],
            ["0001-01-01", "K101", "BB", "10", ""],
            ["٢٠٢٦-١١-٠٣", "K101", "BB", "10", ""],
            ["2026-11-03", "K101", "BB", "3.335", ""],
            ["2026-11-03", "K101", "BB", "1,5", ""]]
    return _csv(rows, "utf-8")


def fullwidth() -> bytes:
    """Full-width digits and brackets, typed with a Chinese input method."""
    rows = [["销售日期", "客户编码", "产品线编码", "金额（元）", "单号"],
            ["２０２６－１１－０３", "Ｋ１０１", "ＢＢ", "１，２００．００", "ＦＰ－００１"]]
    return _csv(rows, "utf-8")


def two_sheets() -> bytes:
    """A workbook of two months, one sheet each (“11月” first, “10月” second): the first sheet
    is read unless the person chooses the other."""
    def fill(book):
        november = book.active
        november.title = "11月"
        november.append(["日期", "客户编号", "产品线", "金额", "单号"])
        for day, customer, line, amount, reference in ROWS:
            november.append([day, customer, line, float(amount), reference])
        october = book.create_sheet("10月")
        october.append(["10月销售明细"])
        october.append(["日期", "客户编号", "产品线", "金额", "单号"])
        october.append([date(2026, 10, 9), "K101", "BB", 500, "OCT-1"])
    return _xlsx(fill)


# --- customers (codes C201…, owners staff1/staff2 of the test organisation) ----------------

def customers_gbk() -> bytes:
    """GBK CSV with a title row and Chinese headers: owner by username and by display name,
    a tier written “A类”, a type by its code and by its name."""
    rows = [["2026年客户名录（城东营业区）", "", "", "", "", ""],
            ["客户编码", "客户名称", "客户类型", "客户等级", "客户经理", "行业"],
            ["C201", "东方机械有限公司", "KEY", "A类", "staff1", "制造"],
            ["C202", "南城商贸", "", "b", "staff1", "零售"],
            ["C203", "西山电子", "中小企业", "", "staff1", ""]]
    return _csv(rows, "gbk")


def customers_bad() -> bytes:
    """Rows a customer import must refuse with the file's header and line: an unknown owner,
    a code used twice, a tier that is no tier, a code with spaces, a name missing; one good row
    (for manager1, who heads staff1's and staff2's area)."""
    rows = [["code", "name", "tier", "owner"],
            ["C301", "Good Ltd", "B", "staff1"],
            ["C302", "Nobody's Ltd", "A", "no-such-person"],
            ["C301", "Twice Ltd", "", "staff1"],
            ["", "", "", ""],
            ["C304", "Tiered Ltd", "Z", "staff1"],
            ["C 305", "Spaced Ltd", "", "staff1"],
            ["C306", "", "", "staff1"],
            ["C307", "Fine Ltd", "C", "staff2"]]
    return _csv(rows, "utf-8")


def targets_grid() -> bytes:
    """The targets grid as a manager fills it in Excel: a title row, people by username and
    name (王强 is staff2), months as header cells (dates) and as text (2027-01, 2027年2月), amounts with ¥."""
    def fill(book):
        sheet = book.active
        sheet.title = "目标"
        sheet.append(["2027年第一季度销售目标"])
        sheet.append(["用户名", "客户经理", date(2027, 1, 1), "2027-02", "2027年3月"])
        sheet.append(["staff1", "", 10000, "¥12,000.00", "13000"])
        sheet.append(["", "王强", 9000, None, "9,500"])
    return _xlsx(fill)


SMALL = {
    "sales-gbk-title-row.csv": gbk_title_row,
    "sales-utf16-tabs.txt": utf16_tabs,
    "sales-semicolons-bom.csv": semicolons_bom,
    "sales-builtin-date-formats.xlsx": builtin_formats,
    "sales-merged-title.xlsx": merged_title,
    "sales-ambiguous.csv": ambiguous_and_implausible,
    "sales-fullwidth.csv": fullwidth,
    "not-a-spreadsheet.xlsx": lambda: b"%PDF-1.4 this is not a workbook\n",
    "sales-two-sheets.xlsx": two_sheets,
    "customers-gbk-title-row.csv": customers_gbk,
    "customers-bad-rows.csv": customers_bad,
    "targets-grid-q1.xlsx": targets_grid,
}


def write_small() -> None:
    FILES.mkdir(exist_ok=True)
    for name, make in SMALL.items():
        (FILES / name).write_bytes(make())


# --- big files, made at test time ----------------------------------------------------------

def rows_csv(count: int) -> bytes:
    """A CSV of `count` sales of K101, distinct by reference."""
    rows = [["date", "customer", "product_line", "amount", "reference"]]
    rows += [["2026-11-03", "K101", "BB", f"{1 + n % 997}.00", f"R{n:07d}"] for n in range(count)]
    return _csv(rows, "utf-8")


def zip_bomb() -> bytes:
    """A 3-million-row one-cell sheet zipped (finding 4): small packed, huge unpacked."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
            for _ in range(3000):
                sheet.write(row * 1000)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def oversize() -> bytes:
    """50 MB of CSV."""
    line = b"2026-11-03,K101,BB,1.00," + b"x" * 40 + b"\n"
    return b"date,customer,product_line,amount,reference\n" + line * (50 * 1024 * 1024 // len(line))


def formulas_everywhere(header=("date", "customer", "product_line", "amount",
                                 "reference")) -> bytes:
    """Every cell below the header a formula (cached values absent): read as empty, so the
    file has no rows."""
    def fill(book):
        sheet = book.active
        sheet.append(list(header))
        for n in range(2, 50):
            sheet.append([f"=TODAY()-{n}", "=\"K\"&101", "=\"BB\"", f"=A{n}*2",
                          f"=ROW()+{n}"][:len(header)] + [f"=B{n}"] * (len(header) - 5))
    return _xlsx(fill)


if __name__ == "__main__":
    write_small()
    print("\n".join(sorted(SMALL)))
