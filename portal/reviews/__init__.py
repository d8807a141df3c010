"""Continuous improvement (`/reviews`): periodic reviews per area and the best-practice library."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
login_required_for_blueprint(bp)

from portal.reviews import views  # noqa: E402,F401
