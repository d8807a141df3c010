"""The training panel of the home page: my next sessions and my compliance; a manager's team."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from portal.access import managed_user_ids
from portal.extensions import db
from portal.home.panels import panel
from portal.models import Role, User, utcnow
from portal.models.training import Enrolment, TrainingSession
from portal.training import services


@panel("training/_home_panel.html", order=60)
def training_panel(user):
    """My upcoming sessions and compliance; for a manager, the team's average compliance."""
    now = utcnow()
    upcoming = db.session.scalars(
        select(Enrolment).join(TrainingSession)
        .where(Enrolment.user_id == user.id, TrainingSession.starts_at > now)
        .options(contains_eager(Enrolment.session).joinedload(TrainingSession.course))
        .order_by(TrainingSession.starts_at).limit(3)).all()
    ids = []
    if user.has_role(Role.MANAGER):
        ids = list(db.session.scalars(
            select(User.id).where(User.id.in_(managed_user_ids(user)), User.id != user.id,
                                  User.active)))
    # One computation for me and my team (three queries, not six).
    compliance = services.compliance_by_user([user.id] + ids, date.today())
    mine, team = compliance[user.id], None
    values = [compliance[i] for i in ids if compliance[i] is not None]
    if values:
        team = services.percent(sum(values), len(values) * 100)
    if not upcoming and mine is None and team is None:
        return None
    return {"upcoming": upcoming, "my_compliance": mine, "team_compliance": team}
