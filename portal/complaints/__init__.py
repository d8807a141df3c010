"""Complaints (`/complaints`): intake, deadlines by severity, the status process, a timeline,
satisfaction at closing, overdue lists and monthly figures."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
blueprint_audience(bp, SIGNED_IN)

from portal.complaints import views  # noqa: E402,F401
from portal.complaints.duties import install as _install_duty  # noqa: E402

_install_duty()
