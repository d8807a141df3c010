"""Meetings (`/meetings`): team and cross-department meetings, their action items, and the
.ics calendar feed of each person's meetings and one-on-ones."""
from flask import Blueprint, request
from flask_login import current_user

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

#: Endpoints a calendar application fetches without a session: the secret token is the key.
TOKEN_ENDPOINTS = {"meetings.calendar_feed"}


@bp.before_request
def _require_login():
    """Every view needs a signed-in user, except the token-protected calendar feed.

    (portal.access.login_required_for_blueprint with one exemption.)
    """
    from portal.extensions import login_manager

    if request.endpoint not in TOKEN_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


from portal.meetings import views  # noqa: E402,F401
