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
    """The portal's XLSX writer (chosen by measurement: see the streaming writer's notes)."""
    _write_xlsx_streaming(out, title, header, rows)


def _write_xlsx_xlsxwriter(out, title: str, header: Sequence, rows: Iterable[Sequence]) -> None:
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


# --- the streaming XLSX writer --------------------------------------------------------------
# Measured (bench/export_bench.py, 10,000 rows of the sales export on the shared machine):
# openpyxl write-only 315 rows/s, XlsxWriter constant-memory 735 rows/s, this writer many times
# that: each row is one f-string into a deflated zip entry, nothing kept per cell.

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLE = {"header": 1, "date": 2, "money": 3, "int": 4, "datetime": 5}
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet {_NS}><numFmts count="3"><numFmt numFmtId="164" formatCode="&quot;¥&quot;#,##0.00"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/><numFmt numFmtId="166" formatCode="yyyy-mm-dd hh:mm"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def _xml_text(value: str) -> str:
    return _XML_BAD.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _letters(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _serial(value) -> str:
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        delta = value - datetime(1899, 12, 30)
        return repr(delta.days + delta.seconds / 86400)
    return str((value - date(1899, 12, 30)).days)


def _write_xlsx_streaming(out, title: str, header: Sequence, rows: Iterable[Sequence]) -> None:
    """A one-sheet workbook written row by row into the zip (see the notes above)."""
    import zipfile

    rows = iter(rows)
    first = next(rows, None)
    columns = _columns(header, first)
    letters = [_letters(i) for i in range(max(len(columns), 1))]
    sheet_title = _BAD_TITLE.sub("", title)[:31].strip("'") or "export"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            cols = "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{c.width or max(WIDTHS.get(c.kind, 12), min(_display_width(c.header) + 4, 40))}" customWidth="1"/>'
                for i, c in enumerate(columns))
            head = "".join(f'<c r="{letters[i]}1" t="inlineStr" s="1"><is><t xml:space="preserve">'
                           f'{_xml_text(c.header)}</t></is></c>' for i, c in enumerate(columns))
            sheet.write((
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} '
                f'xmlns:r="{_REL_NS}"><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/>{"<cols>" + cols + "</cols>" if cols else ""}'
                f'<sheetData><row r="1">{head}</row>').encode())
            kinds = [c.kind for c in columns]
            number = 1
            parts = []
            for part in ([first] if first is not None else []), rows:
                for values in part:
                    number += 1
                    cells = []
                    for i, value in enumerate(values):
                        if value is None or value == "":
                            continue
                        ref = f"{letters[i] if i < len(letters) else _letters(i)}{number}"
                        if isinstance(value, str):
                            cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                                         f'{_xml_text(value)}</t></is></c>')
                        elif isinstance(value, bool):
                            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                        elif isinstance(value, datetime):
                            cells.append(f'<c r="{ref}" s="5"><v>{_serial(value)}</v></c>')
                        elif isinstance(value, date):
                            cells.append(f'<c r="{ref}" s="2"><v>{_serial(value)}</v></c>')
                        elif isinstance(value, int | float | Decimal):
                            kind = kinds[i] if i < len(kinds) else "number"
                            style = f' s="{_STYLE[kind]}"' if kind in ("money", "int") else ""
                            cells.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
                        else:
                            cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                                         f'{_xml_text(str(value))}</t></is></c>')
                    parts.append(f'<row r="{number}">{"".join(cells)}</row>')
                    if len(parts) >= 500:
                        sheet.write("".join(parts).encode())
                        parts = []
            last = f"A1:{letters[len(columns) - 1]}{number}" if columns else "A1"
            sheet.write(("".join(parts) + f'</sheetData><autoFilter ref="{last}"/>'
                         '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                         'header="0.3" footer="0.3"/></worksheet>').encode())
        quoted = sheet_title.replace("'", "''").replace("&", "&amp;").replace("<", "&lt;")
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
            'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
            'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/'
            'styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.styles+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http:'
            '//schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        end = letters[len(columns) - 1] if columns else "A"
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} '
            f'xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews><sheets><sheet name="'
            f'{_xml_text(sheet_title).replace(chr(34), "&quot;")}" sheetId="1" r:id="rId1"/>'
            '</sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
            f"hidden=\"1\">'{quoted}'!$A$1:${end}${number}</definedName></definedNames>"
            '</workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http:'
            '//schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'))
        archive.writestr("xl/styles.xml", _STYLES)
