"""Training (`/training`): catalogue, sessions, enrolment, attendance, records, compliance."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("training", __name__, url_prefix="/training")
login_required_for_blueprint(bp)

from portal.training import panels, views  # noqa: E402,F401
