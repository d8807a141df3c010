"""Importing customers from CSV or Excel, with the sales import's reading layer and check step
(portal.spreadsheets.checking): read, check every row, then import all or the good rows.

- Columns: code and name, and as they exist type, tier, potential, owner (a username or a name),
  industry, address, status, preferences, needs. The customer export's headers, in either
  language, are among the header words, so the export comes back in.
- Who may import into which area is who may create customers there: staff for themselves,
  managers for the account managers of the areas they head. An owner the importer may not give
  customers to, or a name two of them share, is a row error.
- An existing customer (same code) is updated only when the person ticks "update existing";
  otherwise it counts as already there. A row that would change nothing counts as unchanged,
  so the same file imported twice writes nothing the second time.
- Every write goes through portal.customers.services, with its audit entry; the import adds
  one entry of its own with the counts.
"""
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext, lazy_gettext as _l, pgettext
from sqlalchemy import func, select

from portal import audit, queue, spreadsheets
from portal.customers import services
from portal.customers.forms import POTENTIAL_LABELS, STATUS_LABELS
from portal.customers.queries import assignable_staff, customer_scope, customer_types
from portal.database import writing
from portal.extensions import db
from portal.kernel import clock
from portal.models import Role, User
from portal.models.customers import Customer, CustomerStatus, Tier
from portal.spreadsheets import checking
from portal.spreadsheets import values as cells

#: The columns of a customer file, with header words accepted for each (besides the export's).
COLUMNS = {
    "code": ("code", "customer code", "customer_code", "客户编号", "客户编码", "客户代码",
             "编码", "编号"),
    "name": ("name", "customer name", "customer", "名称", "客户名称", "客户", "公司名称",
             "单位名称", "企业名称"),
    "type": ("type", "customer type", "类型", "客户类型", "客户类别", "类别"),
    "tier": ("tier", "等级", "客户等级", "分级", "级别"),
    "potential": ("potential", "潜力"),
    "owner": ("owner", "account manager", "客户经理", "负责人", "业务员", "归属客户经理"),
    "owner_username": ("owner username", "owner's username", "username",
                       "客户经理用户名", "客户经理账号", "用户名"),
    "industry": ("industry", "行业", "所属行业"),
    "address": ("address", "地址", "客户地址", "详细地址"),
    "status": ("status", "状态", "客户状态"),
    "preferences": ("preferences", "偏好", "客户偏好"),
    "needs": ("needs", "需求", "客户需求"),
}
COLUMN_LABELS = {"code": _l("customer code"), "name": _l("customer name"), "type": _l("type"),
                 "tier": _l("tier"), "potential": _l("potential"), "owner": _l("owner"),
                 "owner_username": _l("owner's username"), "industry": _l("industry"),
                 "address": _l("address"), "status": _l("status"),
                 "preferences": _l("preferences"), "needs": _l("needs")}
REQUIRED = ("code", "name")
#: Lengths of the text columns (as the customer form allows).
LENGTHS = {"name": 200, "industry": 100, "address": 300, "preferences": 4000, "needs": 4000}
CODE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
#: Rows imported while the person waits (~3 ms a new customer here); longer files run as
#: background work.
MAX_ROWS = 1000
#: The most rows a file may hold at all.
MAX_FILE_ROWS = 50_000
KIND = "customers"


def export_columns() -> list[spreadsheets.Column]:
    """The customer export's columns, in the reader's language (read back by the import)."""
    C = spreadsheets.Column
    return [C(gettext("Customer code"), "text", 14), C(pgettext("thing", "Name"), "text", 30),
            C(gettext("Type")),
            C(gettext("Industry")), C(gettext("Address"), "text", 36),
            C(gettext("Status"), "text", 10), C(gettext("Tier"), "text", 8),
            C(gettext("Potential"), "text", 10), C(gettext("Account manager")),
            C(gettext("Account manager's username")), C(gettext("Area")),
            C(gettext("Sales, last 12 months"), "money")]


#: The export's columns in the order above, as the import's column keys (None: not imported).
EXPORT_KEYS = ("code", "name", "type", "industry", "address", "status", "tier", "potential",
               "owner", "owner_username", None, None)


def synonyms() -> dict[str, tuple]:
    """COLUMNS plus the export's headers in both languages."""
    words = {key: list(values) for key, values in COLUMNS.items()}
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            for key, column in zip(EXPORT_KEYS, export_columns()):
                if key:
                    words[key].append(column.header)
    return {key: tuple(values) for key, values in words.items()}


def _both_languages(labels: dict) -> dict[str, object]:
    """{header_key of a label in English or Chinese: its value} for coded values."""
    found = {}
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            for value, label in labels.items():
                found[cells.header_key(str(label))] = value
    return found


@dataclass
class CustomerRow:
    """One data row of the file and what the check found."""

    number: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    action: str = "new"  # new, update, same (unchanged), skip (exists, update not ticked)
    customer_id: int | None = None
    owner_id: int | None = None
    profile: dict = field(default_factory=dict)
    tier: object = None  # a Tier, None (not decided) or UNSET
    potential: int | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return not self.errors and self.action in ("new", "update")


UNSET = object()


@dataclass
class CustomerReport:
    """The row-by-row result of checking a customer file."""

    filename: str
    digest: str
    rows: list[CustomerRow]
    headers: dict[str, str]
    update_existing: bool
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    merged: bool = False

    @property
    def good_rows(self):
        return [r for r in self.rows if r.good]

    @property
    def bad_rows(self):
        return [r for r in self.rows if r.errors]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if not r.errors and r.action == action)

    def shown_rows(self, limit: int = 200):
        """Every bad row, then the first others up to `limit`, in the file's order."""
        bad = self.bad_rows
        others = [r for r in self.rows if not r.errors][:max(limit - len(bad), 0)]
        return sorted(bad + others, key=lambda row: row.number)


def _clean(value) -> str:
    return checking.unguard(unicodedata.normalize("NFKC", cells.text(value)).strip())


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\t\r\n" or 0x7F <= ord(c) < 0xA0 for c in text)


def _tier(text: str):
    """A tier as written: A, b, A类, A级, Tier A, A 类客户; "" is not given."""
    word = cells.header_key(text).upper()
    for noise in ("TIER", "客户", "类", "级", "等"):
        word = word.replace(noise, "")
    if word in {t.value for t in Tier}:
        return Tier(word)
    raise ValueError(_l("%(text)s is not a tier (A, B or C).", text=text))


class Owners:
    """The people the importer may give customers to, found by username or name."""

    def __init__(self, importer: User):
        self.importer = importer
        self.is_manager = importer.has_role(Role.MANAGER)
        people = (db.session.scalars(assignable_staff(importer)).all() if self.is_manager
                  else [importer])
        self.by_username = {p.username.lower(): p for p in people}
        self.by_name: dict[str, list[User]] = {}
        for person in people:
            key = unicodedata.normalize("NFKC", person.display_name).strip()
            self.by_name.setdefault(key, []).append(person)
        self.by_id = {p.id: p for p in people}

    def find(self, username: str, name: str) -> User:
        """The person a row names; ValueError with the reason."""
        if username:
            person = self.by_username.get(username.lower())
            if person is None:
                raise ValueError(self._unknown(username))
            return person
        person = self.by_username.get(name.lower())
        if person is not None:
            return person
        found = self.by_name.get(name, [])
        if len(found) > 1:
            raise ValueError(_l("%(name)s is the name of %(n)d account managers: write the "
                                "username instead.", name=name, n=len(found)))
        if not found:
            raise ValueError(self._unknown(name))
        return found[0]

    def _unknown(self, written: str):
        if self.is_manager:
            return _l("%(name)s is not an account manager of an area you head.", name=written)
        return _l("%(name)s is not you: staff import their own customers only.", name=written)


def check_file(filename: str, content: bytes, importer: User, update_existing: bool,
               sheet: str | None = None, max_rows: int = MAX_FILE_ROWS) -> CustomerReport:
    """Read and check every row; nothing is written."""
    located = checking.locate(filename, content, synonyms(), REQUIRED, COLUMN_LABELS,
                              max_rows, sheet)
    rows = [CustomerRow(number, {k: _clean(v) for k, v in picked.items()})
            for number, picked in checking.data_rows(located)]
    if not rows:
        raise spreadsheets.SpreadsheetError(_l("The file has a header but no rows."))
    _check_rows(rows, located.headers, importer, update_existing)
    return CustomerReport(filename, hashlib.sha256(content).hexdigest(), rows, located.headers,
                          update_existing, sheet=located.sheet, sheets=located.sheets,
                          merged=located.table.merged)


def _existing(codes: list[str]) -> dict[str, Customer]:
    found = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        found.update((c.code.upper(), c) for c in db.session.scalars(
            select(Customer).where(func.upper(Customer.code).in_(chunk))))
    return found


def _check_rows(rows: list[CustomerRow], headers: dict, importer: User,
                update_existing: bool) -> None:
    owners = Owners(importer)
    codes = Counter(r.raw["code"].upper() for r in rows if r.raw.get("code"))
    existing = _existing(sorted(codes))
    visible = set()
    ids = [c.id for c in existing.values()]
    for start in range(0, len(ids), 500):
        visible.update(db.session.scalars(select(Customer.id).where(
            customer_scope(importer), Customer.id.in_(ids[start:start + 500]))))
    types = {}
    for t in customer_types():
        for word in (t.code, t.name, t.name_en):
            if word:
                types[cells.header_key(word)] = t
    statuses = {cells.header_key(s.value): s for s in CustomerStatus}
    statuses.update(_both_languages(STATUS_LABELS))
    potentials = {str(k): k for k in POTENTIAL_LABELS}
    potentials.update(_both_languages(POTENTIAL_LABELS))

    def fail(row, column, message):
        row.errors.append(f"{headers.get(column) or COLUMN_LABELS[column]}: {message}")

    for row in rows:
        raw = row.raw
        code = raw.get("code", "")
        if not code:
            fail(row, "code", _l("the code is missing."))
        elif not CODE.match(code):
            fail(row, "code", _l("%(code)s: use at most 30 letters, digits, - and _.",
                                 code=code))
        elif codes[code.upper()] > 1:
            fail(row, "code", _l("%(code)s appears more than once in the file.", code=code))
        customer = existing.get(code.upper()) if code else None
        if customer is not None and customer.id not in visible:
            fail(row, "code", _l("%(code)s is the code of a customer that is not yours.",
                                 code=code))
            continue
        row.customer_id = customer.id if customer is not None else None
        profile = {}
        if not raw.get("name"):
            fail(row, "name", _l("the name is missing."))
        for key, limit in LENGTHS.items():
            text = raw.get(key, "")
            if key in raw and len(text) > limit:
                fail(row, key, _l("longer than %(n)d characters.", n=limit))
            elif _has_control(text):
                fail(row, key, _l("remove the invisible control characters."))
            elif key in raw and (text or key != "name"):
                profile[key] = text
        if raw.get("type"):
            found = types.get(cells.header_key(raw["type"]))
            if found is None:
                fail(row, "type", _l("no customer type is called %(text)s.", text=raw["type"]))
            else:
                profile["type_id"] = found.id
        elif "type" in raw:
            profile["type_id"] = None
        if raw.get("status"):
            status = statuses.get(cells.header_key(raw["status"]))
            if status is None:
                fail(row, "status", _l("%(text)s is not a status.", text=raw["status"]))
            else:
                profile["status"] = status.value
        row.tier = UNSET
        if raw.get("tier"):
            try:
                row.tier = _tier(raw["tier"])
            except ValueError as error:
                fail(row, "tier", error)
        if raw.get("potential"):
            row.potential = potentials.get(cells.header_key(raw["potential"]))
            if row.potential is None:
                fail(row, "potential", _l("%(text)s is not a potential (1-3, low, medium, high).",
                                          text=raw["potential"]))
        owner = None
        written = (raw.get("owner_username", ""), raw.get("owner", ""))
        if customer is not None and _is_current_owner(customer, *written):
            owner = None  # as it is: whoever owns it, the row changes nothing there
        elif any(written):
            column = "owner_username" if written[0] else "owner"
            try:
                owner = owners.find(*written)
            except ValueError as error:
                fail(row, column, error)
        elif not owners.is_manager:
            owner = importer
        elif customer is None:
            fail(row, "owner", _l("name the account manager of the new customer."))
        row.owner_id = owner.id if owner else None
        row.profile = profile
        _decide(row, customer, owner, owners, update_existing, headers, fail)


def _is_current_owner(customer: Customer, username: str, name: str) -> bool:
    """Whether a row names the customer's present owner (or no one)."""
    current = customer.account_manager
    if not (username or name) or current is None:
        return False
    if username:
        return username.lower() == current.username.lower()
    return name.lower() in (current.username.lower(), current.display_name.lower())


def _decide(row: CustomerRow, customer: Customer | None, owner: User | None, owners: Owners,
            update_existing: bool, headers: dict, fail) -> None:
    """new, update, same or skip; tier, potential and owner changes by staff refused."""
    current_tier = customer.tier if customer is not None else None
    current_potential = customer.potential if customer is not None else 2
    if not owners.is_manager:
        if row.tier is not UNSET and row.tier != current_tier:
            fail(row, "tier", _l("only a manager decides a customer's tier."))
        if row.potential is not None and row.potential != current_potential:
            fail(row, "potential", _l("only a manager decides a customer's potential."))
    if customer is None:
        if owner is not None and owner.area_id is None:
            fail(row, "owner", _l("%(name)s belongs to no area.", name=owner.display_name))
        row.action = "new"
        return
    if not update_existing:
        row.action = "skip"
        return
    changes = [k for k, v in row.profile.items() if _current(customer, k) != v]
    if row.tier is not UNSET and row.tier != customer.tier:
        changes.append("tier")
    if row.potential is not None and row.potential != customer.potential:
        changes.append("potential")
    if owner is not None and owner.id != customer.account_manager_id:
        if not owners.is_manager:
            fail(row, "owner", _l("only a manager moves a customer to another account manager."))
        elif owner.area_id != customer.area_id:
            fail(row, "owner", _l("%(name)s works in another area than the customer.",
                                  name=owner.display_name))
        changes.append("owner")
    row.changes = changes
    row.action = "update" if changes else "same"


def _current(customer: Customer, key: str):
    value = getattr(customer, key)
    if key == "status":
        return value.value
    return value if key == "type_id" else (value or "")


def import_rows(report: CustomerReport, importer: User, only_good: bool, progress=None,
                commit_every: bool = False) -> dict | None:
    """Write the checked rows through the customer services (each audited): all of them
    (None, nothing written, when any is wrong) or explicitly the good ones. Returns the counts."""
    if report.bad_rows and not only_good:
        return None
    people = {}

    def person(user_id):
        if user_id and user_id not in people:
            people[user_id] = db.session.get(User, user_id)
        return people.get(user_id)

    today = clock.today()
    rows = report.good_rows
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        new = [row for row in chunk if row.action == "new"]
        made = services.create_customers(
            [({"status": CustomerStatus.ACTIVE.value, "type_id": None, **row.profile,
               "code": row.raw["code"]}, person(row.owner_id)) for row in new], importer)
        customers = dict(zip((id(row) for row in new), made))
        for row in chunk:
            customer = customers.get(id(row))
            if customer is None:
                customer = db.session.get(Customer, row.customer_id)
                profile = {k: _current(customer, k) for k in services.PROFILE_FIELDS}
                profile.update(row.profile)
                services.update_customer(customer, profile)
                if "owner" in row.changes:
                    services.reassign(customer, person(row.owner_id), importer, today,
                                      str(_l("imported from %(name)s", name=report.filename)))
            tier = customer.tier if row.tier is UNSET else row.tier
            potential = row.potential if row.potential is not None else customer.potential
            if (tier, potential) != (customer.tier, customer.potential):
                services.set_tier(customer, tier, potential)
        db.session.flush()
        if commit_every:
            db.session.commit()
        if progress:
            progress(start + len(chunk))
    result = {"imported": report.count("new"), "updated": report.count("update"),
              "unchanged": report.count("same"), "duplicate": report.count("skip"),
              "rejected": len(report.bad_rows)}
    audit.record("customer.import", "customer_import", None, None,
                 {"filename": report.filename, "digest": report.digest, **result})
    return result


# --- background imports (files above MAX_ROWS) ---------------------------------------------

def _import_job(job, user, progress) -> dict:
    report = check_file(job.filename, job.content, user, bool(job.options.get("update")),
                        sheet=job.options.get("sheet"))
    if report.bad_rows and not job.options.get("only_good"):
        raise checking.Refused(_l("Nothing was imported: the file has rows with errors."))
    with writing():
        result = import_rows(report, user, only_good=True, progress=progress,
                             commit_every=True)
        db.session.commit()
    return result


def run_import_job(job_id: int) -> None:
    """Do a queued customer import: check the kept file again, then write it."""
    checking.run_job(job_id, _import_job, _l("The import failed; run it again: customers "
                                             "already imported will count as already there."))


@queue.background_task()
def import_job_task(job_id: int) -> None:
    """The queued task of a background customer import."""
    run_import_job(job_id)
