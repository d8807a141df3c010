"""Appraisal (`/appraisals`): templates of weighted indicators, cycles, the review workflow and
the printed review form (WeasyPrint), one form or a whole cycle at once."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("appraisals", __name__, url_prefix="/appraisals")
blueprint_audience(bp, SIGNED_IN)

from portal.appraisals import panels, views  # noqa: E402,F401
