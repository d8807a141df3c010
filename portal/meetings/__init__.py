"""Meetings (`/meetings`): team and cross-department meetings, their action items, and the
.ics calendar feed of each person's meetings and one-on-ones."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
blueprint_audience(bp, SIGNED_IN)  # the calendar feed declares PUBLIC: its token is the key


from portal.meetings import views  # noqa: E402,F401
