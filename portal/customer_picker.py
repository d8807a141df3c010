"""Customer pickers: the search behind every "choose a customer" field
(portal.kernel.forms.CustomerField, CustomersField), scoped to the customers the viewer may choose
there: an area's thousands of customers are typed and searched, never written out in a select.

A module declares each picker's scope once, `@customer_picker.scope("complaints.intake")` on a
function viewer → select of Customer, and names it on its form field
(`CustomerField(scope=...)`). The view calls `bind(form.field)`: the field resolves the typed name
or code among exactly those customers, and `/customers/search?scope=…` offers exactly them, so
another area's customer is neither found nor accepted. The machinery is portal.pickers, shared
with the people pickers.
"""
from flask import Blueprint
from sqlalchemy import Select

from portal.kernel.audience import SIGNED_IN, blueprint_audience
from portal.kernel.forms import CUSTOMERS
from portal.pickers import Pickers

bp = Blueprint("customer_picker", __name__, url_prefix="/customers")
blueprint_audience(bp, SIGNED_IN)

REGISTRY = Pickers(CUSTOMERS)
#: Register a picker's scope (a decorator).
scope = REGISTRY.scope


def customers_for(name: str, viewer) -> Select:
    """The customers the viewer may choose in this scope."""
    return REGISTRY.choices_for(name, viewer)


def bind(field, viewer=None):
    """Give a customer field the customers its scope allows the viewer (the signed-in person)."""
    return REGISTRY.bind(field, viewer)


@bp.route("/search")
def search():
    """The customers of a picker's scope whose name or code contains the typed text: the options
    of the combobox (`?scope=…&field=NAME&NAME=text`, as htmx sends the input)."""
    return REGISTRY.search()
