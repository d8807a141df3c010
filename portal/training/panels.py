"""The training panel of the home page: my next sessions and my compliance; a manager's team."""
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.access import managed_user_ids
from portal.extensions import db
from portal.kernel import clock
from portal.kernel.panels import panel
from portal.models import Role, User, utcnow
from portal.models.training import Course, Enrolment, TrainingSession
from portal.training import services


def upcoming_sessions(user, limit: int = 3) -> list[Enrolment]:
    """My next sessions, their course loaded."""
    return db.session.scalars(
        select(Enrolment).join(TrainingSession)
        .where(Enrolment.user_id == user.id, TrainingSession.starts_at > utcnow())
        .options(contains_eager(Enrolment.session).joinedload(TrainingSession.course)
                 .lazyload(Course.requirements))
        .order_by(TrainingSession.starts_at).limit(limit)).all()


@panel("training/_home_panel.html", order=60)
def training_panel(user):
    """My upcoming sessions and compliance; for a manager, the team's average compliance."""
    upcoming = upcoming_sessions(user)
    ids = []
    if user.has_role(Role.MANAGER):
        ids = list(db.session.scalars(
            select(User.id).where(User.id.in_(managed_user_ids(user)), User.id != user.id,
                                  User.active)))
    team = None
    if ids:  # one computation for me and my team (three queries, not six)
        compliance = services.compliance_by_user([user.id] + ids, clock.today())
        mine = compliance[user.id]
        values = [compliance[i] for i in ids if compliance[i] is not None]
        if values:
            team = services.percent(sum(values), len(values) * 100)
    else:
        mine, _missing = services.my_requirements(user, clock.today())
    if not upcoming and mine is None and team is None:
        return None
    return {"upcoming": upcoming, "my_compliance": mine, "team_compliance": team}
