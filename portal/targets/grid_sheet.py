"""The targets grid as a spreadsheet: exported to fill in, imported back with a check step.

A row is a person (username and name) and optionally a product line and a customer type (codes;
empty: the overall target), then one column per month (headers 2027-01, 2027年1月 or date cells)
holding the month's target in yuan. Importing it back:

- only people the manager sets targets for (their team, as on the grid); a name two of them
  share is a row error, as is an unknown one;
- an empty cell leaves the month as it is; a cell equal to the recorded target changes nothing,
  so the unchanged export imported again writes nothing;
- an approved (locked) target is refused with the reason when the file changes it;
- the check says how many targets are new, changed and unchanged and which rows are wrong
  before anything is written; all rows or explicitly the good ones, through save_cell (audited).
"""
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import force_locale, gettext, lazy_gettext as _l
from sqlalchemy import select

from portal import audit, spreadsheets
from portal.extensions import db
from portal.kernel.periods import month_start
from portal.models import CustomerType, ProductLine, User
from portal.models.sales import SalesTarget, TargetStatus
from portal.spreadsheets import checking
from portal.spreadsheets import values as cells
from portal.targets import queries, services

KIND = "targets"
MAX_FILE_ROWS = 5000
MAX_AMOUNT = Decimal("9999999999.99")
COLUMNS = {
    "username": ("username", "user name", "用户名", "账号", "工号"),
    "person": ("account manager", "name", "person", "客户经理", "姓名", "人员", "销售人员"),
    "line": ("product line", "product line code", "产品线", "产品线编号", "产品线编码"),
    "ctype": ("customer type", "customer type code", "客户类型", "客户类型编号", "客户类别"),
}
COLUMN_LABELS = {"username": _l("username"), "person": _l("account manager"),
                 "line": _l("product line"), "ctype": _l("customer type")}
REQUIRED = [("username",), ("person",)]
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def fixed_columns() -> list[spreadsheets.Column]:
    """The export's columns before the months, in the reader's language."""
    C = spreadsheets.Column
    return [C(gettext("Username"), "text", 14), C(gettext("Account manager"), "text", 16),
            C(gettext("Product line code"), "text", 12),
            C(gettext("Customer type code"), "text", 12)]


def export_columns(months: list[date]) -> list[spreadsheets.Column]:
    """The export's columns: the person and the dimension, then a money column per month."""
    return fixed_columns() + [spreadsheets.Column(f"{m:%Y-%m}", "money") for m in months]


def export_rows(people: list[User], months: list[date], line: ProductLine | None,
                ctype: CustomerType | None, targets: dict):
    """One row per person: the grid as it is (empty where no target)."""
    for person in people:
        amounts = [targets[(person.id, m)].amount if (person.id, m) in targets else None
                   for m in months]
        yield [person.username, person.display_name, line.code if line else "",
               ctype.code if ctype else "", *amounts]


def synonyms() -> dict[str, tuple]:
    """COLUMNS plus the export's headers in both languages."""
    words = {key: list(values) for key, values in COLUMNS.items()}
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            for key, column in zip(("username", "person", "line", "ctype"), fixed_columns()):
                words[key].append(column.header)
    return {key: tuple(values) for key, values in words.items()}


def month_of(value) -> date | None:
    """The month a header cell names: a date cell, 2027-01, 2027/1, 2027年1月, 2027-01-01."""
    if isinstance(value, datetime):
        return month_start(value.date())
    if isinstance(value, date):
        return month_start(value)
    try:
        written = cells.normalise(cells.text(value))
    except ValueError:
        return None
    match = _MONTH.match(written)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), 1)
        if re.match(r"^\d{4}\D", written):
            return month_start(cells.parse_date(written))
    except ValueError:
        return None
    return None


@dataclass
class GridRow:
    """One person's row of the file and what the check found."""

    number: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    user_id: int | None = None
    line_id: int | None = None
    type_id: int | None = None
    #: (month, amount, action new/change/same, the recorded target or None)
    cells: list[tuple] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return not self.errors and any(c[2] != "same" for c in self.cells)

    @property
    def by_month(self) -> dict:
        return {c[0]: c for c in self.cells}


@dataclass
class GridReport:
    filename: str
    digest: str
    rows: list[GridRow]
    headers: dict[str, str]
    months: list[date]
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)

    @property
    def good_rows(self):
        return [r for r in self.rows if r.good]

    @property
    def bad_rows(self):
        return [r for r in self.rows if r.errors]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if not r.errors for c in r.cells if c[2] == action)


def _lookup(items, *attributes) -> dict:
    found = {}
    for item in items:
        for name in attributes:
            word = getattr(item, name, "")
            if word:
                found[cells.header_key(word)] = item
    return found


def check_file(filename: str, content: bytes, manager: User,
               sheet: str | None = None) -> GridReport:
    """Read and check every row; nothing is written."""
    located = checking.locate(filename, content, synonyms(), REQUIRED, COLUMN_LABELS,
                              MAX_FILE_ROWS, sheet)
    header_row = located.table.rows[located.index]
    taken = set(located.columns.values())
    month_columns = {}
    for position, value in enumerate(header_row):
        month = None if position in taken else month_of(value)
        if month is not None and month not in month_columns:
            month_columns[month] = position
    if not month_columns:
        raise spreadsheets.SpreadsheetError(_l(
            "No column of the header row names a month (like 2027-01 or 2027年1月)."))
    months = sorted(month_columns)
    headers = dict(located.headers)
    rows = []
    for number, picked in checking.data_rows(located):
        values = located.table.rows[number - 1]
        raw = {k: unicodedata.normalize("NFKC", cells.text(v)).strip() for k, v in picked.items()}
        row = GridRow(number, raw)
        row.values = {m: (values[i] if i < len(values) else None)
                      for m, i in month_columns.items()}
        rows.append(row)
    if not rows:
        raise spreadsheets.SpreadsheetError(_l("The file has a header but no rows."))
    month_headers = {m: cells.text(header_row[i]) for m, i in month_columns.items()}
    _check_rows(rows, headers, month_headers, manager, months)
    return GridReport(filename, hashlib.sha256(content).hexdigest(), rows, headers, months,
                      sheet=located.sheet, sheets=located.sheets)


def _check_rows(rows: list[GridRow], headers: dict, month_headers: dict, manager: User,
                months: list[date]) -> None:
    people = db.session.scalars(queries.managed_staff(manager)).all()
    by_username = {p.username.lower(): p for p in people}
    by_name: dict[str, list[User]] = {}
    for person in people:
        by_name.setdefault(unicodedata.normalize("NFKC", person.display_name).strip(),
                           []).append(person)
    lines = _lookup(queries.product_lines(), "code", "name", "name_en")
    types = _lookup(queries.customer_types(), "code", "name", "name_en")

    def fail(row, column, message):
        row.errors.append(f"{headers.get(column) or COLUMN_LABELS[column]}: {message}")

    for row in rows:
        username, name = row.raw.get("username", ""), row.raw.get("person", "")
        person = None
        if username:
            person = by_username.get(username.lower())
            if person is None:
                fail(row, "username", _l("%(name)s is not in your team.", name=username))
        elif name:
            found = by_name.get(name, [])
            if len(found) > 1:
                fail(row, "person", _l("%(name)s is the name of %(n)d people of your team: "
                                       "write the username instead.", name=name, n=len(found)))
            elif not found:
                fail(row, "person", _l("%(name)s is not in your team.", name=name))
            else:
                person = found[0]
        else:
            fail(row, "username" if "username" in headers else "person",
                 _l("the person is missing."))
        row.user_id = person.id if person else None
        for key, table in (("line", lines), ("ctype", types)):
            written = row.raw.get(key, "")
            if written:
                item = table.get(cells.header_key(written))
                if item is None:
                    fail(row, key, _l("nothing is called %(text)s.", text=written))
                else:
                    setattr(row, "line_id" if key == "line" else "type_id", item.id)
    keys = Counter((r.user_id, r.line_id, r.type_id) for r in rows if r.user_id)
    for row in rows:
        if row.user_id and keys[(row.user_id, row.line_id, row.type_id)] > 1:
            row.errors.append(str(_l("The same person and dimension appear in more than one "
                                     "row.")))
    user_ids = sorted({r.user_id for r in rows if r.user_id})
    recorded = {}
    if user_ids:
        recorded = {(t.user_id, t.month, t.product_line_id, t.customer_type_id): t
                    for t in db.session.scalars(select(SalesTarget).where(
                        SalesTarget.user_id.in_(user_ids), SalesTarget.month >= months[0],
                        SalesTarget.month <= months[-1]))}
    for row in rows:
        for month in months:
            value = row.values[month]
            if not cells.text(value):
                continue
            label = month_headers[month]
            try:
                amount = cells.parse_amount(value, MAX_AMOUNT)
            except ValueError as error:
                row.errors.append(f"{label}: {error}")
                continue
            if row.user_id is None:
                continue
            existing = recorded.get((row.user_id, month, row.line_id, row.type_id))
            if existing is None:
                row.cells.append((month, amount, "new", None))
            elif existing.amount == amount:
                row.cells.append((month, amount, "same", existing))
            elif existing.status == TargetStatus.APPROVED:
                row.errors.append(str(_l(
                    "%(month)s: the target of %(amount)s is approved and locked; change it on "
                    "the target's own page, with the reason.", month=label,
                    amount="{:,.2f}".format(existing.amount))))
            else:
                row.cells.append((month, amount, "change", existing))


def import_rows(report: GridReport, only_good: bool) -> dict | None:
    """Write the new and changed targets of the good rows through save_cell (each audited):
    all rows (None, nothing written, when any is wrong) or explicitly the good ones."""
    if report.bad_rows and not only_good:
        return None
    for row in report.good_rows:
        for month, amount, action, existing in row.cells:
            if action != "same":
                error = services.save_cell(row.user_id, month, row.line_id, row.type_id,
                                           str(amount), existing)
                assert error is None, error  # the check refused what save_cell refuses
    result = {"new": report.count("new"), "changed": report.count("change"),
              "unchanged": report.count("same"), "rejected": len(report.bad_rows)}
    audit.record("target.import", "target_import", None, None,
                 {"filename": report.filename, "digest": report.digest, **result})
    return result
