"""Rules and writes of the pipeline: stage moves with their timeline, winning (the sales made once)
and losing, the forecast, pipeline coverage for appraisals, attainment by customer type."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from portal import audit
from portal.extensions import db
from portal.kernel import clock
from portal.kernel.periods import Period
from portal.models import User
from portal.models.pipeline import (LOST, OPEN, WON, LossReason, Opportunity, OpportunityEvent,
                                    OpportunityLine, OpportunitySale, PipelineStage)
from portal.models.sales import SalesRecord
from portal.pipeline.queries import open_pipeline, open_pipeline_by_owner
from portal.targets import services as targets

ZERO = Decimal("0.00")

#: The stages a new company starts with: (name, English name, probability, outcome).
DEFAULT_STAGES = [
    ("初步接洽", "First contact", 10, OPEN),
    ("需求确认", "Needs confirmed", 25, OPEN),
    ("方案报价", "Proposal and quote", 50, OPEN),
    ("商务谈判", "Negotiation", 75, OPEN),
    ("赢单", "Won", 100, WON),
    ("输单", "Lost", 0, LOST),
]
DEFAULT_LOSS_REASONS = [("价格偏高", "Price too high"), ("功能不满足", "Features missing"),
                        ("竞争对手关系", "Competitor relationship"), ("预算取消", "Budget cut"),
                        ("其他", "Other")]
FIELDS = ["customer_id", "title", "owner_id", "stage_id", "probability", "amount",
          "expected_close", "source", "next_step", "next_step_on"]


class PipelineError(ValueError):
    """A rule refused the change (the message says which)."""


def ensure_default_stages() -> None:
    """The default stages and loss reasons, when none exist yet."""
    if db.session.scalar(select(PipelineStage.id).limit(1)) is None:
        for i, (name, name_en, probability, outcome) in enumerate(DEFAULT_STAGES):
            db.session.add(PipelineStage(name=name, name_en=name_en, probability=probability,
                                         outcome=outcome, position=(i + 1) * 10))
        for name, name_en in DEFAULT_LOSS_REASONS:
            db.session.add(LossReason(name=name, name_en=name_en))
        db.session.flush()


def _event(opp: Opportunity, kind: str, actor: User | None, today: date, note: str = "",
           from_stage: int | None = None, to_stage: int | None = None) -> None:
    opp.events.append(OpportunityEvent(kind=kind, note=note, happened_on=today,
                                       user_id=actor.id if actor else None,
                                       from_stage_id=from_stage, to_stage_id=to_stage))
    opp.last_activity_on = today


def set_lines(opp: Opportunity, lines: list[tuple[int, Decimal]]) -> None:
    """Replace the deal's product lines; its amount is their sum."""
    opp.lines = [OpportunityLine(product_line_id=line_id, amount=amount)
                 for line_id, amount in lines]
    opp.amount = sum((amount for _l, amount in lines), ZERO)


def create_opportunity(values: dict, lines: list[tuple[int, Decimal]], competitors: list,
                       actor: User) -> Opportunity:
    """A new deal with its lines; the stage's probability unless one is given."""
    today = clock.today()
    stage = db.session.get(PipelineStage, values["stage_id"])
    if values.get("probability") is None:
        values["probability"] = stage.probability
    opp = Opportunity(**values, created_on=today, last_activity_on=today)
    opp.competitors = list(competitors)
    set_lines(opp, lines)
    db.session.add(opp)
    _event(opp, "created", actor, today, to_stage=stage.id)
    db.session.flush()
    audit.record("opportunity.create", "opportunity", opp.id, None, audit.snapshot(opp, FIELDS))
    return opp


def update_opportunity(opp: Opportunity, values: dict, lines, competitors, actor: User) -> None:
    before = audit.snapshot(opp, FIELDS)
    for key, value in values.items():
        setattr(opp, key, value)
    opp.competitors = list(competitors)
    set_lines(opp, lines)
    db.session.flush()
    audit.record("opportunity.update", "opportunity", opp.id, before, audit.snapshot(opp, FIELDS))


def _locked(opp: Opportunity) -> Opportunity:
    """The deal read again under a row lock (PostgreSQL; SQLite's writes are serialised)."""
    return db.session.scalars(select(Opportunity).where(Opportunity.id == opp.id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def move(opp: Opportunity, stage: PipelineStage, actor: User, note: str = "") -> bool:
    """Move an open deal to another open stage, its probability the stage's; recorded on the
    timeline. False when nothing changed. Won and lost have their own forms."""
    opp = _locked(opp)
    if opp.stage.outcome != OPEN:
        raise PipelineError(_l("This opportunity is closed."))
    if stage.outcome != OPEN:
        raise PipelineError(_l("Use the won or lost form to close an opportunity."))
    if stage.id == opp.stage_id:
        return False
    before = opp.stage_id
    opp.stage_id, opp.probability = stage.id, stage.probability
    opp.stage = stage
    _event(opp, "stage", actor, clock.today(), note, before, stage.id)
    audit.record("opportunity.stage", "opportunity", opp.id, {"stage_id": before},
                 {"stage_id": stage.id})
    return True


def add_activity(opp: Opportunity, note: str, actor: User) -> None:
    _event(opp, "activity", actor, clock.today(), note)


def link_visit(opp: Opportunity, visit, actor: User) -> None:
    """Link a visit to the deal it worked on; the deal's timeline notes it."""
    visit.opportunity_id = opp.id
    _event(opp, "activity", actor, visit.done_on or clock.today(),
           str(_l("Visit linked: %(purpose)s", purpose=visit.purpose or "—")))


def win(opp: Opportunity, sales: list[tuple[int, Decimal, date, str]], actor: User
        ) -> list[SalesRecord]:
    """Close a deal as won and record its sales, exactly once: the deal is read under its row
    lock and must still be open, and opportunity_sales holds one row per deal (unique)."""
    opp = _locked(opp)
    if opp.stage.outcome != OPEN:
        raise PipelineError(_l("This opportunity is already closed: its sales were not "
                               "recorded again."))
    stage = db.session.scalar(select(PipelineStage).where(PipelineStage.outcome == WON)
                              .order_by(PipelineStage.position).limit(1))
    if stage is None:
        raise PipelineError(_l("No stage means won: ask an administrator."))
    today = clock.today()
    made = [targets.record_sale(opp.customer_id, sold_on, line_id, amount,
                                reference or f"OPP-{opp.id}", actor)
            for line_id, amount, sold_on, reference in sales]
    db.session.add(OpportunitySale(opportunity_id=opp.id, sales_count=len(made),
                                   first_sale_id=made[0].id if made else None))
    before = opp.stage_id
    opp.stage_id, opp.stage, opp.probability, opp.closed_on = stage.id, stage, 100, today
    _event(opp, "won", actor, today, "", before, stage.id)
    db.session.flush()
    audit.record("opportunity.won", "opportunity", opp.id, {"stage_id": before},
                 {"stage_id": stage.id, "sales": [s.id for s in made]})
    return made


def lose(opp: Opportunity, reason_id: int | None, note: str, won_by_id: int | None,
         actor: User) -> None:
    """Close a deal as lost with the reason and the competitor who won."""
    opp = _locked(opp)
    if opp.stage.outcome != OPEN:
        raise PipelineError(_l("This opportunity is already closed."))
    stage = db.session.scalar(select(PipelineStage).where(PipelineStage.outcome == LOST)
                              .order_by(PipelineStage.position).limit(1))
    if stage is None:
        raise PipelineError(_l("No stage means lost: ask an administrator."))
    before = opp.stage_id
    opp.stage_id, opp.stage, opp.probability = stage.id, stage, 0
    opp.closed_on, opp.loss_reason_id, opp.loss_note, opp.won_by_id = (
        clock.today(), reason_id, note, won_by_id)
    _event(opp, "lost", actor, clock.today(), note, before, stage.id)
    audit.record("opportunity.lost", "opportunity", opp.id, {"stage_id": before},
                 {"stage_id": stage.id, "loss_reason_id": reason_id, "won_by_id": won_by_id})


# --- figures -----------------------------------------------------------------------------------

def win_rates(counts: dict) -> dict:
    """Win rate (% of closed deals won) and average cycle (days) per key, from queries'
    closed_by_owner / closed_by_line {key: (won, lost, days)}."""
    found = {}
    for key, (won, lost, days) in counts.items():
        closed = won + lost
        found[key] = {"won": won, "lost": lost,
                      "rate": targets.percent(Decimal(won), Decimal(closed)),
                      "cycle": round(days / closed, 1) if closed else None}
    return found


@dataclass
class Forecast:
    """What a person, team or area is expected to sell in a period."""

    period: Period
    target: Decimal | None
    #: Credited sales so far in the period.
    attained: Decimal
    #: Open deals closing in the period, each amount × its probability.
    weighted: Decimal
    #: Open deals closing in the period at their full amount.
    best_case: Decimal
    rows: list = field(default_factory=list)

    @property
    def expected(self) -> Decimal:
        return self.attained + self.weighted

    @property
    def best(self) -> Decimal:
        return self.attained + self.best_case

    @property
    def expected_percent(self):
        return targets.percent(self.expected, self.target)

    @property
    def attained_percent(self):
        return targets.percent(self.attained, self.target)


def forecast(user_ids, period: Period, line_id: int | None = None) -> Forecast:
    """Attainment to date + weighted open pipeline closing in the period, against the target
    (of the product line when one is given)."""
    ids = user_ids if isinstance(user_ids, Select) else list(user_ids)  # a list, or a query
    if not isinstance(ids, Select) and not ids:
        return Forecast(period, None, ZERO, ZERO, ZERO)
    if line_id:
        line_rows = {k: (t, s) for k, t, s in targets.product_line_rows(ids, period)}
        target, attained = line_rows.get(line_id, (None, ZERO))
        attained = Decimal(attained).quantize(Decimal("0.01"))
    else:
        target = targets.total_target(ids, period.start, period.end)
        attained = sum(targets.sales_by_person(ids, period.start, period.end).values(), ZERO)
    weighted, best = open_pipeline(ids, period.start, period.end, line_id)
    return Forecast(period, target, attained, weighted, best)


def forecast_rows(users, period: Period, line_id: int | None = None) -> list[tuple]:
    """(person, forecast) per person: three statements for everyone (one per person and product
    line when a line is chosen)."""
    if line_id:
        return [(u, forecast([u.id], period, line_id)) for u in users]
    ids = [u.id for u in users]
    goals = targets.targets_by_person(ids, period.start, period.end)
    sold = targets.sales_by_person(ids, period.start, period.end)
    pipe = open_pipeline_by_owner(ids, period.start, period.end)
    return [(u, Forecast(period, goals.get(u.id), sold.get(u.id, ZERO),
                         *pipe.get(u.id, (ZERO, ZERO)))) for u in users]


def sum_forecasts(period: Period, forecasts: list[Forecast]) -> Forecast:
    """Several people's forecasts added up (a team's)."""
    goals = [f.target for f in forecasts if f.target is not None]
    return Forecast(period, sum(goals, ZERO) if goals else None,
                    sum((f.attained for f in forecasts), ZERO),
                    sum((f.weighted for f in forecasts), ZERO),
                    sum((f.best_case for f in forecasts), ZERO))


def pipeline_coverage(user_id: int, start: date, end: date) -> Decimal | None:
    """Weighted pipeline closing in [start, end] ÷ the target still to reach (target − sales so
    far), as a percent with one decimal; None without a target, or when it is already reached."""
    target = targets.targets_by_person([user_id], start, end).get(user_id)
    if target is None:
        return None
    sold = targets.sales_by_person([user_id], start, end).get(user_id, ZERO)
    remaining = target - sold
    if remaining <= 0:
        return None
    weighted, _best = open_pipeline([user_id], start, end)
    return targets.percent(weighted, remaining)


def attainment_by_customer_type(user_ids, period: Period) -> list[tuple]:
    """(product line id or None, customer type id or None, target, credited sales): by customer
    type (line None) and by product line × customer type, for a team in a period. The targets
    module's figures (its page and export show them too)."""
    return targets.customer_type_rows(user_ids, period)
