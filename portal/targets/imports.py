"""Importing sales from CSV or Excel: read, check every row, then import all or the good rows.

Files are read by portal.spreadsheets (encodings, delimiters, title rows, the file's own header
words, sheets, values as people write them). Nothing is written until the person confirms.

A sale's natural key is (day, customer, product line, amount, reference). A row is new only
when the file holds more sales of its key than the database already has, so re-importing a file,
or the portal's own export of any size, adds nothing, whatever the order of its rows and whatever
is around them; a reference already recorded for the customer is the same sale too.
"""
import hashlib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import func, select

from portal import queue, spreadsheets
from portal.database import writing
from portal.extensions import db
from portal.models import ProductLine, User
from portal.models.customers import Customer
from portal.models.sales import SalesImport, SalesRecord
from portal.spreadsheets import checking
from portal.spreadsheets import values as cells
from portal.spreadsheets.writing import Column

#: The columns of the sales file, with the header words accepted for each (compared after NFKC,
#: lower case, units in brackets dropped: 金额（元）, 金额(元) and Amount (¥) all read as amount).
COLUMNS = {
    "date": ("date", "sold_on", "sold on", "sale date", "日期", "销售日期", "开票日期", "发生日期",
             "单据日期", "交易日期"),
    "customer": ("customer", "customer_code", "customer code", "客户", "客户编号", "客户编码",
                 "客户代码"),
    "product_line": ("product_line", "product line", "product line code", "product", "产品线", "产品线编号",
                     "产品线编码", "产品线代码"),
    "amount": ("amount", "sales", "金额", "销售额", "销售金额", "含税金额", "金额元"),
    "reference": ("reference", "invoice", "invoice no", "单号", "发票号", "发票号码", "单据号",
                  "订单号", "参考号"),
}
COLUMN_LABELS = {"date": _l("date"), "customer": _l("customer code"),
                 "product_line": _l("product line code"), "amount": _l("amount"),
                 "reference": _l("reference")}
REQUIRED = ("date", "customer", "product_line", "amount")
MAX_AMOUNT = Decimal("999999999999.99")
#: Rows checked and imported while the person waits; longer files run as background work.
MAX_ROWS = 5000
#: The most rows a file may hold at all.
MAX_FILE_ROWS = 100_000
#: The earliest plausible sale date unless the configuration says otherwise (SALES_EARLIEST).
EARLIEST = date(2000, 1, 1)

ImportFileError = spreadsheets.SpreadsheetError


@dataclass
class ImportRow:
    """One data row of the file and what the check found."""

    number: int  # the line in the file (the sheet's row number)
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

    @property
    def key(self) -> tuple:
        return (self.sold_on, self.customer_id, self.product_line_id, self.amount, self.reference)


@dataclass
class ImportReport:
    """The row-by-row result of checking a file."""

    filename: str
    digest: str
    rows: list[ImportRow]
    headers: dict[str, str] = field(default_factory=dict)  # column key → the file's header
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    merged: bool = False
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

    def shown_rows(self, limit: int = 200) -> list[ImportRow]:
        """The rows to show: every bad one, then the first others up to `limit`."""
        bad = self.bad_rows
        others = [r for r in self.rows if not r.errors][:max(limit - len(bad), 0)]
        return sorted(bad + others, key=lambda row: row.number)


unguard = checking.unguard


def parse_amount(text: str) -> Decimal | None:
    """A positive amount in yuan with at most two decimals ("¥1,234.50" allowed), or None."""
    try:
        return cells.parse_amount(text, MAX_AMOUNT)
    except ValueError:
        return None


def read_rows(filename: str, content: bytes, max_rows: int = MAX_FILE_ROWS,
              sheet: str | None = None) -> checking.Located:
    """The sales file's sheet with its header row found (portal.spreadsheets.checking)."""
    return checking.locate(filename, content, COLUMNS, REQUIRED, COLUMN_LABELS, max_rows, sheet)


def check_file(filename: str, content: bytes, allowed_customers, today: date,
               max_rows: int = MAX_FILE_ROWS, sheet: str | None = None) -> ImportReport:
    """Read and check every row of the chosen sheet (else the first with a header); nothing
    is written.

    `allowed_customers` is a select of the customers the importer may record sales for.
    """
    located = read_rows(filename, content, max_rows, sheet)
    headers, table = located.headers, located.table
    rows = []
    for number, picked in checking.data_rows(located):
        raw = {k: unguard(cells.text(v)) for k, v in picked.items()}
        reference = unicodedata.normalize("NFKC", raw.get("reference", "")).strip()[:60]
        row = ImportRow(number, raw, reference=reference)
        row.values = picked
        rows.append(row)
    if not rows:
        raise ImportFileError(_l("The file has a header but no rows."))
    _check_rows(rows, headers, allowed_customers, today)
    digest = hashlib.sha256(content).hexdigest()
    seen = db.session.scalar(select(SalesImport.id).where(SalesImport.digest == digest).limit(1))
    return ImportReport(filename, digest, rows, headers=headers, sheet=table.sheet,
                        sheets=table.sheets, merged=table.merged, seen_before=seen is not None)


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _check_rows(rows: list[ImportRow], headers: dict, allowed_customers, today: date) -> None:
    codes = sorted({cells.code(r.raw["customer"]) for r in rows if r.raw["customer"]})
    customers: dict[str, int] = {}
    for chunk in _chunks(codes):
        customers.update((c.code.upper(), c.id) for c in db.session.scalars(
            allowed_customers.where(func.upper(Customer.code).in_(chunk))))
    lines = {p.code.upper(): p.id for p in db.session.scalars(
        select(ProductLine).where(ProductLine.active.is_(True)))}
    earliest = current_app.config.get("SALES_EARLIEST", EARLIEST)

    def fail(row, column, message):
        label = headers.get(column) or COLUMN_LABELS[column]
        row.errors.append(f"{label}{pgettext('punctuation after a label', ': ')}{message}")

    references: Counter = Counter(r.reference for r in rows if r.reference)
    for row in rows:
        try:
            row.sold_on = cells.parse_date(row.values["date"], earliest, today)
        except ValueError as error:
            fail(row, "date", error)
        row.customer_id = customers.get(cells.code(row.raw["customer"]))
        if row.customer_id is None:
            fail(row, "customer", _l("no customer of yours has the code %(code)s.",
                                     code=row.raw["customer"] or "—"))
        row.product_line_id = lines.get(cells.code(row.raw["product_line"]))
        if row.product_line_id is None:
            fail(row, "product_line", _l("no active product line has the code %(code)s.",
                                         code=row.raw["product_line"] or "—"))
        try:
            row.amount = cells.parse_amount(row.values["amount"], MAX_AMOUNT)
        except ValueError as error:
            fail(row, "amount", error)
        if row.reference and references[row.reference] > 1:
            fail(row, "reference", _l("appears more than once in the file."))
    _mark_duplicates([r for r in rows if not r.errors])


def _mark_duplicates(rows: list[ImportRow]) -> None:
    """Mark the rows whose sale is already recorded, and give the new ones their fingerprint."""
    if not rows:
        return
    customer_ids = sorted({r.customer_id for r in rows})
    first, last = min(r.sold_on for r in rows), max(r.sold_on for r in rows)
    recorded: Counter = Counter()
    references = set()
    for chunk in _chunks(customer_ids):
        for sold_on, customer_id, line_id, amount, reference in db.session.execute(
                select(SalesRecord.sold_on, SalesRecord.customer_id, SalesRecord.product_line_id,
                       SalesRecord.amount, SalesRecord.reference)
                .where(SalesRecord.customer_id.in_(chunk), SalesRecord.sold_on >= first,
                       SalesRecord.sold_on <= last)):
            recorded[(sold_on, customer_id, line_id, Decimal(amount).quantize(Decimal("0.01")),
                      reference or "")] += 1
        refs = {r.reference for r in rows if r.reference and r.customer_id in set(chunk)}
        for part in _chunks(sorted(refs)):
            references.update(db.session.execute(
                select(SalesRecord.customer_id, SalesRecord.reference)
                .where(SalesRecord.customer_id.in_(chunk), SalesRecord.reference.in_(part))).all())
    seen: Counter = Counter()
    fresh: dict[tuple, list[ImportRow]] = defaultdict(list)
    for row in rows:
        seen[row.key] += 1
        if seen[row.key] <= recorded[row.key] or (
                row.reference and (row.customer_id, row.reference) in references):
            row.duplicate = True
        else:
            fresh[row.key].append(row)
    # Fingerprints keep the database's guard (a unique column) against an import run twice at once.
    prints = {}
    for key, group in fresh.items():
        for offset, row in enumerate(group, start=recorded[key] + 1):
            row.fingerprint = _fingerprint(key, offset)
            prints[row.fingerprint] = row
    for chunk in _chunks(list(prints)):
        for taken in db.session.scalars(select(SalesRecord.fingerprint)
                                        .where(SalesRecord.fingerprint.in_(chunk))):
            row = prints[taken]  # a sale of this key was deleted since: number past the end
            row.fingerprint = _fingerprint(row.key, f"{recorded[row.key]}+{row.number}")


def _fingerprint(key: tuple, occurrence) -> str:
    sold_on, customer_id, line_id, amount, reference = key
    text = f"sale|{sold_on}|{customer_id}|{line_id}|{amount}|{reference}|{occurrence}"
    return hashlib.sha256(text.encode()).hexdigest()


def import_rows(report: ImportReport, user: User, only_good: bool, progress=None,
                commit_every: bool = False) -> SalesImport | None:
    """Write the checked rows: all of them (refused when any is wrong) or explicitly the good ones.

    Returns the import's record, or None when refused (the database is left unchanged).
    `progress(done)` is called after each thousand rows, each committed first when
    `commit_every` (background imports).
    """
    if report.bad_rows and not only_good:
        return None
    good = report.good_rows
    batch = SalesImport(filename=report.filename[:255], digest=report.digest,
                        rows_total=len(report.rows), rows_imported=len(good),
                        rows_duplicate=len(report.duplicate_rows),
                        rows_rejected=len(report.bad_rows), imported_by_id=user.id)
    db.session.add(batch)
    db.session.flush()
    for done, chunk in enumerate(_chunks(good, 1000), start=1):
        db.session.add_all(SalesRecord(
            customer_id=row.customer_id, product_line_id=row.product_line_id,
            sold_on=row.sold_on, amount=row.amount, reference=row.reference,
            fingerprint=row.fingerprint, import_id=batch.id, entered_by_id=user.id)
            for row in chunk)
        db.session.flush()
        if commit_every:
            db.session.commit()
        if progress:
            progress(min(done * 1000, len(good)))
    return batch


# --- the export ----------------------------------------------------------------------------

def export_columns() -> list[Column]:
    """The export's columns in the reader's language; the first five are the import's (their
    headers, English or Chinese, are among the import's synonyms, so an export comes back)."""
    return [Column(str(_l("Date")), "date"), Column(str(_l("Customer code")), "text", 14),
            Column(str(_l("Product line code")), "text", 14), Column(str(_l("Amount")), "money"),
            Column(str(_l("Reference")), "text", 18), Column(str(_l("Customer name")), "text", 30),
            Column(str(_l("Credited to")), "text", 14)]



def export_row(sold_on, customer_code, line_code, amount, reference, customer_name,
               credited) -> list:
    """One sale as a row of the export."""
    return [sold_on, customer_code, line_code, Decimal(amount).quantize(Decimal("0.01")),
            reference or "", customer_name, credited or ""]


# --- checked files and background imports --------------------------------------------------

keep_checked = checking.keep_checked
checked_job_or_404 = checking.checked_job_or_404


def _import_job(job, user, progress) -> dict:
    from portal.kernel import clock
    from portal.targets import queries

    report = check_file(job.filename, job.content, queries.sale_customers(user), clock.today(),
                        sheet=job.options.get("sheet"))
    if report.bad_rows and not job.options.get("only_good"):
        raise checking.Refused(_l("Nothing was imported: the file has rows with errors."))
    with writing():
        batch = import_rows(report, user, only_good=True, commit_every=True, progress=progress)
        db.session.commit()
    return {"imported": batch.rows_imported, "duplicate": batch.rows_duplicate,
            "rejected": batch.rows_rejected}


def run_import_job(job_id: int) -> None:
    """Do a queued sales import: check the kept file again (the database may have changed), then
    write the rows a thousand at a time, each thousand committed with the progress.

    A job that fails half way can be run again: the natural key makes the rows already written
    count as duplicates.
    """
    checking.run_job(job_id, _import_job, _l("The import failed; run it again: rows already "
                                             "imported will be skipped."))


@queue.background_task()
def import_job_task(job_id: int) -> None:
    """The queued task of a background import: the consumer runs it in an app context."""
    run_import_job(job_id)


def start_import_job(job_id: int) -> None:
    """Hand a checked import to the task queue's consumer (docs/architecture.md, background
    work); the progress page polls the job's row, so any app server answers."""
    import_job_task(job_id)
