"""The appraisal panel of the home page: what waits for the reader."""
from sqlalchemy import func, select

from portal.access import managed_user_ids
from portal.extensions import db
from portal.kernel.panels import panel
from portal.models import Role
from portal.models.appraisals import Appraisal, AppraisalCycle, AppraisalStatus as S, CycleStatus


@panel("appraisals/_home_panel.html", order=70)
def appraisal_panel(user):
    """My open appraisal's step; for managers the reviews and talks waiting; for HR the cycles."""
    mine = db.session.scalars(
        select(Appraisal).join(AppraisalCycle).where(Appraisal.user_id == user.id,
                                                     AppraisalCycle.status == CycleStatus.OPEN)
        .order_by(AppraisalCycle.period_start.desc()).limit(3)).all()
    waiting = 0
    if user.has_role(Role.MANAGER):
        waiting = db.session.scalar(
            select(func.count(Appraisal.id)).where(
                Appraisal.user_id.in_(managed_user_ids(user)),
                Appraisal.status.in_([S.MANAGER_REVIEW, S.FEEDBACK])))
    progress = []
    if user.has_role(Role.HR):
        rows = db.session.execute(
            select(AppraisalCycle.id, AppraisalCycle.name, func.count(Appraisal.id),
                   func.count(Appraisal.id).filter(Appraisal.status == S.CLOSED))
            .join(Appraisal, Appraisal.cycle_id == AppraisalCycle.id)
            .where(AppraisalCycle.status == CycleStatus.OPEN).group_by(AppraisalCycle.id)
            .order_by(AppraisalCycle.name)).all()
        progress = [{"id": r[0], "name": r[1], "total": r[2], "closed": r[3]} for r in rows]
    if not (mine or waiting or progress):
        return None
    return {"mine": mine, "waiting": waiting, "progress": progress}
