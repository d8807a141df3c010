"""Customers (`/customers`): profiles, tiers, allocation, visits and visit plans."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("customers", __name__, url_prefix="/customers")
blueprint_audience(bp, SIGNED_IN)

from portal.customers import duties, panels, views  # noqa: E402,F401
