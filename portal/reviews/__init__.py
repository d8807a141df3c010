"""Continuous improvement (`/reviews`): periodic reviews per area and the best-practice library."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
blueprint_audience(bp, SIGNED_IN)

from portal.reviews import views  # noqa: E402,F401
