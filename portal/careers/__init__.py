"""Career plans (`/careers`): the account-manager ladder and each person's plan with reviews."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("careers", __name__, url_prefix="/careers")
blueprint_audience(bp, SIGNED_IN)

from portal.careers import views  # noqa: E402,F401
