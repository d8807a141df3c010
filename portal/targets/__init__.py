"""Targets and duties (`/targets`): sales records, import/export, targets, attainment, duties."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("targets", __name__, url_prefix="/targets")
login_required_for_blueprint(bp)

from portal.targets import views  # noqa: E402,F401
