"""Payouts: periods, the pure statement computation, the adapter that gathers its inputs,
approval (which freezes and locks a period), the pay rules and their versions, awards and team
activities (each write with its audit entry), exports, and who may see whose pay.

The core, `compute_statement`, takes plain inputs (rules, sales per product line, attainment %,
rating band) and returns statement lines; it reads no database and invents no number: an input
that is missing makes its line say "no data" (amount None), and the total is then incomplete.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, Sequence

from flask_babel import gettext as _
from sqlalchemy import func, literal, select, union

from portal import audit, spreadsheets
from portal.access import headed_area_member_ids, report_ids
from portal.appraisals import services as appraisals
from portal.targets.services import credit_join
from portal.extensions import db
from portal.kernel import clock
from portal.kernel.periods import Period
from portal.models import ProductLine, Role, User
from portal.models.customers import CustomerAssignment
from portal.models.incentives import (BANDS, AwardType, BandMultiplier, BasePay, CommissionRate,
                                      IncentiveSettings, Nomination, NominationStatus,
                                      PayoutApproval, PayoutStatement, PayRuleVersion,
                                      TeamActivity)
from portal.models.sales import SalesRecord
from portal.targets import services as targets

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    """Money rounded to the fen, halves up (as payroll rounds)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- periods ------------------------------------------------------------------------------------

#: The periods payouts are computed and approved for (keys 2026-11, 2026-Q4).
PAY_PERIODS = ("month", "quarter")


def parse_period(key: str | None) -> Period | None:
    """The payout period (a month or a quarter) a key names, or None when it names none."""
    return Period.parse(key, kinds=PAY_PERIODS)


def default_period(today: date) -> Period:
    """The period the statements show unless asked: last month."""
    return Period.month_of(today).shifted(-1)


def recent_periods(today: date) -> list[Period]:
    """This month, last month, this quarter and last month's quarter (without repeats)."""
    this_month, last_month = Period.month_of(today), default_period(today)
    found = [this_month, last_month, Period.quarter_of(today), Period.quarter_of(last_month.start)]
    return list(dict.fromkeys(found))


# Kept for portal.reviews, which still names periods through these; use portal.kernel.periods.
def quarter_key(day: date) -> str:
    """The key of the quarter a day falls in."""
    return Period.quarter_of(day).key


def previous_month(day: date) -> date:
    """The first day of the month before the one a day falls in."""
    return Period.month_of(day).shifted(-1).start


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

def attainment_for(user_id: int, period: Period) -> Decimal | None:
    """The person's target attainment % over the period (targets module), or None: no data."""
    value = targets.attainment_percent(user_id, period.start, period.end)
    return None if value is None else Decimal(value)


def attainment_for_many(user_ids: Sequence[int], period: Period) -> dict[int, Decimal | None]:
    """Attainment % of several people in two queries, computed as the targets module computes
    one person's (its attainment_percent): credited sales over the targets of the months."""
    if not user_ids:
        return {}
    goal = targets.targets_by_person(list(user_ids), period.start, period.end)
    done = targets.sales_by_person(list(user_ids), period.start, period.end)
    return {uid: None if goal.get(uid) is None
            else targets.percent(done.get(uid, Decimal("0")), goal[uid]) for uid in user_ids}


def band_for(user_id: int, period: Period) -> str | None:
    """The rating band of the person's appraisal for the period (appraisals module), or None."""
    return appraisals.final_band(user_id, period.start, period.end)


def bands_for_many(user_ids: Sequence[int], period: Period) -> dict[int, str | None]:
    """Rating bands of several people, in one call of the appraisals module."""
    found = appraisals.final_bands(list(user_ids), period.start, period.end)
    return {uid: found.get(uid) for uid in user_ids}


def sales_by_person(user_ids: Sequence[int] | None, period: Period
                    ) -> dict[int, dict[int, Decimal]]:
    """Sales per person and product line in the period, credited to whoever owned the customer
    on the sale's date (the customers module's crediting rule).

    One query for any number of people (user_ids None: everyone).
    """
    query = (
        select(CustomerAssignment.account_manager_id, SalesRecord.product_line_id,
               func.sum(SalesRecord.amount))
        .select_from(SalesRecord).join(CustomerAssignment, credit_join())
        .where(SalesRecord.sold_on >= period.start, SalesRecord.sold_on <= period.end)
        .group_by(CustomerAssignment.account_manager_id, SalesRecord.product_line_id)
    )
    if user_ids is not None:
        query = query.where(CustomerAssignment.account_manager_id.in_(list(user_ids)))
    found: dict[int, dict[int, Decimal]] = {uid: {} for uid in (user_ids or [])}
    for user_id, line_id, amount in db.session.execute(query):
        found.setdefault(user_id, {})[line_id] = Decimal(amount)
    return found


def version_in_force(day: date):
    """The pay-rule version in force on a day: the latest one effective on or before it."""
    return db.session.scalar(select(PayRuleVersion)
                             .where(PayRuleVersion.effective_from <= day)
                             .order_by(PayRuleVersion.effective_from.desc()).limit(1))


def rules_by_person(version, user_ids: Sequence[int] | None = None) -> dict[int, Rules]:
    """Each person's Rules under a version: only people with a base pay in it (three queries)."""
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
    return db.session.scalar(select(PayoutApproval).where(PayoutApproval.period == period_key))


def approve_period(period: Period, approver_id: int | None):
    """Freeze every statement of the period and lock it and the rules it used; None if no rules."""
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
    version.locked_at = version.locked_at or clock.utcnow()
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
    keys = db.session.scalars(select(PayoutApproval.period)).all()
    starts = [p.start for p in map(parse_period, keys) if p]
    return max(starts, default=None)


def latest_approved_end() -> date | None:
    """The last day of the latest approved period, if any: new rules must start after it."""
    keys = db.session.scalars(select(PayoutApproval.period)).all()
    ends = [p.end for p in map(parse_period, keys) if p]
    return max(ends, default=None)


# --- the statements a viewer reads ---------------------------------------------------------------

def statement_of_lines(lines: Sequence[Line]) -> Statement:
    """A statement from its lines."""
    return Statement(tuple(lines))


def frozen_statement(stored: PayoutStatement) -> Statement:
    """A statement frozen at approval, as a Statement."""
    return statement_of_lines([line_from_json(d) for d in stored.lines])


def frozen_statement_of(approval, user_id: int) -> PayoutStatement | None:
    """One person's statement frozen by an approval, if the approval froze one."""
    return db.session.scalar(select(PayoutStatement).where(
        PayoutStatement.approval_id == approval.id, PayoutStatement.user_id == user_id))


def live_statements(users: Sequence, period: Period) -> list[tuple[object, Statement]]:
    """(person, statement) computed now for the people with a base pay in the period's rules,
    in the order given."""
    inputs = gather_inputs([u.id for u in users], period) if users else {}
    return [(u, statement_from(inputs[u.id], period)) for u in users if u.id in inputs]


# --- pay rules (HR) -----------------------------------------------------------------------------

#: The multipliers a first version of the rules offers.
DEFAULT_MULTIPLIERS = {"S": Decimal("1.5"), "A": Decimal("1.2"), "B": Decimal("1.0"),
                       "C": Decimal("0.5"), "D": Decimal("0")}


def multipliers_of(version: PayRuleVersion | None) -> dict[str, Decimal]:
    """A version's multiplier per band; the defaults where it has none (or there is no version)."""
    known = {m.band: m.multiplier for m in version.multipliers} if version else {}
    return {band: known.get(band, DEFAULT_MULTIPLIERS[band]) for band in BANDS}


def new_version_errors(start: date) -> list[str]:
    """Why rules cannot start on this month: another version starts then, or an approved
    period reaches it (its statements were computed under the rules before)."""
    errors = []
    if db.session.scalar(select(PayRuleVersion.id).where(PayRuleVersion.effective_from == start)):
        errors.append(_("Rules already start in this month."))
    locked_to = latest_approved_end()
    if locked_to is not None and start <= locked_to:
        errors.append(_("Payouts up to %(day)s are approved: new rules must start after.",
                        day=locked_to.isoformat()))
    return errors


def _apply_bands(version: PayRuleVersion, bands: Mapping[str, Decimal]) -> dict:
    """Set a version's multipliers; answer them as the audit records them."""
    current = {m.band: m for m in version.multipliers}
    for band in BANDS:
        if band in current:
            current[band].multiplier = bands[band]
        else:
            version.multipliers.append(BandMultiplier(band=band, multiplier=bands[band]))
    return {band: str(bands[band]) for band in BANDS}


def create_rule_version(start: date, base_bonus: Decimal, note: str,
                        bands: Mapping[str, Decimal], copy_previous: bool) -> PayRuleVersion:
    """A new version of the rules from a month on, optionally with the base pays and commission
    rates of the version in force before it; audited. Check new_version_errors first."""
    before = version_in_force(start)
    version = PayRuleVersion(effective_from=start, base_bonus=base_bonus, note=note or "")
    recorded = _apply_bands(version, bands)
    if copy_previous and before is not None:
        version.base_pays = [BasePay(user_id=b.user_id, monthly=b.monthly)
                             for b in before.base_pays]
        version.commission_rates = [
            CommissionRate(product_line_id=r.product_line_id, min_attainment=r.min_attainment,
                           rate_percent=r.rate_percent) for r in before.commission_rates]
    db.session.add(version)
    db.session.flush()
    audit.record("pay_rules.create", "pay_rule_version", version.id, None,
                 {"effective_from": start, "base_bonus": version.base_bonus, "bands": recorded})
    return version


def update_rule_version(version: PayRuleVersion, base_bonus: Decimal, note: str,
                        bands: Mapping[str, Decimal]) -> None:
    """Change a version's base bonus, note and multipliers; audited. PeriodLocked if locked."""
    check_version_editable(version)
    before = {"base_bonus": version.base_bonus, "note": version.note,
              "bands": {m.band: str(m.multiplier) for m in version.multipliers}}
    version.base_bonus = base_bonus
    version.note = note or ""
    recorded = _apply_bands(version, bands)
    audit.record("pay_rules.update", "pay_rule_version", version.id, before,
                 {"base_bonus": version.base_bonus, "note": version.note, "bands": recorded})


def set_base_pay(version: PayRuleVersion, user_id: int, monthly: Decimal) -> BasePay:
    """Set one person's monthly base pay under a version; audited. PeriodLocked if locked."""
    check_version_editable(version)
    row = next((b for b in version.base_pays if b.user_id == user_id), None)
    before = {"monthly": row.monthly} if row else None
    if row is None:
        row = BasePay(user_id=user_id, monthly=monthly)
        version.base_pays.append(row)
    else:
        row.monthly = monthly
    db.session.flush()
    audit.record("base_pay.set", "base_pay", row.id, before, {"monthly": row.monthly,
                                                              "user_id": row.user_id})
    return row


def set_commission_rate(version: PayRuleVersion, product_line_id: int,
                        min_attainment: Decimal | None, rate_percent: Decimal) -> CommissionRate:
    """Add (or change) the tier of a product line from an attainment on; audited.
    PeriodLocked if the version is locked."""
    check_version_editable(version)
    threshold = min_attainment or Decimal("0")
    row = next((r for r in version.commission_rates
                if r.product_line_id == product_line_id and r.min_attainment == threshold), None)
    before = {"rate_percent": row.rate_percent} if row else None
    if row is None:
        row = CommissionRate(product_line_id=product_line_id, min_attainment=threshold,
                             rate_percent=rate_percent)
        version.commission_rates.append(row)
    else:
        row.rate_percent = rate_percent
    db.session.flush()
    audit.record("commission_rate.set", "commission_rate", row.id, before,
                 {"product_line_id": row.product_line_id, "min_attainment": threshold,
                  "rate_percent": row.rate_percent})
    return row


def delete_commission_rate(rate: CommissionRate) -> None:
    """Remove one commission tier; audited. PeriodLocked if its version is locked."""
    check_version_editable(rate.version)
    audit.record("commission_rate.delete", "commission_rate", rate.id,
                 {"product_line_id": rate.product_line_id, "min_attainment": rate.min_attainment,
                  "rate_percent": rate.rate_percent}, None)
    db.session.delete(rate)


def settings_row() -> IncentiveSettings | None:
    """HR's settings of the module, if ever saved."""
    return db.session.scalar(select(IncentiveSettings).limit(1))


def save_settings(managers_see: bool) -> IncentiveSettings:
    """Whether managers may read their reports' statements; audited."""
    row = settings_row()
    if row is None:
        row = IncentiveSettings(managers_see_reports=False)
        db.session.add(row)
        db.session.flush()
    before = {"managers_see_reports": row.managers_see_reports}
    row.managers_see_reports = managers_see
    audit.record("incentive_settings.update", "incentive_settings", row.id, before,
                 {"managers_see_reports": row.managers_see_reports})
    return row


# --- awards and team activities -----------------------------------------------------------------

def add_award_type(name: str, name_en: str, for_team: bool) -> AwardType:
    """A new kind of award."""
    kind = AwardType(name=name, name_en=name_en or "", for_team=for_team)
    db.session.add(kind)
    db.session.flush()
    return kind


def nomination_errors(kind: AwardType, nominee_id: int, area_id: int) -> dict[str, str]:
    """Field → why the nomination does not fit its award: a team award goes to a team, a
    personal one to a person."""
    if kind.for_team and not area_id:
        return {"area_id": _("A team award goes to a team: choose one.")}
    if not kind.for_team and not nominee_id:
        return {"nominee_id": _("Choose the person you nominate.")}
    return {}


def nominate(kind: AwardType, period: str, reason: str, nominee_id: int, area_id: int,
             nominated_by_id: int) -> Nomination:
    """A nomination for HR to decide: of a person, or of a team for a team award."""
    nomination = Nomination(
        award_type_id=kind.id, period=period, reason=reason,
        nominee_id=None if kind.for_team else nominee_id,
        area_id=area_id if kind.for_team else None, nominated_by_id=nominated_by_id)
    db.session.add(nomination)
    db.session.flush()
    return nomination


class AlreadyDecided(Exception):
    """A decision was asked on a nomination HR has decided already."""


def decide_nomination(nomination: Nomination, decision: str, note: str, decider_id: int) -> None:
    """Award or decline a pending nomination; audited. AlreadyDecided if it is not pending."""
    if nomination.status != NominationStatus.PENDING:
        raise AlreadyDecided(nomination.id)
    nomination.status = NominationStatus(decision)
    nomination.decision_note = note or ""
    nomination.decided_by_id = decider_id
    nomination.decided_at = clock.utcnow()
    audit.record("nomination.decide", "nomination", nomination.id, {"status": "pending"},
                 {"status": nomination.status})


def log_activity(area_id: int, held_on: date, title: str, place: str, participants: int | None,
                 cost: Decimal | None, notes: str, created_by_id: int) -> TeamActivity:
    """A team-building activity of an area."""
    activity = TeamActivity(area_id=area_id, held_on=held_on, title=title, place=place or "",
                            participants=participants, cost=cost, notes=notes or "",
                            created_by_id=created_by_id)
    db.session.add(activity)
    db.session.flush()
    return activity


# --- who may see whose pay ----------------------------------------------------------------------

def managers_see_reports() -> bool:
    """HR's setting: whether managers may read their reports' statements (off by default)."""
    return bool(db.session.scalar(select(IncentiveSettings.managers_see_reports).limit(1)))


def pay_visible_user_ids(viewer):
    """The ids of the people whose pay this viewer may see, as a select.

    HR: everyone. Everyone else: themselves; managers also their reports when HR allows it.
    Administrators are not HR: they see their own pay only.
    """
    if viewer.has_role(Role.HR):
        return select(User.id)
    if viewer.has_role(Role.MANAGER) and managers_see_reports():
        # One flat UNION: SQLite refuses nested, parenthesised compound selects.
        return union(select(literal(viewer.id)), report_ids(viewer.id),
                     headed_area_member_ids(viewer.id))
    return select(literal(viewer.id))


def can_see_pay(viewer, user_id: int) -> bool:
    """Whether the viewer may read this person's payout statement."""
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
