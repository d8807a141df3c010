"""Career plans (`/careers`): the account-manager ladder and each person's plan with reviews."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("careers", __name__, url_prefix="/careers")
login_required_for_blueprint(bp)

from portal.careers import views  # noqa: E402,F401
