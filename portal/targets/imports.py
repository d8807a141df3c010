"""Importing sales from CSV or Excel: parse, check every row, then import all or the good rows.

Nothing is written until the user confirms; a row that was imported before (same fingerprint)
is reported and skipped, so re-importing a file never counts a sale twice.
"""
import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal import spreadsheets
from portal.extensions import db
from portal.models import ProductLine, User
from portal.models.customers import Customer
from portal.models.sales import SalesImport, SalesRecord

#: The columns of the sales file, with the header names accepted for each (English, Chinese).
COLUMNS = {
    "date": ("date", "sold_on", "日期", "销售日期"),
    "customer": ("customer", "customer_code", "客户", "客户编号"),
    "product_line": ("product_line", "product line", "产品线", "产品线编号"),
    "amount": ("amount", "金额", "销售额"),
    "reference": ("reference", "invoice", "单号", "发票号"),
}
REQUIRED = ("date", "customer", "product_line", "amount")
EXPORT_HEADER = ["date", "customer", "product_line", "amount", "reference", "customer_name",
                 "credited_to"]
MAX_AMOUNT = Decimal("999999999999.99")
MAX_ROWS = 5000


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class ImportRow:
    """One data row of the file and what the check found."""

    number: int  # the line in the file, header = 1
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    duplicate: bool = False
    sold_on: date | None = None
    customer_id: int | None = None
    product_line_id: int | None = None
    amount: Decimal | None = None
    reference: str = ""
    fingerprint: str = ""

    @property
    def good(self) -> bool:
        return not self.errors and not self.duplicate


@dataclass
class ImportReport:
    """The row-by-row result of checking a file."""

    filename: str
    digest: str
    rows: list[ImportRow]
    seen_before: bool = False

    @property
    def good_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.good]

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def duplicate_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.duplicate and not r.errors]


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """The cells of a CSV or .xlsx file as text rows."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise ImportFileError(_l("This is not a readable Excel (.xlsx) file.")) from error
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v).replace("\x00", "") for v in values])
        book.close()
        return rows
    if name.endswith(".csv") or name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_l("The file's text encoding is not UTF-8 or GB18030."))
        # NUL characters would break the database's text; they are never part of a value.
        return [row for row in csv.reader(io.StringIO(text.replace("\x00", "")))]
    raise ImportFileError(_l("Choose a .csv or .xlsx file."))


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return str(value).strip()


def _header_map(header: list[str]) -> dict[str, int]:
    """Column name → index, from the header row."""
    found = {}
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        for key, names in COLUMNS.items():
            if name in names and key not in found:
                found[key] = index
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        raise ImportFileError(_l("The header row lacks the columns: %(names)s.",
                                 names=", ".join(missing)))
    return found


def parse_date(text: str) -> date | None:
    """A date written 2026-11-26, 2026/11/26 or 20261126."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_amount(text: str) -> Decimal | None:
    """A positive amount in yuan with at most two decimals ("¥1,234.50" allowed)."""
    cleaned = text.strip().replace(",", "").replace("¥", "").replace("￥", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT or value.as_tuple().exponent < -2:
        return None
    return value.quantize(Decimal("0.01"))


def fingerprint(row: ImportRow, occurrence: int) -> str:
    """The identity of an imported sale: its reference when given, else its content and how
    many identical rows came before it in the file (two equal sales on a day stay two)."""
    if row.reference:
        key = f"ref|{row.reference}"
    else:
        key = f"row|{row.sold_on}|{row.customer_id}|{row.product_line_id}|{row.amount}|{occurrence}"
    return hashlib.sha256(key.encode()).hexdigest()


def check_file(filename: str, content: bytes, allowed_customers, today: date) -> ImportReport:
    """Read and check every row; nothing is written.

    `allowed_customers` is a select of the customers the importer may record sales for.
    """
    table = [row for row in read_table(filename, content) if any(c.strip() for c in row)]
    if not table:
        raise ImportFileError(_l("The file is empty."))
    columns = _header_map(table[0])
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(_l("At most %(n)d rows per file.", n=MAX_ROWS))
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        raw = {k: (cells[i].strip() if i < len(cells) else "") for k, i in columns.items()}
        rows.append(ImportRow(number, raw, reference=raw.get("reference", "")[:60]))

    codes = {r.raw["customer"].upper() for r in rows if r.raw["customer"]}
    customers = {c.code.upper(): c.id for c in db.session.scalars(
        allowed_customers.where(func.upper(Customer.code).in_(codes)))} if codes else {}
    lines = {p.code.upper(): p.id for p in db.session.scalars(
        select(ProductLine).where(ProductLine.active.is_(True)))}

    occurrences: Counter = Counter()
    references: Counter = Counter(r.reference for r in rows if r.reference)
    for row in rows:
        row.sold_on = parse_date(row.raw["date"])
        if row.sold_on is None:
            row.errors.append(_l("The date is not a date like 2026-11-26."))
        elif row.sold_on > today:
            row.errors.append(_l("The date is in the future."))
        row.customer_id = customers.get(row.raw["customer"].upper())
        if row.customer_id is None:
            row.errors.append(_l("No customer of yours has this code."))
        row.product_line_id = lines.get(row.raw["product_line"].upper())
        if row.product_line_id is None:
            row.errors.append(_l("No active product line has this code."))
        row.amount = parse_amount(row.raw["amount"])
        if row.amount is None:
            row.errors.append(_l("The amount must be a positive number of yuan with at most two "
                                 "decimals."))
        if row.reference and references[row.reference] > 1:
            row.errors.append(_l("This reference appears more than once in the file."))
        if not row.errors:
            key = (row.sold_on, row.customer_id, row.product_line_id, row.amount)
            occurrences[key] += 1
            row.fingerprint = fingerprint(row, occurrences[key])

    prints = [r.fingerprint for r in rows if r.fingerprint]
    known = set(db.session.scalars(
        select(SalesRecord.fingerprint).where(SalesRecord.fingerprint.in_(prints)))) if prints else set()
    # A sale already recorded with the same reference for the same customer (typed in by hand,
    # or imported before) is the same sale.
    refs = {r.reference for r in rows if r.reference and r.fingerprint}
    recorded = {tuple(row) for row in db.session.execute(
        select(SalesRecord.customer_id, SalesRecord.reference)
        .where(SalesRecord.reference.in_(refs)))} if refs else set()
    for row in rows:
        row.duplicate = bool(row.fingerprint) and (
            row.fingerprint in known or (row.customer_id, row.reference) in recorded)
    digest = hashlib.sha256(content).hexdigest()
    seen = db.session.scalar(select(SalesImport.id).where(SalesImport.digest == digest).limit(1))
    return ImportReport(filename, digest, rows, seen_before=seen is not None)


def import_rows(report: ImportReport, user: User, only_good: bool) -> SalesImport | None:
    """Write the checked rows: all of them (refused when any is wrong) or explicitly the good ones.

    Returns the import's record, or None when refused (the database is left unchanged).
    """
    if report.bad_rows and not only_good:
        return None
    batch = SalesImport(filename=report.filename[:255], digest=report.digest,
                        rows_total=len(report.rows), rows_imported=len(report.good_rows),
                        rows_duplicate=len(report.duplicate_rows),
                        rows_rejected=len(report.bad_rows), imported_by_id=user.id)
    db.session.add(batch)
    db.session.flush()
    db.session.add_all(SalesRecord(
        customer_id=row.customer_id, product_line_id=row.product_line_id, sold_on=row.sold_on,
        amount=row.amount, reference=row.reference, fingerprint=row.fingerprint,
        import_id=batch.id, entered_by_id=user.id) for row in report.good_rows)
    return batch


def export_rows(records) -> list[list]:
    """Rows of an export in the import's columns (so a file can go round-trip), plus names."""
    return [[r.sold_on.isoformat(), r.customer.code, r.product_line.code, r.amount,
             r.reference, r.customer.name, credited] for r, credited in records]


def table_to_csv(header: list[str], rows: list[list]) -> bytes:
    """CSV bytes with a BOM so Excel reads the Chinese right; formula-safe cells."""
    return spreadsheets.csv_bytes(header, rows)


def table_to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    """An .xlsx workbook of one sheet; formula-safe cells."""
    return spreadsheets.xlsx_bytes(title, header, rows)


def to_csv(rows: list[list]) -> bytes:
    """The sales export as CSV."""
    return table_to_csv(EXPORT_HEADER, rows)


def to_xlsx(rows: list[list]) -> bytes:
    """The sales export as .xlsx; amounts as numbers, dates as dates."""
    return table_to_xlsx("sales", EXPORT_HEADER, [
        [date.fromisoformat(row[0]), row[1], row[2], Decimal(row[3]), *row[4:]] for row in rows])
