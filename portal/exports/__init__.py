"""Big exports (`/exports/…`): an export over EXPORT_QUEUE_ROWS rows runs as a queue job with
progress and a download link; each person sees only the exports they asked for."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("exports", __name__, url_prefix="/exports")
blueprint_audience(bp, SIGNED_IN)  # anyone may export a list; each sees only their own jobs


from portal.exports import views  # noqa: E402,F401
