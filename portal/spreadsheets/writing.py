"""CSV and Excel exports that open well and cannot be tricked into running formulas.

- CSV: a BOM (Excel then reads the Chinese as UTF-8), and a text cell starting with = + - @
  (or a tab or carriage return) gets a leading apostrophe (OWASP's advice). Written as a stream
  of chunks: linear time, flat memory.
- XLSX: openpyxl's write-only mode (measured against the normal mode in bench/export_bench.py:
  linear time and flat memory, 100,000 rows in a few seconds). Cells are typed: text is stored
  as text (never a formula, so no apostrophe is needed), money with the ¥#,##0.00 format,
  dates with a date format; column widths set, header row frozen, an autofilter.
"""
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Characters an Excel sheet title may not contain.
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
MONEY_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
NUMBER_FORMAT = "#,##0"
#: Column widths in characters, by kind.
WIDTHS = {"money": 15, "date": 12, "int": 10, "number": 12}


@dataclass(frozen=True)
class Column:
    """A column of an export: its header (already translated) and kind of value."""

    header: str
    kind: str = "text"  # text, money, date, int, number
    width: int | None = None


def safe_cell(value):
    """A cell value a spreadsheet will not run as a formula: text starting = + - @ gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    """Every cell of a row made safe; None becomes an empty cell."""
    return ["" if v is None else safe_cell(v) for v in row]


class _Line:
    """A file-like that keeps the last text written (one csv row at a time)."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text = text


def csv_stream(header: Sequence, rows: Iterable[Sequence], chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM, chunk by chunk (for a streamed response); formula-safe cells."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(safe_row(_plain(h) for h in header))
    parts = ["\ufeff" + line.text]
    for row in rows:
        writer.writerow(safe_row(_plain(v) for v in row))
        parts.append(line.text)
        if len(parts) >= chunk_rows:
            yield "".join(parts).encode("utf-8")
            parts = []
    if parts:
        yield "".join(parts).encode("utf-8")


def _plain(value):
    """A value as the CSV writes it (columns may be Column objects, dates ISO)."""
    if isinstance(value, Column):
        return value.header
    if isinstance(value, datetime):
        return value.isoformat(" ", "seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """CSV text of safe cells, starting with a BOM so Excel reads the Chinese as UTF-8."""
    return b"".join(csv_stream(header, rows)).decode("utf-8")


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """csv_text encoded as UTF-8."""
    return b"".join(csv_stream(header, rows))


def _kind(value) -> str:
    if isinstance(value, Decimal):
        return "money"
    if isinstance(value, date):
        return "date"
    if isinstance(value, int) and not isinstance(value, bool):
        return "int"
    if isinstance(value, float):
        return "number"
    return "text"


def _display_width(value) -> int:
    """Characters a text takes on screen (CJK twice as wide)."""
    text = str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


#: Bytes of an export kept in memory; beyond, the file spills to a temporary file on disk.
SPOOL_IN_MEMORY = 1024 * 1024


def spooled(chunks: Iterable[bytes]):
    """The chunks written to a temporary file (memory up to SPOOL_IN_MEMORY), rewound: a body
    for a download that holds neither the rows nor the whole file in memory."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    for chunk in chunks:
        out.write(chunk)
    out.seek(0)
    return out


def csv_file(header: Sequence, rows: Iterable[Sequence]):
    """The CSV export as a rewound temporary file (see `spooled`)."""
    return spooled(csv_stream(header, rows))


def xlsx_file(title: str, header: Sequence, rows: Iterable[Sequence]):
    """The XLSX export as a rewound temporary file (see `xlsx_bytes`)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    _write_xlsx(out, title, header, rows)
    out.seek(0)
    return out


def xlsx_bytes(title: str, header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """An Excel workbook of one sheet (see module docstring); `header` holds Column objects or
    plain header texts (then each column's kind is taken from its first value)."""
    buffer = io.BytesIO()
    _write_xlsx(buffer, title, header, rows)
    return buffer.getvalue()


def _write_xlsx_openpyxl(out, title: str, header: Sequence, rows: Iterable[Sequence]) -> None:
    """The same workbook through openpyxl's write-only mode (kept for bench/export_bench.py:
    without lxml it writes ~0.6 ms a row, ten times XlsxWriter)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rows = iter(rows)
    first = next(rows, None)
    columns = [h if isinstance(h, Column) else Column(str(h), _kind(first[i]) if first and
                                                     i < len(first) else "text")
               for i, h in enumerate(header)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_BAD_TITLE.sub("", title)[:31] or "export")
    for index, column in enumerate(columns, start=1):
        width = column.width or max(WIDTHS.get(column.kind, 12),
                                    min(_display_width(column.header) + 4, 40))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(vertical="center")
    header_cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.data_type = "s"
        cell.font, cell.alignment = bold, wrap
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "int": NUMBER_FORMAT}
    count = 1
    for part in ([first] if first is not None else []), rows:
        for values in part:
            cells = []
            for index, value in enumerate(values):
                kind = columns[index].kind if index < len(columns) else "text"
                if value is None or value == "":
                    cells.append(None)
                    continue
                if isinstance(value, datetime):
                    value = value.replace(tzinfo=None)
                elif isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula: text stays text, no apostrophe
                elif kind in formats:
                    cell.number_format = formats[kind]
                cells.append(cell)
            sheet.append(cells)
            count += 1
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count}"
    book.save(out)


def scope_name(viewer) -> str:
    """What an export covers, for its file name: the viewer's area, else all areas."""
    from flask_babel import gettext as _

    area = getattr(viewer, "area", None)
    return area.label if area is not None else _("all areas")


def _columns(header: Sequence, first) -> list[Column]:
    return [h if isinstance(h, Column) else Column(str(h), _kind(first[i]) if first is not None
                                                   and i < len(first) else "text")
            for i, h in enumerate(header)]


def _write_xlsx(out, title: str, header: Sequence, rows: Iterable[Sequence]) -> None:
    """The workbook through XlsxWriter in constant-memory mode: each row goes to a temporary
    file as it is written (flat memory), ~10 µs a cell (bench/export_bench.py)."""
    import xlsxwriter

    rows = iter(rows)
    first = next(rows, None)
    columns = _columns(header, first)
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet(_BAD_TITLE.sub("", title)[:31] or "export")
    formats = {"money": book.add_format({"num_format": MONEY_FORMAT}),
               "date": book.add_format({"num_format": DATE_FORMAT}),
               "int": book.add_format({"num_format": NUMBER_FORMAT})}
    bold = book.add_format({"bold": True, "valign": "vcenter"})
    for index, column in enumerate(columns):
        width = column.width or max(WIDTHS.get(column.kind, 12),
                                    min(_display_width(column.header) + 4, 40))
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header, bold)
    count = 0
    for part in ([first] if first is not None else []), rows:
        for values in part:
            count += 1
            for index, value in enumerate(values):
                if value is None or value == "":
                    continue
                kind = columns[index].kind if index < len(columns) else "text"
                if isinstance(value, str):
                    sheet.write_string(count, index, value)  # text, never a formula
                elif isinstance(value, datetime):
                    sheet.write_datetime(count, index, value.replace(tzinfo=None),
                                         formats["date"])
                elif isinstance(value, date):
                    sheet.write_datetime(count, index, datetime(value.year, value.month,
                                                                value.day), formats["date"])
                elif isinstance(value, bool):
                    sheet.write_boolean(count, index, value)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(count, index, float(value), formats.get(kind))
                else:
                    sheet.write_string(count, index, str(value))
    if columns:
        sheet.autofilter(0, 0, count, len(columns) - 1)
    book.close()
