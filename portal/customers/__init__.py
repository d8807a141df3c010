"""Customers (`/customers`): profiles, tiers, allocation, visits and visit plans."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")
login_required_for_blueprint(bp)

from portal.customers import views  # noqa: E402,F401
