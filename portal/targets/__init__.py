"""Targets and duties (`/targets`): sales records, import/export, targets, attainment, duties."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("targets", __name__, url_prefix="/targets")
blueprint_audience(bp, SIGNED_IN)

from portal.targets import views  # noqa: E402,F401
