"""Market intelligence (`/intel`): short posts about competitors, customer needs, product
feedback and the market, shared with the area, chosen departments or the company; comments;
product feedback passed to the product department and answered there."""
from flask import Blueprint

from portal.kernel.audience import SIGNED_IN, blueprint_audience

bp = Blueprint("intel", __name__, url_prefix="/intel")
blueprint_audience(bp, SIGNED_IN)

from portal.intel import views  # noqa: E402,F401
