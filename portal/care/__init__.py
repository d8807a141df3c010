"""Customer care (`/care`): care campaigns (春节 / 中秋 greetings, a year-end thank-you) that
create one care task per chosen customer for its account manager, and track who was contacted,
how and what the customer said."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("care", __name__, url_prefix="/care")
blueprint_audience(bp, SIGNED_IN)

from portal.care import views  # noqa: E402,F401
from portal.care.duties import install as _install_duty  # noqa: E402

_install_duty()
