"""People pickers: the search behind every "choose a person" field (portal.kernel.forms
.PersonField), scoped to the people the viewer may choose there.

A module declares each picker's scope once, `@people_picker.scope("customers.owner")` on a
function viewer → select of User, and names it on its form field (`PersonField(scope=...)`). The
view calls `bind(form.field)`: the field resolves the typed name among exactly those people, and
the search endpoint (`/people/search?scope=…`) offers exactly them, so a person of another area is
neither found nor accepted.
"""
from dataclasses import dataclass

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import Select, func, select

from portal.kernel.audience import SIGNED_IN, blueprint_audience
from portal.access import visible_users
from portal.extensions import db
from portal.kernel.forms import PEOPLE, PersonField, person_label, person_problem, resolve_person
from portal.kernel.lists import MAX_SEARCH, Listing
from portal.pickers import Pickers

bp = Blueprint("people", __name__, url_prefix="/people")
blueprint_audience(bp, SIGNED_IN)

REGISTRY = Pickers(PEOPLE)
#: Scope name → function(viewer) → select of the people the viewer may choose there.
SCOPES = REGISTRY.scopes
#: Register a picker's scope (a decorator).
scope = REGISTRY.scope


def people_for(name: str, viewer) -> Select:
    """The people the viewer may choose in this scope."""
    return REGISTRY.choices_for(name, viewer)


def bind(field: PersonField, viewer=None) -> PersonField:
    """Give a person field the people its scope allows the viewer (the signed-in person)."""
    return REGISTRY.bind(field, viewer)


@scope("people.visible")
def visible_people(viewer) -> Select:
    """Everyone whose records the viewer may see (a list's "account manager" filter)."""
    return visible_users(viewer)


@dataclass
class PersonFilter:
    """A list's filter by person, typed and searched (the `person_filter` macro)."""

    name: str
    label: str
    scope: str
    text: str
    error: str | None
    #: Whether there is a choice at all (more than one person offered).
    offered: bool
    #: What an empty box means ("All" unless told).
    placeholder: str | None = None


def person_filter(listing: Listing, name: str, label: str, scope_name: str,
                  viewer=None, placeholder: str | None = None) -> PersonFilter:
    """Read a list's person filter: an id (links, the old select) or a typed name resolved among
    the scope's people; the list then reads the id with `listing.get(name)`. An unknown or
    ambiguous name filters nothing and says so beside the box."""
    people = people_for(scope_name, viewer or current_user)
    raw = (request.args.get(name) or "").strip()[:MAX_SEARCH]
    person, error, value = None, None, None
    if raw:
        person, found = resolve_person(people, raw)
        if person is not None:
            value = person.id
        elif raw.isdigit() and len(raw) < 10:
            value = int(raw)  # a link's id outside the scope: the list filters it (to nothing)
        else:
            error = person_problem(raw, found)
    listing.resolve(name, value)
    offered = db.session.scalar(select(func.count()).select_from(
        people.order_by(None).limit(2).subquery())) > 1
    return PersonFilter(name=name, label=label, scope=scope_name,
                        text=person_label(person) if person else raw, error=error,
                        offered=offered, placeholder=placeholder)


@bp.route("/search")
def search():
    """The people of a picker's scope whose name or username contains the typed text: the
    options of the combobox (`?scope=…&field=NAME&NAME=text`, as htmx sends the input)."""
    return REGISTRY.search()
