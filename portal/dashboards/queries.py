"""What each role's dashboard shows, gathered from the modules' scoped queries and services.

Every builder runs a fixed number of SQL statements whatever the number of people, visits or
complaints: the manager's team table is a handful of grouped queries over the whole team, never
a query per person (tests/test_dashboards.py counts them).
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from portal.complaints.panels import complaints_panel
from portal.complaints.queries import visible_complaints
from portal.customers.queries import visible_visits_where
from portal.extensions import db
from portal.kernel import clock
from portal.kernel.periods import Period, add_months
from portal.models import Area, Role, User, UserRole
from portal.models.appraisals import Appraisal, AppraisalCycle, AppraisalStatus, CycleStatus
from portal.models.communication import OneOnOneSeries
from portal.models.customers import Visit
from portal.models.feedback import (Complaint, ComplaintStatus, Survey, SurveyAudience,
                                    SurveyInvitation, SurveyResponse, SurveyStatus)
from portal.models.training import Course
from portal.one_on_ones.queries import (cadence_series, last_held_dates, recent_moods,
                                        series_list)
from portal.one_on_ones.services import cadence_figures, mood_trend
from portal.surveys.queries import visible_surveys
from portal.targets import services as targets
from portal.kernel.bar_charts import grouped_bars, horizontal_percent_bars
from portal.targets.queries import managed_staff
from portal.tasks.services import open_items_for
from portal.training import services as training
from portal.training.panels import upcoming_sessions

#: How many months the staff's attainment chart shows, this one included.
CHART_MONTHS = 6
#: A complaint due within this many hours is "near its deadline".
DEADLINE_SOON_HOURS = 24


def month_period(today: date) -> Period:
    """The calendar month a day falls in."""
    return Period.month_of(today)


def _open_complaints(user):
    """The open (not closed) complaints the person sees, through the complaints module's scope."""
    return visible_complaints(user).where(Complaint.status != ComplaintStatus.CLOSED)


# --- staff --------------------------------------------------------------------------------------

@dataclass
class StaffDashboard:
    """An account manager's day."""

    today: date
    visits_today: list
    overdue_visits: int
    open_items: list
    overdue_items: int
    period: Period
    attainment: targets.AttainmentRow
    #: Where attainment should be by today if the month's sales came evenly (0–100).
    pace: Decimal
    chart: object
    next_one_on_one: OneOnOneSeries | None
    complaints: list
    complaints_open: int
    complaints_late: int
    training_compliance: Decimal | None
    training_missing: list
    training_upcoming: list


def staff_dashboard(user: User, today: date) -> StaffDashboard:
    """Today's visits, open tasks, this month's attainment, the next one-on-one, open complaints
    and training due, of one account manager; the complaint counts, compliance and next
    sessions are the complaints and training modules' own home-panel figures."""
    # One's own visits are always visible (customers.queries.visible_visits): no scope to read.
    mine = select(Visit).where(Visit.account_manager_id == user.id, Visit.cancelled.is_(False))
    visits_today = db.session.scalars(
        mine.where(Visit.planned_on == today).options(joinedload(Visit.customer))
        .order_by(Visit.done_on.is_not(None), Visit.id)).all()
    overdue_visits = db.session.scalar(
        mine.where(Visit.done_on.is_(None), Visit.planned_on < today)
        .with_only_columns(func.count(Visit.id)))

    items = open_items_for(user.id, today)
    period = month_period(today)
    attainment = targets.attainment_rows([user], period, today)[0]
    first = add_months(period.start, -(CHART_MONTHS - 1))
    series = targets.monthly_series([user.id], first, period.end)
    chart = grouped_bars([m for m, _t, _s in series], [
        (_("Target"), "series-target", [t for _m, t, _s in series]),
        (_("Sales"), "series-sales", [s for _m, _t, s in series])])

    next_one = db.session.scalars(
        series_list(user).where(OneOnOneSeries.next_date.is_not(None)).limit(1)).first()

    counts = complaints_panel(user) or {"open": 0, "late": 0}
    soonest = db.session.scalars(
        _open_complaints(user).order_by(Complaint.due_at, Complaint.id).limit(5)).all()

    compliance, missing_ids = training.my_requirements(user, today)
    missing = list(db.session.scalars(
        select(Course).where(Course.id.in_(missing_ids)).options(lazyload(Course.requirements))
        .order_by(Course.title))) if missing_ids else []

    return StaffDashboard(
        today, visits_today, overdue_visits, items[:6],
        sum(1 for i in items if i.due_date and i.due_date < today),
        period, attainment,
        targets.elapsed_fraction(period.start, period.end, today) * 100, chart, next_one,
        soonest, counts["open"], counts["late"], compliance, missing, upcoming_sessions(user))


# --- manager ------------------------------------------------------------------------------------

@dataclass
class TeamRow:
    """One report's line of the manager's table."""

    user: User
    attainment: targets.AttainmentRow
    overdue_visits: int = 0
    complaints_open: int = 0
    complaints_late: int = 0
    complaints_soon: int = 0
    training: Decimal | None = None
    #: The manager's own one-on-one series with this person, if any.
    series: OneOnOneSeries | None = None
    cadence: object = None
    moods: list[int] = field(default_factory=list)
    trend: str = "flat"


@dataclass
class ManagerDashboard:
    """The team in one view."""

    today: date
    period: Period
    rows: list[TeamRow]
    #: Where attainment should be by today if the month's sales came evenly (0–100).
    pace: Decimal
    team: targets.AttainmentRow | None
    chart: object
    totals: dict


def manager_dashboard(user: User, today: date) -> ManagerDashboard:
    """One row per person the manager manages: attainment this month, overdue visits, open
    complaints against their deadline, training compliance, one-on-one cadence and mood.

    Ten statements whatever the team's size: the team, two for attainment, one grouped count
    of visits, one of complaints, two for training, three for one-on-ones.
    """
    people = db.session.scalars(managed_staff(user).order_by(User.display_name, User.id)).all()
    ids = [p.id for p in people]
    period = month_period(today)
    attainment = targets.attainment_rows(people, period, today)
    rows = {row.user.id: TeamRow(row.user, row) for row in attainment}
    if ids:
        for owner_id, late in db.session.execute(
                visible_visits_where(user, Visit.account_manager_id.in_(ids),
                                     Visit.done_on.is_(None), Visit.cancelled.is_(False),
                                     Visit.planned_on < today)
                .with_only_columns(Visit.account_manager_id, func.count(Visit.id))
                .group_by(Visit.account_manager_id)):
            rows[owner_id].overdue_visits = late
        now = clock.utcnow()
        open_ = _open_complaints(user).where(Complaint.owner_id.in_(ids)).subquery()
        for owner_id, total, late, soon in db.session.execute(
                select(open_.c.owner_id, func.count(open_.c.id),
                       func.count(open_.c.id).filter(open_.c.due_at < now),
                       func.count(open_.c.id).filter(
                           open_.c.due_at >= now,
                           open_.c.due_at < now + timedelta(hours=DEADLINE_SOON_HOURS)))
                .group_by(open_.c.owner_id)):
            row = rows[owner_id]
            row.complaints_open, row.complaints_late, row.complaints_soon = total, late, soon
        for uid, value in training.compliance_by_user(ids, today).items():
            rows[uid].training = value
        series = db.session.execute(
            cadence_series(user).where(OneOnOneSeries.report_id.in_(ids))
            .with_only_columns(OneOnOneSeries.id, OneOnOneSeries.report_id,
                               OneOnOneSeries.next_date)).all()
        held = last_held_dates([s.id for s in series])
        moods = recent_moods([s.id for s in series])
        for series_id, report_id, next_date in series:
            row = rows[report_id]
            row.series = series_id
            row.cadence = cadence_figures(held.get(series_id), next_date, today)
            row.moods = moods.get(series_id, [])
            row.trend = mood_trend(row.moods)
    ordered = [rows[i] for i in ids]
    chart = horizontal_percent_bars([(r.user.display_name, r.attainment.percent)
                                     for r in ordered], targets.at_risk_threshold())
    trained = [r.training for r in ordered if r.training is not None]
    totals = {
        "overdue_visits": sum(r.overdue_visits for r in ordered),
        "complaints_open": sum(r.complaints_open for r in ordered),
        "complaints_late": sum(r.complaints_late for r in ordered),
        "training": (sum(trained) / len(trained)).quantize(Decimal("0.1")) if trained else None,
        "one_on_ones_overdue": sum(1 for r in ordered if r.cadence and r.cadence.overdue),
    }
    return ManagerDashboard(today, period, ordered,
                            targets.elapsed_fraction(period.start, period.end, today) * 100,
                            targets.team_total(attainment) if attainment else None, chart, totals)


# --- HR -----------------------------------------------------------------------------------------

@dataclass
class CycleProgress:
    """How far an open appraisal cycle has come: appraisals per step."""

    cycle: AppraisalCycle
    counts: dict[str, int]
    total: int
    closed: int


@dataclass
class SurveyRate:
    """A published survey's answers against the people (or links) it asked."""

    survey: Survey
    answered: int
    asked: int

    @property
    def percent(self) -> Decimal | None:
        return training.percent(self.answered, self.asked)


@dataclass
class HrDashboard:
    """The company's people processes."""

    today: date
    cycles: list[CycleProgress]
    compliance: Decimal | None
    compliance_people: int
    compliance_full: int
    compliance_by_area: list[tuple[str, Decimal | None, int]]
    surveys: list[SurveyRate]


def hr_dashboard(user: User, today: date) -> HrDashboard:
    """The open appraisal cycles' progress, training compliance by area, survey response rates.

    Ten statements whatever the company's size.
    """
    cycles = db.session.scalars(select(AppraisalCycle).where(AppraisalCycle.status == CycleStatus.OPEN)
                                .order_by(AppraisalCycle.period_start.desc(), AppraisalCycle.id)).all()
    counts: dict[int, Counter] = defaultdict(Counter)
    if cycles:
        for cycle_id, status, n in db.session.execute(
                select(Appraisal.cycle_id, Appraisal.status, func.count(Appraisal.id))
                .where(Appraisal.cycle_id.in_([c.id for c in cycles]))
                .group_by(Appraisal.cycle_id, Appraisal.status)):
            counts[cycle_id][str(status)] = n
    progress = [CycleProgress(c, dict(counts[c.id]), sum(counts[c.id].values()),
                              counts[c.id][AppraisalStatus.CLOSED.value]) for c in cycles]

    people = db.session.execute(_asked_people().with_only_columns(User.id, User.area_id)).all()
    compliance = training.compliance_by_user([p.id for p in people], today)
    areas = {a.id: a.label for a in db.session.scalars(select(Area).order_by(Area.code))}
    by_area: dict[int | None, list[Decimal]] = defaultdict(list)
    for person in people:
        if compliance.get(person.id) is not None:
            by_area[person.area_id].append(compliance[person.id])
    values = [v for v in compliance.values() if v is not None]
    area_rows = [(label, _mean(by_area[area_id]), len(by_area[area_id]))
                 for area_id, label in areas.items() if by_area.get(area_id)]

    return HrDashboard(today, progress, _mean(values), len(values),
                       sum(1 for v in values if v >= 100), area_rows,
                       _survey_rates(user, people))


def _mean(values: list[Decimal]) -> Decimal | None:
    """The average of percentages, to one decimal; None for none."""
    return (sum(values) / len(values)).quantize(Decimal("0.1")) if values else None


def _asked_people():
    """The active people staff surveys ask and training requires things of: staff and managers
    (the surveys module's asked_staff rule), as a select of User."""
    return (select(User).where(User.active.is_(True), User.id.in_(
        select(UserRole.user_id).where(UserRole.role.in_([Role.STAFF, Role.MANAGER])))))


def _survey_rates(user: User, people) -> list[SurveyRate]:
    """Response rates of the published surveys the reader may see (surveys module's scope):
    staff surveys against the people they ask, customer surveys against their links."""
    surveys = db.session.scalars(visible_surveys(user).where(Survey.status == SurveyStatus.PUBLISHED)
                                 .order_by(Survey.published_at.desc(), Survey.id).limit(8)).all()
    if not surveys:
        return []
    ids = [s.id for s in surveys]
    answers = dict(db.session.execute(
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id.in_(ids)).group_by(SurveyResponse.survey_id)).all())
    links = dict(db.session.execute(
        select(SurveyInvitation.survey_id, func.count(SurveyInvitation.id))
        .where(SurveyInvitation.survey_id.in_(ids)).group_by(SurveyInvitation.survey_id)).all())
    per_area = Counter(p.area_id for p in people)
    rates = []
    for survey in surveys:
        if survey.audience == SurveyAudience.STAFF:
            asked = len(people) if survey.area_id is None else per_area[survey.area_id]
        else:
            asked = links.get(survey.id, 0)
        rates.append(SurveyRate(survey, answers.get(survey.id, 0), asked))
    return rates

