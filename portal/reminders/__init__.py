"""Reminders: the pass that finds what is due (run by the task queue's schedule or by
`flask --app wsgi send-reminders`), the e-mail it sends, and the admin's log (`/admin/reminders`)."""
from flask import Blueprint

from portal.kernel.audience import blueprint_audience
from portal.models import Role

bp = Blueprint("reminders", __name__, url_prefix="/admin/reminders")
blueprint_audience(bp, Role.ADMIN)  # the log of who was reminded of what is the admin's


from portal.reminders import views  # noqa: E402,F401
