"""The home page at `/`: who I am, and a panel from each module for what I need today."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("home", __name__)
login_required_for_blueprint(bp)

from portal.home import views  # noqa: E402,F401
