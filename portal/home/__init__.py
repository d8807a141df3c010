"""The home page at `/`: who I am, and a panel from each module for what I need today."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("home", __name__)
blueprint_audience(bp, SIGNED_IN)

from portal.home import views  # noqa: E402,F401
from portal.home import people  # noqa: E402,F401
