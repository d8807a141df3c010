"""Surveys (`/surveys`): the builder, staff surveys (named or anonymous), customer surveys with a
personal link each, results with charts, CSAT and NPS, CSV export.

The customers' answer pages (`/surveys/r/<token>`) need no sign-in, so they live on a blueprint
of their own, registered alongside this one.
"""
from flask import Blueprint

from portal.kernel.audience import PUBLIC, SIGNED_IN, blueprint_audience

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
blueprint_audience(bp, SIGNED_IN)

public_bp = Blueprint("survey_public", __name__, url_prefix="/surveys/r")
blueprint_audience(public_bp, PUBLIC)  # the token in the link is the key


@bp.record_once
def _register_public_pages(state):
    """The public blueprint comes with this one, so create_app registers one blueprint per module."""
    state.app.register_blueprint(public_bp)


from portal.surveys import views, public  # noqa: E402,F401
