"""Administration (`/admin`): users and roles, areas, product lines, customer types, the audit log."""
from flask import Blueprint

from portal.kernel.audience import blueprint_audience
from portal.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
blueprint_audience(bp, Role.ADMIN)  # every admin page is for administrators alone


from portal.admin import departments, people_views, views  # noqa: E402,F401
