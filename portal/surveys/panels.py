"""The surveys panel of the home page: surveys waiting for my answer."""
from portal.extensions import db
from portal.kernel.panels import panel
from portal.surveys.queries import surveys_to_answer


@panel("surveys/_home_panel.html", order=60)
def surveys_panel(user):
    """Published staff surveys I have not answered yet, or nothing."""
    waiting = db.session.scalars(surveys_to_answer(user).limit(5)).all()
    return {"waiting_surveys": waiting} if waiting else None
