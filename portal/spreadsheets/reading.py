"""Reading CSV, XLSX, XLS and ODS files as people make them, within limits.

- CSV: UTF-8 with or without BOM, UTF-16 ("Unicode text", with BOM), else GB18030 (a superset of
  GBK); comma, tab or semicolon found from the first lines.
- XLSX/XLS/ODS through python-calamine: measured faster than openpyxl (bench/export_bench.py) and
  it applies the cell formats, so dates stored with Excel's Chinese built-in formats (ids 31 and 58,
  which openpyxl reads as plain numbers) come back as dates.
- Limits are checked while reading: the upload's size, the uncompressed size of a zipped workbook
  before anything is unpacked (a decompression bomb is refused in milliseconds) and the row limit,
  at which reading stops.
- Merged cells read as their top-left value; the table says so (`merged`).

Every message is for the person who uploaded the file, in their language (lazy strings).
"""
import csv
import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

#: The largest upload accepted by the imports.
MAX_UPLOAD = 10 * 1024 * 1024
#: The largest a zipped workbook may unpack to (a 20,000-row sheet is about 3 MB of XML).
MAX_UNPACKED = 60 * 1024 * 1024
#: How far apart packed and unpacked sizes may be: XML compresses about ×10-×30, a bomb ×1000.
MAX_RATIO = 200
#: Rows searched for the header below title rows.
HEADER_SEARCH = 15
DELIMITERS = (",", "\t", ";")


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class Table:
    """The cells of one sheet; rows[i] is line i + 1 of the file (blank lines kept)."""

    rows: list[list]
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    merged: bool = False
    truncated: bool = False  # stopped at the row limit


def _check_zip(content: bytes) -> None:
    """Refuse a zipped workbook whose parts unpack to more than MAX_UNPACKED (before reading)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise SpreadsheetError(_l("This is not a readable Excel file.")) from error
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(content), 1024):
        raise SpreadsheetError(_l("The workbook unpacks to more than %(mb)d MB; split it into "
                                  "smaller files.", mb=MAX_UNPACKED // (1024 * 1024)))


def decode(content: bytes) -> str:
    """The text of a CSV file, whatever of the usual encodings it was saved in."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(_l("The file's text encoding could not be read.")) from error
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_l("The file's text encoding is not UTF-8, UTF-16 or GB18030."))


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that splits the first lines most evenly and most often."""
    lines = [line for line in text[:20000].splitlines()[:20] if line.strip()]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        if not counts or max(counts) == 0:
            continue
        # the most common count over the lines, weighted by how many lines have it
        common = max(set(counts), key=counts.count)
        score = common * counts.count(common) if common else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(content: bytes, max_rows: int) -> Table:
    text = decode(content).replace("\x00", "")
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    rows, truncated = [], False
    try:
        for row in reader:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append(row)
    except csv.Error as error:
        raise SpreadsheetError(_l("The file is not a readable CSV file.")) from error
    return Table(rows, truncated=truncated)


def _fill_merged(sheet, rows: list[list]) -> bool:
    """Give every cell of a merged range its top-left value; True when there were any."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # older formats may not say
        ranges = []
    origin_row, origin_col = sheet.start or (0, 0)
    for (top, left), (bottom, right) in ranges:
        top, bottom = top - origin_row, bottom - origin_row
        left, right = left - origin_col, right - origin_col
        if top < 0 or top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, right + 1):
                if c < len(rows[r]):
                    rows[r][c] = value
    return bool(ranges)


def _read_workbook(content: bytes, max_rows: int, pick, sheet: str | None = None) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as error:  # calamine raises its own kinds on a damaged file
        raise SpreadsheetError(_l("This is not a readable Excel file.")) from error
    try:
        names = list(book.sheet_names)
        if not names:
            raise SpreadsheetError(_l("The workbook has no sheet."))
        tables = []
        # The person's choice of sheet, when the workbook has it; else the first `pick` accepts.
        chosen = [sheet] if sheet in names else names
        for name in chosen:
            try:
                found = book.get_sheet_by_name(name)
            except Exception:  # a chart sheet, a damaged sheet: not data
                continue
            rows, truncated = [], False
            for values in found.iter_rows():
                if len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(list(values))
            # calamine starts the range at the first used cell: pad to keep the file's line numbers
            start_row = (found.start or (0, 0))[0]
            start_col = (found.start or (0, 0))[1]
            merged = _fill_merged(found, rows)
            rows = [[""] * start_col + r for r in rows]
            rows = [[] for _ in range(start_row)] + rows
            table = Table(rows, sheet=name, sheets=names, merged=merged, truncated=truncated)
            if sheet in names or pick(table):
                return table
            tables.append(table)
        if not tables:
            raise SpreadsheetError(_l("The workbook has no sheet."))
        return tables[0]
    finally:
        book.close()


def read(filename: str, content: bytes, *, max_rows: int, pick=lambda table: True,
         sheet: str | None = None) -> Table:
    """The cells of the file: CSV, or of a workbook the sheet named `sheet` (the person's
    choice) or else the first sheet that `pick` accepts (else the first sheet).

    Reads at most `max_rows` rows (then `truncated` is set); refuses a file too big to read.
    """
    if len(content) > MAX_UPLOAD:
        raise SpreadsheetError(_l("The file is larger than %(mb)d MB.",
                                  mb=MAX_UPLOAD // (1024 * 1024)))
    if not content:
        raise SpreadsheetError(_l("The file is empty."))
    name = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if name in ("xlsx", "xlsm", "ods"):
        _check_zip(content)
        return _read_workbook(content, max_rows, pick, sheet)
    if name == "xls":
        if content[:2] == b"PK":  # an xlsx saved with the old extension
            _check_zip(content)
        return _read_workbook(content, max_rows, pick, sheet)
    if name in ("csv", "txt", "tsv"):
        return _read_csv(content, max_rows)
    raise SpreadsheetError(_l("Choose a .csv, .xlsx or .xls file."))
