"""Payouts: periods, the pure statement computation, the adapter that gathers its inputs,
approval (which freezes and locks a period), exports, and who may see whose pay.

The core, `compute_statement`, takes plain inputs (rules, sales per product line, attainment %,
rating band) and returns statement lines; it reads no database and invents no number: an input
that is missing makes its line say "no data" (amount None), and the total is then incomplete.
"""
import importlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Mapping, Sequence

from sqlalchemy import func, select

from portal import spreadsheets
from portal.extensions import db

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    """Money rounded to the fen, halves up (as payroll rounds)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- periods ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A month ("2026-11") or a quarter ("2026-Q4"): first and last day, number of months."""

    key: str
    start: date
    end: date
    months: int

    @property
    def is_quarter(self) -> bool:
        return self.months == 3


_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


def parse_period(key: str) -> Period | None:
    """The period a key names, or None when the key is not one."""
    match = _PERIOD.match(key or "")
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2):
        first = last = int(match.group(2))
    else:
        first = 3 * int(match.group(3)) - 2
        last = first + 2
    return Period(key, date(year, first, 1), _month_end(year, last), last - first + 1)


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def month_key(day: date) -> str:
    """The key of the month a day falls in."""
    return f"{day.year}-{day.month:02d}"


def quarter_key(day: date) -> str:
    """The key of the quarter a day falls in."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_month(day: date) -> date:
    """The first day of the month before the one a day falls in."""
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


# --- the pure computation -----------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    """A commission rate applying from an attainment % on (inclusive)."""

    min_attainment: Decimal
    rate_percent: Decimal


@dataclass(frozen=True)
class Rules:
    """One person's pay rules for a period, as plain values."""

    base_monthly: Decimal
    base_bonus_monthly: Decimal
    #: Band → multiplier of the base bonus.
    multipliers: Mapping[str, Decimal]
    #: Product line id → its tiers (any order).
    commission: Mapping[int, Sequence[Tier]]
    #: Product line id → its name, for the statement.
    line_names: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One line of a statement. amount None means "no data": the input was missing."""

    kind: str  # "base", "bonus" or "commission"
    label: str
    amount: Decimal | None
    #: The figure the amount was computed on: months for base, multiplier for bonus, sales for
    #: commission.
    basis: Decimal | None = None
    #: The rate applied to the basis (bonus: the monthly base bonus; commission: percent).
    rate: Decimal | None = None
    #: Why the amount is missing, or which tier applied: a code the views translate.
    note: str = ""
    product_line_id: int | None = None


@dataclass(frozen=True)
class Statement:
    """A person's statement for a period."""

    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the lines that have an amount."""
        return sum((line.amount for line in self.lines if line.amount is not None), Decimal("0"))

    @property
    def complete(self) -> bool:
        """Whether every line could be computed."""
        return all(line.amount is not None for line in self.lines)

    def amount_of(self, kind: str) -> Decimal | None:
        """The sum of the lines of a kind, or None when one of them has no data."""
        amounts = [line.amount for line in self.lines if line.kind == kind]
        if any(a is None for a in amounts):
            return None
        return sum(amounts, Decimal("0"))


def tier_rate(tiers: Sequence[Tier], attainment: Decimal | None) -> Tier | None:
    """The tier that applies at an attainment %: the highest threshold at or below it.

    With one tier attainment does not matter; with several and no attainment, None.
    Below the lowest threshold nothing applies (None).
    """
    ordered = sorted(tiers, key=lambda t: t.min_attainment)
    if not ordered:
        return None
    if attainment is None:
        return ordered[0] if len(ordered) == 1 and ordered[0].min_attainment == 0 else None
    applicable = [t for t in ordered if t.min_attainment <= attainment]
    return applicable[-1] if applicable else None


def compute_statement(rules: Rules, months: int, sales: Mapping[int, Decimal] | None,
                      attainment: Decimal | None, band: str | None) -> Statement:
    """Base, bonus and commission lines of a statement from plain inputs.

    - base = monthly base × months;
    - bonus = monthly base bonus × months × the band's multiplier (no band: no data);
    - commission, per product line with a rate: sales × the rate of the tier the attainment
      reaches (sales unknown: no data; several tiers and attainment unknown: no data).
    Each line is rounded to the fen; the total is the sum of the rounded lines.
    """
    lines = [Line("base", "base", cents(rules.base_monthly * months), basis=Decimal(months),
                  rate=rules.base_monthly)]
    if band is None:
        lines.append(Line("bonus", "bonus", None, note="no_band"))
    elif band not in rules.multipliers:
        lines.append(Line("bonus", "bonus", None, note="no_multiplier"))
    else:
        multiplier = rules.multipliers[band]
        lines.append(Line("bonus", "bonus", cents(rules.base_bonus_monthly * months * multiplier),
                          basis=multiplier, rate=rules.base_bonus_monthly, note=band))
    if sales is None:
        lines.append(Line("commission", "commission", None, note="no_sales"))
        return Statement(tuple(lines))
    for line_id in sorted(rules.commission, key=lambda i: (rules.line_names.get(i, ""), i)):
        name = rules.line_names.get(line_id, str(line_id))
        amount_sold = sales.get(line_id, Decimal("0"))
        tier = tier_rate(rules.commission[line_id], attainment)
        if tier is None and attainment is None:
            lines.append(Line("commission", name, None, basis=amount_sold, note="no_attainment",
                              product_line_id=line_id))
            continue
        if tier is None:
            lines.append(Line("commission", name, Decimal("0.00"), basis=amount_sold,
                              rate=Decimal("0"), note="below_tiers", product_line_id=line_id))
            continue
        lines.append(Line("commission", name, cents(amount_sold * tier.rate_percent / HUNDRED),
                          basis=amount_sold, rate=tier.rate_percent,
                          note=f"from {tier.min_attainment}", product_line_id=line_id))
    return Statement(tuple(lines))


def what_if_sales(sales: Mapping[int, Decimal] | None, attainment_now: Decimal | None,
                  attainment_then: Decimal) -> Mapping[int, Decimal] | None:
    """The sales per line if attainment went from now to then, in the same proportions.

    Attainment is sales over target, so reaching `then` means selling then/now times as much.
    When the present attainment is unknown or zero the sales cannot be scaled: they stay.
    """
    if sales is None:
        return None
    if not attainment_now:
        return dict(sales)
    factor = attainment_then / attainment_now
    return {line: cents(amount * factor) for line, amount in sales.items()}


# --- the adapter: inputs from the database and the other modules --------------------------------

def _resolve(module: str, name: str) -> Callable | None:
    """A function of another module, looked up at call time; None while that module is absent."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def attainment_for(user_id: int, period: Period) -> Decimal | None:
    """The person's target attainment % over the period (targets module), or None: no data."""
    source = _resolve("portal.targets.services", "attainment_percent")
    if source is None:
        return None
    value = source(user_id, period.start, period.end)
    return None if value is None else Decimal(value)


def attainment_for_many(user_ids: Sequence[int], period: Period) -> dict[int, Decimal | None]:
    """Attainment % of several people at once, in a fixed number of queries when the targets
    module offers its batch pieces (targets_by_person, sales_by_person, percent), which is
    exactly how its attainment_percent computes one person; else one call per person."""
    batch = _resolve("portal.targets.services", "attainment_by_person")
    if batch is not None:
        found = batch(list(user_ids), period.start, period.end)
        return {uid: found.get(uid) for uid in user_ids}
    targets = _resolve("portal.targets.services", "targets_by_person")
    sold = _resolve("portal.targets.services", "sales_by_person")
    percent = _resolve("portal.targets.services", "percent")
    if targets and sold and percent and user_ids:
        goal = targets(list(user_ids), period.start, period.end)
        done = sold(list(user_ids), period.start, period.end)
        return {uid: None if goal.get(uid) is None
                else percent(done.get(uid, Decimal("0")), goal[uid]) for uid in user_ids}
    return {uid: attainment_for(uid, period) for uid in user_ids}


def band_for(user_id: int, period: Period) -> str | None:
    """The rating band of the person's appraisal for the period (appraisals module), or None."""
    source = _resolve("portal.appraisals.services", "final_band")
    return None if source is None else source(user_id, period.start, period.end)


def bands_for_many(user_ids: Sequence[int], period: Period) -> dict[int, str | None]:
    """Rating bands of several people: one call of the appraisals module's batch function
    `final_bands(user_ids, start, end)` when it has one, else final_band person by person."""
    batch = _resolve("portal.appraisals.services", "final_bands")
    if batch is not None:
        found = batch(list(user_ids), period.start, period.end)
        return {uid: found.get(uid) for uid in user_ids}
    return {uid: band_for(uid, period) for uid in user_ids}


def sales_by_person(user_ids: Sequence[int] | None, period: Period
                    ) -> dict[int, dict[int, Decimal]] | None:
    """Sales per person and product line in the period, credited to whoever owned the customer
    on the sale's date; None when the sales records are not there (customers module absent).

    One query for any number of people (user_ids None: everyone).
    """
    try:
        sales_models = importlib.import_module("portal.models.sales")
        customer_models = importlib.import_module("portal.models.customers")
        SalesRecord = sales_models.SalesRecord
        Assignment = customer_models.CustomerAssignment
    except (ImportError, AttributeError):
        return None
    query = (
        select(Assignment.account_manager_id, SalesRecord.product_line_id,
               func.sum(SalesRecord.amount))
        .join(Assignment, Assignment.customer_id == SalesRecord.customer_id)
        .where(SalesRecord.sold_on >= period.start, SalesRecord.sold_on <= period.end,
               (Assignment.starts_on.is_(None)) | (Assignment.starts_on <= SalesRecord.sold_on),
               (Assignment.ends_on.is_(None)) | (SalesRecord.sold_on < Assignment.ends_on))
        .group_by(Assignment.account_manager_id, SalesRecord.product_line_id)
    )
    if user_ids is not None:
        query = query.where(Assignment.account_manager_id.in_(list(user_ids)))
    found: dict[int, dict[int, Decimal]] = {uid: {} for uid in (user_ids or [])}
    for user_id, line_id, amount in db.session.execute(query):
        found.setdefault(user_id, {})[line_id] = Decimal(amount)
    return found


def version_in_force(day: date):
    """The pay-rule version in force on a day: the latest one effective on or before it."""
    from portal.models.incentives import PayRuleVersion

    return db.session.scalar(select(PayRuleVersion)
                             .where(PayRuleVersion.effective_from <= day)
                             .order_by(PayRuleVersion.effective_from.desc()).limit(1))


def rules_by_person(version, user_ids: Sequence[int] | None = None) -> dict[int, Rules]:
    """Each person's Rules under a version: only people with a base pay in it (three queries)."""
    from portal.models import ProductLine
    from portal.models.incentives import BandMultiplier, BasePay, CommissionRate

    multipliers = {m.band: m.multiplier for m in db.session.scalars(
        select(BandMultiplier).where(BandMultiplier.version_id == version.id))}
    commission: dict[int, list[Tier]] = {}
    names: dict[int, str] = {}
    for rate, line in db.session.execute(
            select(CommissionRate, ProductLine).join(ProductLine)
            .where(CommissionRate.version_id == version.id)):
        commission.setdefault(rate.product_line_id, []).append(
            Tier(rate.min_attainment, rate.rate_percent))
        names[line.id] = line.name
    query = select(BasePay.user_id, BasePay.monthly).where(BasePay.version_id == version.id)
    if user_ids is not None:
        query = query.where(BasePay.user_id.in_(list(user_ids)))
    return {user_id: Rules(monthly, version.base_bonus, multipliers, commission, names)
            for user_id, monthly in db.session.execute(query)}


@dataclass(frozen=True)
class Inputs:
    """What a statement is computed from, as gathered; None where a source had no data."""

    rules: Rules | None
    sales: Mapping[int, Decimal] | None
    attainment: Decimal | None
    band: str | None

    def as_json(self) -> dict:
        """The inputs as stored with a frozen statement."""
        return {"attainment": None if self.attainment is None else str(self.attainment),
                "band": self.band, "sales_known": self.sales is not None}


def gather_inputs(user_ids: Sequence[int] | None, period: Period) -> dict[int, Inputs]:
    """The inputs of the statements of these people (None: everyone with a base pay)."""
    version = version_in_force(period.start)
    if version is None:
        return {}
    rules = rules_by_person(version, user_ids)
    people = sorted(rules)
    sales = sales_by_person(people, period)
    attainment = attainment_for_many(people, period)
    bands = bands_for_many(people, period)
    return {uid: Inputs(rules[uid], None if sales is None else sales.get(uid, {}),
                        attainment[uid], bands[uid])
            for uid in people}


def statement_from(inputs: Inputs, period: Period, attainment: Decimal | None = None
                   ) -> Statement:
    """The statement from gathered inputs; with an attainment, the what-if at that attainment."""
    if attainment is None:
        return compute_statement(inputs.rules, period.months, inputs.sales, inputs.attainment,
                                 inputs.band)
    sales = what_if_sales(inputs.sales, inputs.attainment, attainment)
    return compute_statement(inputs.rules, period.months, sales, attainment, inputs.band)


# --- frozen statements --------------------------------------------------------------------------

def line_to_json(line: Line) -> dict:
    """A statement line as stored at approval."""
    plain = lambda v: None if v is None else str(v)  # noqa: E731
    return {"kind": line.kind, "label": line.label, "amount": plain(line.amount),
            "basis": plain(line.basis), "rate": plain(line.rate), "note": line.note,
            "product_line_id": line.product_line_id}


def line_from_json(data: dict) -> Line:
    """A stored statement line back as a Line."""
    dec = lambda v: None if v is None else Decimal(v)  # noqa: E731
    return Line(data["kind"], data["label"], dec(data["amount"]), dec(data["basis"]),
                dec(data["rate"]), data["note"], data["product_line_id"])


def approval_of(period_key: str):
    """The approval of a period, or None while it is open."""
    from portal.models.incentives import PayoutApproval

    return db.session.scalar(select(PayoutApproval).where(PayoutApproval.period == period_key))


def approve_period(period: Period, approver_id: int | None):
    """Freeze every statement of the period and lock it and the rules it used; None if no rules."""
    from portal import audit
    from portal.models import utcnow
    from portal.models.incentives import PayoutApproval, PayoutStatement

    if approval_of(period.key) is not None:
        raise PeriodLocked(period.key)
    version = version_in_force(period.start)
    if version is None:
        return None
    approval = PayoutApproval(period=period.key, version_id=version.id,
                              approved_by_id=approver_id)
    db.session.add(approval)
    for user_id, inputs in gather_inputs(None, period).items():
        statement = statement_from(inputs, period)
        db.session.add(PayoutStatement(
            approval=approval, user_id=user_id, total=statement.total,
            lines=[line_to_json(line) for line in statement.lines], inputs=inputs.as_json()))
    version.locked_at = version.locked_at or utcnow()
    db.session.flush()
    audit.record("payout.approve", "payout_period", approval.id, None,
                 {"period": period.key, "version_id": version.id})
    return approval


class PeriodLocked(Exception):
    """A change was asked of a period (or rules) that an approval has locked."""


def check_version_editable(version) -> None:
    """Raise PeriodLocked when an approved period was computed under these rules."""
    if version.locked_at is not None:
        raise PeriodLocked(str(version.effective_from))


def latest_approved_start() -> date | None:
    """The first day of the latest approved period, if any."""
    from portal.models.incentives import PayoutApproval

    keys = db.session.scalars(select(PayoutApproval.period)).all()
    starts = [p.start for p in map(parse_period, keys) if p]
    return max(starts, default=None)


def latest_approved_end() -> date | None:
    """The last day of the latest approved period, if any: new rules must start after it."""
    from portal.models.incentives import PayoutApproval

    keys = db.session.scalars(select(PayoutApproval.period)).all()
    ends = [p.end for p in map(parse_period, keys) if p]
    return max(ends, default=None)


# --- who may see whose pay ----------------------------------------------------------------------

def managers_see_reports() -> bool:
    """HR's setting: whether managers may read their reports' statements (off by default)."""
    from portal.models.incentives import IncentiveSettings

    return bool(db.session.scalar(select(IncentiveSettings.managers_see_reports).limit(1)))


def pay_visible_user_ids(viewer):
    """The ids of the people whose pay this viewer may see, as a select.

    HR: everyone. Everyone else: themselves; managers also their reports when HR allows it.
    Administrators are not HR: they see their own pay only.
    """
    from sqlalchemy import literal, union

    from portal.access import headed_area_member_ids, report_ids
    from portal.models import Role, User

    if viewer.has_role(Role.HR):
        return select(User.id)
    if viewer.has_role(Role.MANAGER) and managers_see_reports():
        # One flat UNION: SQLite refuses nested, parenthesised compound selects.
        return union(select(literal(viewer.id)), report_ids(viewer.id),
                     headed_area_member_ids(viewer))
    return select(literal(viewer.id))


def can_see_pay(viewer, user_id: int) -> bool:
    """Whether the viewer may read this person's payout statement."""
    from sqlalchemy import literal

    if viewer.id == user_id:
        return True
    query = select(literal(1)).where(literal(user_id).in_(pay_visible_user_ids(viewer)))
    return db.session.scalar(query) is not None


# --- exports ------------------------------------------------------------------------------------

neutralise = spreadsheets.safe_cell


def to_csv(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A CSV text (with a BOM so Excel reads the Chinese) of neutralised rows."""
    return spreadsheets.csv_text(header, rows)


def to_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """An Excel workbook of neutralised rows; money stays numeric."""
    return spreadsheets.xlsx_bytes(title, header, rows)
