"""Self-management (`/tasks`): my personal tasks as four quadrants and a due-date list, with
the action items of meetings and one-on-ones that are mine."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
login_required_for_blueprint(bp)

from portal.tasks import views  # noqa: E402,F401
