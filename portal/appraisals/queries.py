"""Queries of the appraisal module: what each person may see, decided here and nowhere else.

- staff see their own appraisals;
- managers their own and those of the people they manage (portal.access.managed_user_ids);
- HR every appraisal company-wide. Admins are not HR: they see only their own.
"""
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from portal.access import managed_user_ids
from portal.extensions import db
from portal.models import Role, User
from portal.models.appraisals import (Appraisal, AppraisalCycle, AppraisalScore,
                                      AppraisalTemplate, PrintJob, TemplateIndicator)

SORTS = {
    "name": User.display_name,
    "cycle": AppraisalCycle.period_start,
    "status": Appraisal.status,
    "score": Appraisal.final_score,
}


def visible_appraisals(user: User) -> Select:
    """The appraisals this person may see, as a select to filter and paginate."""
    query = select(Appraisal)
    if user.has_role(Role.HR):
        return query
    return query.where(or_(Appraisal.user_id == user.id,
                           Appraisal.user_id.in_(managed_user_ids(user))))


def appraisal_list(user: User, q: str = "", cycle_id: int | None = None, status: str = "",
                   area_id: int | None = None, sort: str = "-cycle") -> Select:
    """Visible appraisals matching the filters, with what the list shows loaded eagerly."""
    query = (visible_appraisals(user).join(User, Appraisal.user_id == User.id)
             .join(AppraisalCycle, Appraisal.cycle_id == AppraisalCycle.id)
             .options(selectinload(Appraisal.user), selectinload(Appraisal.cycle),
                      selectinload(Appraisal.area), selectinload(Appraisal.manager)))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.display_name).like(like),
                                func.lower(User.username).like(like)))
    if cycle_id:
        query = query.where(Appraisal.cycle_id == cycle_id)
    if status:
        query = query.where(Appraisal.status == status)
    if area_id:
        query = query.where(Appraisal.area_id == area_id)
    column = SORTS.get(sort.lstrip("-"), AppraisalCycle.period_start)
    order = column.desc() if sort.startswith("-") else column.asc()
    return query.order_by(order, User.display_name, Appraisal.id)


def get_appraisal_or_404(user: User, appraisal_id: int) -> Appraisal:
    """One visible appraisal with its scores, indicators and people loaded, or 404."""
    query = (visible_appraisals(user).where(Appraisal.id == appraisal_id)
             .options(selectinload(Appraisal.scores).selectinload(AppraisalScore.indicator),
                      selectinload(Appraisal.user), selectinload(Appraisal.manager),
                      selectinload(Appraisal.area), selectinload(Appraisal.cycle),
                      selectinload(Appraisal.template), selectinload(Appraisal.closed_by)))
    return db.first_or_404(query)


def get_cycle_or_404(cycle_id: int) -> AppraisalCycle:
    """A cycle (cycles are HR's; the views let HR alone in), or 404."""
    query = (select(AppraisalCycle).where(AppraisalCycle.id == cycle_id)
             .options(selectinload(AppraisalCycle.areas),
                      selectinload(AppraisalCycle.staff_template),
                      selectinload(AppraisalCycle.manager_template)))
    return db.first_or_404(query)


def get_template_or_404(template_id: int) -> AppraisalTemplate:
    """A template with its indicators (templates are HR's), or 404."""
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
