"""Appraisal (`/appraisals`): templates of weighted indicators, cycles, the review workflow and
the printed review form (WeasyPrint), one form or a whole cycle at once."""
from flask import Blueprint

from portal.access import login_required_for_blueprint

bp = Blueprint("appraisals", __name__, url_prefix="/appraisals")
login_required_for_blueprint(bp)

from portal.appraisals import panels, views  # noqa: E402,F401
