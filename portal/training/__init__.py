"""Training (`/training`): catalogue, sessions, enrolment, attendance, records, compliance."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("training", __name__, url_prefix="/training")
blueprint_audience(bp, SIGNED_IN)

from portal.training import panels, views  # noqa: E402,F401
