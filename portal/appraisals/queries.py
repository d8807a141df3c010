"""Queries of the appraisal module: what each person may see, decided here and nowhere else.

- staff see their own appraisals;
- managers their own and those of the people they manage (portal.access.managed_user_ids);
- HR every appraisal company-wide. Admins are not HR: they see only their own.
"""
from flask import abort
from flask_babel import force_locale, gettext as _, pgettext
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal.access import managed_user_ids
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.kernel.periods import Period
from portal.models import Area, Role, User
from portal.models.appraisals import (Appraisal, AppraisalCycle, AppraisalScore, AppraisalStatus,
                                      AppraisalTemplate, CycleStatus, PrintJob, TemplateIndicator)

#: The appraisal list: its filters and sort keys.
LIST_FILTERS = ("cycle", "status", "area")
SORTS = {
    "name": User.display_name,
    "cycle": AppraisalCycle.period_start,
    "status": Appraisal.status,
    "score": Appraisal.final_score,
}
DEFAULT_SORT = "-cycle"


def visible_appraisals(user: User) -> Select:
    """The appraisals this person may see, as a select to filter and paginate."""
    query = select(Appraisal)
    if user.has_role(Role.HR):
        return query
    return query.where(or_(Appraisal.user_id == user.id,
                           Appraisal.user_id.in_(managed_user_ids(user))))


def appraisal_list(user: User, listing: Listing) -> Select:
    """Visible appraisals matching the list's search and filters (cycle, status, area), sorted,
    with what the list shows loaded eagerly."""
    query = (visible_appraisals(user).join(User, Appraisal.user_id == User.id)
             .join(AppraisalCycle, Appraisal.cycle_id == AppraisalCycle.id)
             .options(contains_eager(Appraisal.user), contains_eager(Appraisal.cycle),
                      joinedload(Appraisal.area), joinedload(Appraisal.manager)))
    query = listing.search(query, User.display_name, User.username)
    if cycle_id := listing.get("cycle", type=int):
        query = query.where(Appraisal.cycle_id == cycle_id)
    if (status := listing.get("status", default="")) in set(AppraisalStatus):
        query = query.where(Appraisal.status == status)
    if area_id := listing.get("area", type=int):
        query = query.where(Appraisal.area_id == area_id)
    return listing.order(query, User.display_name, Appraisal.id)


def open_cycles() -> list[AppraisalCycle]:
    """The cycles past their draft, newest first (the list's cycle filter)."""
    return list(db.session.scalars(select(AppraisalCycle)
                                   .where(AppraisalCycle.status != CycleStatus.DRAFT)
                                   .order_by(AppraisalCycle.period_start.desc())))


def _hr_only(viewer: User) -> None:
    """Cycles and templates are HR's: anyone else finds none (404)."""
    if not viewer.has_role(Role.HR):
        abort(404)


def get_appraisal_or_404(user: User, appraisal_id: int) -> Appraisal:
    """One visible appraisal with its scores, indicators and people loaded, or 404."""
    query = (visible_appraisals(user).where(Appraisal.id == appraisal_id)
             .options(selectinload(Appraisal.scores).selectinload(AppraisalScore.indicator),
                      selectinload(Appraisal.user), selectinload(Appraisal.manager),
                      selectinload(Appraisal.area), selectinload(Appraisal.cycle),
                      selectinload(Appraisal.template), selectinload(Appraisal.closed_by)))
    return db.first_or_404(query)


def get_cycle_or_404(viewer: User, cycle_id: int) -> AppraisalCycle:
    """A cycle, for HR (cycles are HR's), or 404."""
    _hr_only(viewer)
    query = (select(AppraisalCycle).where(AppraisalCycle.id == cycle_id)
             .options(selectinload(AppraisalCycle.areas),
                      selectinload(AppraisalCycle.staff_template),
                      selectinload(AppraisalCycle.manager_template)))
    return db.first_or_404(query)


def get_template_or_404(viewer: User, template_id: int) -> AppraisalTemplate:
    """A template with its indicators, for HR (templates are HR's), or 404."""
    _hr_only(viewer)
    query = (select(AppraisalTemplate).where(AppraisalTemplate.id == template_id)
             .options(selectinload(AppraisalTemplate.indicators)))
    return db.first_or_404(query)


def get_indicator_or_404(template: AppraisalTemplate, indicator_id: int) -> TemplateIndicator:
    """An indicator of this template, or 404."""
    return db.first_or_404(select(TemplateIndicator).where(
        TemplateIndicator.id == indicator_id, TemplateIndicator.template_id == template.id))


def template_in_use(template_id: int) -> bool:
    """Whether an opened cycle uses the template (its indicators are then fixed)."""
    query = select(Appraisal.id).where(Appraisal.template_id == template_id).limit(1)
    return db.session.scalar(query) is not None


def get_job_or_404(user: User, job_id: int) -> PrintJob:
    """A print job of this person's (nobody else's), or 404."""
    return db.first_or_404(select(PrintJob).where(PrintJob.id == job_id,
                                                  PrintJob.requested_by_id == user.id))


def status_counts(cycle_id: int) -> dict[str, int]:
    """How many appraisals of a cycle are in each state."""
    rows = db.session.execute(select(Appraisal.status, func.count(Appraisal.id))
                              .where(Appraisal.cycle_id == cycle_id).group_by(Appraisal.status))
    return {str(status): n for status, n in rows}


def areas() -> list[Area]:
    """Every area, by code (filters and the batch print form)."""
    return list(db.session.scalars(select(Area).order_by(Area.code)))


def cycle_print_ids(viewer: User, cycle: AppraisalCycle, area_id: int | None,
                    status: str | None) -> list[int]:
    """The appraisals of a cycle to print in a batch, by area then id (HR's: all of them)."""
    query = (visible_appraisals(viewer).with_only_columns(Appraisal.id)
             .where(Appraisal.cycle_id == cycle.id).order_by(Appraisal.area_id, Appraisal.id))
    if area_id:
        query = query.where(Appraisal.area_id == area_id)
    if status:
        query = query.where(Appraisal.status == status)
    return list(db.session.scalars(query))


def cycle_list(listing: Listing) -> Select:
    """Every cycle matching the list's search, newest first."""
    query = listing.search(select(AppraisalCycle), AppraisalCycle.name)
    return (query.options(selectinload(AppraisalCycle.areas))
            .order_by(AppraisalCycle.period_start.desc(), AppraisalCycle.id.desc()))


def cycle_progress(cycle_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """How many appraisals each cycle has, and how many of them are closed."""
    if not cycle_ids:
        return {}, {}
    counts = dict(db.session.execute(
        select(Appraisal.cycle_id, func.count(Appraisal.id))
        .where(Appraisal.cycle_id.in_(cycle_ids)).group_by(Appraisal.cycle_id)).all())
    closed = dict(db.session.execute(
        select(Appraisal.cycle_id, func.count(Appraisal.id))
        .where(Appraisal.cycle_id.in_(cycle_ids), Appraisal.status == AppraisalStatus.CLOSED)
        .group_by(Appraisal.cycle_id)).all())
    return counts, closed


def templates_by_name() -> list[AppraisalTemplate]:
    """Every template by name (the cycle form's choices)."""
    return list(db.session.scalars(select(AppraisalTemplate).order_by(AppraisalTemplate.name)))


def cycle_name_taken(name: str, cycle: AppraisalCycle | None) -> bool:
    """Whether another cycle has this name."""
    query = select(AppraisalCycle.id).where(AppraisalCycle.name == name)
    if cycle is not None:
        query = query.where(AppraisalCycle.id != cycle.id)
    return db.session.scalar(query) is not None


def areas_by_id(area_ids) -> list[Area]:
    """The areas of these ids."""
    return list(db.session.scalars(select(Area).where(Area.id.in_(list(area_ids or [])))))


def template_list() -> Select:
    """Every template by name, with its indicators (for the total weights)."""
    return (select(AppraisalTemplate).order_by(AppraisalTemplate.name)
            .options(selectinload(AppraisalTemplate.indicators)))


def _period_label(cycle: AppraisalCycle) -> str:
    """2026Q4 for a cycle over a calendar quarter (2026-11 for a month, 2026 for a year), else
    the cycle's name."""
    for period in (Period.quarter_of(cycle.period_start), Period.month_of(cycle.period_start),
                   Period.year_of(cycle.period_start)):
        if (period.start, period.end) == (cycle.period_start, cycle.period_end):
            return period.key.replace("-", "")
    return cycle.name


def job_labels(job: PrintJob) -> tuple[str, str]:
    """(title, file name) of a job's PDF in the job's language, saying what it holds: one form
    `绩效评估表-2026Q4-李娜.pdf`, a batch `绩效评估表汇总-2026Q4-<area>.pdf` (the area when
    every form is of one area, else "all areas")."""
    ids = list(job.appraisal_ids or [])
    english = job.locale.startswith("en")
    rows = db.session.execute(
        select(AppraisalCycle, User.display_name, Area.name, Area.name_en)
        .select_from(Appraisal).join(AppraisalCycle, Appraisal.cycle_id == AppraisalCycle.id)
        .join(User, Appraisal.user_id == User.id).outerjoin(Area, Appraisal.area_id == Area.id)
        .where(Appraisal.id.in_(ids))).all() if ids else []
    with force_locale(job.locale):
        if len(ids) == 1 and job.cycle_id is None and rows:
            cycle, person = rows[0][0], rows[0][1]
            what, stem = _("Appraisal review form"), pgettext("file name", "Appraisal form")
            return (f"{what} — {cycle.name} — {person}",
                    f"{stem}-{_period_label(cycle)}-{person}.pdf")
        cycle = (db.session.get(AppraisalCycle, job.cycle_id) if job.cycle_id is not None
                 else rows[0][0] if rows else None)
        areas = {(name_en or name) if english else name for _c, _p, name, name_en in rows if name}
        area = areas.pop() if len(areas) == 1 else pgettext("file name", "all areas")
        period = _period_label(cycle) if cycle else str(job.id)
        what, stem = _("Appraisal review forms"), pgettext("file name", "Appraisal forms")
        return (f"{what} — {cycle.name if cycle else job.id} — {area}",
                f"{stem}-{period}-{area}.pdf")


def job_file_name(job: PrintJob) -> str:
    """The PDF's file name, saying what it holds (job_labels)."""
    return job_labels(job)[1]
