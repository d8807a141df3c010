"""The incentives module's home-page panel: the latest award winners."""
from portal.extensions import db
from portal.kernel.panels import panel
from portal.incentives.queries import winners


@panel("incentives/_home_panel.html", order=80)
def award_winners(user):
    """The five latest winners, for everyone; nothing when no award was given yet."""
    recent = db.session.scalars(winners(5)).all()
    return {"winners": recent} if recent else None
