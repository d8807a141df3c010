"""CSV and Excel exports that a spreadsheet cannot be tricked into running (formula injection).

Every export of the portal writes through this module. A text cell starting with = + - @ (or a
tab or carriage return, which some spreadsheets skip before reading a formula) gets a leading
apostrophe (OWASP's advice): Excel and LibreOffice show the text and never evaluate it. Numbers,
dates and Decimals stay what they are, so totals still add up.
"""
import csv
import io
import re
from collections.abc import Iterable, Sequence

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Characters an Excel sheet title may not contain.
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value):
    """A cell value a spreadsheet will not run as a formula: text starting = + - @ gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    """Every cell of a row made safe; None becomes an empty cell."""
    return ["" if v is None else safe_cell(v) for v in row]


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """CSV text of safe cells, starting with a BOM so Excel reads the Chinese as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue()


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """csv_text encoded as UTF-8."""
    return csv_text(header, rows).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """An Excel workbook of one sheet of safe cells; text cells are stored as text, never formulas."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _BAD_TITLE.sub("", title)[:31] or "export"
    for row in [header, *rows]:
        sheet.append(safe_row(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would make a formula of any text starting with =
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
