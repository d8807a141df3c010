"""Self-management (`/tasks`): my personal tasks as four quadrants and a due-date list, with
the action items of meetings and one-on-ones that are mine."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
blueprint_audience(bp, SIGNED_IN)

from portal.tasks import views  # noqa: E402,F401
