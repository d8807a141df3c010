"""The rules of appraisal: figure → 1–5 score, weighted score, band, figures, workflow steps.

Plain functions: the arithmetic is tested against hand-worked examples in tests/test_appraisals.py.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.complaints import services as complaints
from portal.customers import services as customers
from portal.extensions import db
from portal.models.appraisals import Appraisal, AppraisalCycle
from portal.models.appraisals import AppraisalStatus as S
from portal.models.appraisals import FigureSource
from portal.pipeline import services as pipeline
from portal.targets import services as targets
from portal.training import services as training

MIN_SCORE, MAX_SCORE = 1, 5
BANDS = ("S", "A", "B", "C", "D")
DEFAULT_RATING_THRESHOLDS = [90, 80, 70, 60]
TOTAL_WEIGHT = Decimal(100)
TWO_PLACES = Decimal("0.01")

#: The formula as the person reads it on the page and on the printed form.
FORMULA = _l("Each indicator is scored from 1 to 5. Its weighted score is the score divided by 5, "
             "times its weight. The final score is the sum of the weighted scores, out of 100. "
             "Quantitative indicators are scored from their figure for the period; qualitative "
             "ones by the manager, beside the person's own score.")


# --- scores ------------------------------------------------------------------------------------

def parse_thresholds(text: str, count: int = 4) -> list[Decimal]:
    """'110, 100, 90, 80' → thresholds, strictly descending; ValueError with a reason otherwise."""
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    if len(parts) != count:
        raise ValueError(_l("Give exactly %(n)d numbers, separated by commas.", n=count))
    try:
        values = [Decimal(p) for p in parts]
    except ArithmeticError:
        raise ValueError(_l("Use numbers only, e.g. 110, 100, 90, 80.")) from None
    if any(not v.is_finite() or v < 0 for v in values):
        raise ValueError(_l("Use numbers of zero or more."))
    if any(a <= b for a, b in zip(values, values[1:])):
        raise ValueError(_l("Each number must be lower than the one before it."))
    return values


def score_figure(figure: Decimal | int | None, thresholds) -> int | None:
    """A figure's 1–5 score: 5 at or above the first threshold, 4 at the second, …, else 1.

    None (no data) scores None: the manager scores the indicator instead.
    """
    if figure is None:
        return None
    figure = Decimal(figure)
    for score, threshold in zip(range(MAX_SCORE, MIN_SCORE, -1), thresholds):
        if figure >= Decimal(str(threshold)):
            return score
    return MIN_SCORE


def weighted_score(score: int | None, weight: Decimal) -> Decimal | None:
    """An indicator's share of the final score: score / 5 × weight, to two places."""
    if score is None:
        return None
    return (Decimal(score) / MAX_SCORE * Decimal(weight)).quantize(TWO_PLACES, ROUND_HALF_UP)


def final_score(parts: list[tuple[int | None, Decimal]]) -> Decimal | None:
    """The sum of the weighted scores of (score, weight) pairs; None while any score is missing."""
    weighted = [weighted_score(score, weight) for score, weight in parts]
    if not weighted or any(w is None for w in weighted):
        return None
    return sum(weighted, Decimal(0)).quantize(TWO_PLACES, ROUND_HALF_UP)


def band(score: Decimal | None, thresholds=DEFAULT_RATING_THRESHOLDS) -> str | None:
    """The rating band of a final score: S at or above the first threshold, …, D below the last."""
    if score is None:
        return None
    for name, threshold in zip(BANDS, thresholds):
        if Decimal(score) >= Decimal(str(threshold)):
            return name
    return BANDS[-1]


def total_weight(indicators) -> Decimal:
    """The weights of a template's indicators added up (must be 100 to be used)."""
    return sum((Decimal(i.weight) for i in indicators), Decimal(0))


def effective_score(score_row) -> int | None:
    """The score that counts for an indicator: the figure's when there is one, else the manager's."""
    if score_row.indicator.kind == "quantitative" and score_row.figure_score is not None:
        return score_row.figure_score
    return score_row.manager_score


# --- figures from the other modules ------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """A quantitative figure and what it was computed from (frozen with it)."""

    value: Decimal | None
    source_data: dict


@dataclass(frozen=True)
class FigureFunction:
    """Where a quantitative indicator's figure comes from: another module's public function of
    (user_id, start, end), and the key of its answer when that answer is a dict."""

    function: Callable[[int, date, date], object]
    key: str | None = None
    #: The function's full name, recorded with the frozen figure (from the function by default).
    name: str = ""

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name",
                               f"{self.function.__module__}.{self.function.__qualname__}")


#: source → the function that computes its figure. Imported, not looked up by name: a rename in
#: the owning module breaks here, at import, instead of silently giving "no data".
FIGURE_FUNCTIONS = {
    FigureSource.ATTAINMENT: FigureFunction(targets.attainment_percent),
    FigureSource.DUTY_FULFILMENT: FigureFunction(targets.duty_fulfilment_percent),
    FigureSource.NEW_CUSTOMERS: FigureFunction(customers.market_expansion, "new_customers"),
    FigureSource.NEW_PRODUCT_LINES: FigureFunction(customers.market_expansion,
                                                   "new_product_lines"),
    FigureSource.TRAINING_COMPLIANCE: FigureFunction(training.compliance_percent),
    FigureSource.SATISFACTION: FigureFunction(complaints.satisfaction_average),
    FigureSource.PIPELINE_COVERAGE: FigureFunction(pipeline.pipeline_coverage),
}


def compute_figure(source: FigureSource, user_id: int, start: date, end: date) -> Figure:
    """A person's figure for the period from the module that owns it (None: no data)."""
    found = FIGURE_FUNCTIONS[FigureSource(source)]
    data = {"function": found.name, "user_id": user_id,
            "start": start.isoformat(), "end": end.isoformat()}
    answer = found.function(user_id, start, end)
    value = answer.get(found.key) if found.key and isinstance(answer, dict) else answer
    if isinstance(answer, dict):
        plain = {k: str(v) if isinstance(v, Decimal) else v for k, v in answer.items()}
    else:
        plain = None if answer is None else str(answer)
    return Figure(None if value is None else Decimal(str(value)), {**data, "answer": plain})


# --- the band that pays: read by the incentives module ------------------------------------------

def _overlap_days(start: date, end: date, period_start: date, period_end: date) -> int:
    """How many days two date ranges share (0 when they do not meet)."""
    return max(0, (min(end, period_end) - max(start, period_start)).days + 1)


def final_bands(user_ids, start: date, end: date) -> dict[int, str]:
    """The rating band of each person's finalised appraisal for a pay period, in one query.

    Finalised means closed by HR (locked); an appraisal still in its workflow pays no bonus yet.
    The appraisal counts whose cycle shares the most days with the period (a month's pay takes
    the band of the quarter's cycle it falls in), the latest cycle on a tie. People without one
    are left out: the payout says "no data" for them.
    """
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Appraisal.user_id, Appraisal.band, Appraisal.final_score,
               AppraisalCycle.period_start, AppraisalCycle.period_end)
        .join(AppraisalCycle, Appraisal.cycle_id == AppraisalCycle.id)
        .where(Appraisal.user_id.in_(ids), Appraisal.status == S.CLOSED,
               Appraisal.final_score.is_not(None),
               AppraisalCycle.period_start <= end, AppraisalCycle.period_end >= start))
    best: dict[int, tuple] = {}
    for user_id, stored_band, score, cycle_start, cycle_end in rows:
        key = (_overlap_days(start, end, cycle_start, cycle_end), cycle_end)
        if user_id not in best or key > best[user_id][0]:
            best[user_id] = (key, stored_band or band(score))
    return {user_id: found for user_id, (_, found) in best.items() if found}


def final_band(user_id: int, start: date, end: date) -> str | None:
    """The rating band of one person's finalised appraisal for a pay period, or None."""
    return final_bands([user_id], start, end).get(user_id)


# --- the workflow ------------------------------------------------------------------------------

#: The only steps an appraisal may take: (from, to) → who takes it.
TRANSITIONS = {
    (S.SELF_ASSESSMENT, S.MANAGER_REVIEW): "person",
    (S.MANAGER_REVIEW, S.FEEDBACK): "manager",
    (S.FEEDBACK, S.ACKNOWLEDGEMENT): "manager",
    (S.ACKNOWLEDGEMENT, S.ACKNOWLEDGED): "person",
    (S.ACKNOWLEDGED, S.CLOSED): "hr",
}
#: Where HR may send a closed appraisal back to, with a reason.
REOPEN_TO = (S.SELF_ASSESSMENT, S.MANAGER_REVIEW, S.FEEDBACK, S.ACKNOWLEDGEMENT)


class IllegalTransition(Exception):
    """A step the workflow does not allow from the appraisal's state."""


def check_transition(current: S, target: S) -> str:
    """Who may take the step from current to target; IllegalTransition if there is no such step."""
    try:
        return TRANSITIONS[(S(current), S(target))]
    except KeyError:
        raise IllegalTransition(f"{current} → {target}") from None


def shown_parts(status, roles: set[str]) -> tuple[bool, bool]:
    """(self part shown, manager part shown) to a reader playing these roles.

    Drafts stay with their author: the person's scores and comment show to others once the
    self-assessment is submitted, the manager's scores, comment and the final score once the
    review is finished. The printed form (roles empty) follows the same rule.
    """
    show_self = S(status) != S.SELF_ASSESSMENT or "person" in roles
    show_manager = S(status) not in (S.SELF_ASSESSMENT, S.MANAGER_REVIEW) or "manager" in roles
    return show_self, show_manager


def actor_role(appraisal, viewer, manages: bool) -> set[str]:
    """The parts the viewer plays in this appraisal: person, manager, hr."""
    roles = set()
    if viewer.id == appraisal.user_id:
        roles.add("person")
    if manages:
        roles.add("manager")
    if viewer.has_role("hr"):
        roles.add("hr")
        if appraisal.manager_id is None and viewer.id != appraisal.user_id:
            roles.add("manager")  # nobody above them (an area head): HR takes the manager's part
    return roles


def parse_scores(formdata, indicator_ids, required: bool) -> tuple[dict[int, int], dict[int, str]]:
    """Read `score-<indicator id>` fields: 1–5 each; all of them when required.

    Returns the scores given and an error message per indicator that has one.
    """
    scores, errors = {}, {}
    for indicator_id in indicator_ids:
        raw = (formdata.get(f"score-{indicator_id}") or "").strip()
        if not raw:
            if required:
                errors[indicator_id] = str(_l("Choose a score from 1 to 5."))
            continue
        if raw not in {"1", "2", "3", "4", "5"}:
            errors[indicator_id] = str(_l("Choose a score from 1 to 5."))
            continue
        scores[indicator_id] = int(raw)
    return scores, errors
