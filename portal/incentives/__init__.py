"""Incentives (`/incentives`): pay rules, payout statements, awards and team activities."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("incentives", __name__, url_prefix="/incentives")
login_required_for_blueprint(bp)

from portal.incentives import panels, views  # noqa: E402,F401
