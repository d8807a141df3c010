"""Sales pipeline (`/pipeline`): opportunities, the board, forecasts and recommendations."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")
blueprint_audience(bp, SIGNED_IN)

from portal.pipeline import views  # noqa: E402,F401
