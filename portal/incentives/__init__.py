"""Incentives (`/incentives`): pay rules, payout statements, awards and team activities."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("incentives", __name__, url_prefix="/incentives")
blueprint_audience(bp, SIGNED_IN)

from portal.incentives import panels, views  # noqa: E402,F401
