"""Administration (`/admin`): users and roles, areas, product lines, customer types, the audit log."""
from flask import Blueprint

from portal.access import login_required_for_blueprint, roles_required
from portal.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
login_required_for_blueprint(bp)


@bp.before_request
@roles_required(Role.ADMIN)
def _admins_only():
    """Every admin page is for administrators alone."""
    return None


from portal.admin import views  # noqa: E402,F401
