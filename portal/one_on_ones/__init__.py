"""One-on-ones (`/one-on-ones`): a series per manager and report, shared agenda and notes,
private notes for their author alone, action items, the report's mood, the cadence view."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("one_on_ones", __name__, url_prefix="/one-on-ones")
blueprint_audience(bp, SIGNED_IN)

from portal.one_on_ones import views  # noqa: E402,F401
