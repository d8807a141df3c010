"""The notification centre (`/notifications`): each person's own notifications and choices."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
blueprint_audience(bp, SIGNED_IN)  # everyone has a centre; each sees only their own


from portal.notifications import views  # noqa: E402,F401
