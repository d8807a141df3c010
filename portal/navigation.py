"""The main navigation: each module's entry and the roles it is for.

An entry shows only when its endpoint exists in the app, so a module that is not there yet
leaves no dead link.
"""
from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import get_locale, lazy_gettext as _l
from markupsafe import Markup

from portal.models import Role


@dataclass(frozen=True)
class NavItem:
    """One link of the navigation."""

    endpoint: str
    label: object
    #: Who sees the link; empty means everyone signed in.
    roles: tuple[Role, ...] = ()


ALL = ()
NAV = [
    NavItem("home.index", _l("Home")),
    NavItem("targets.index", _l("Targets")),
    NavItem("customers.index", _l("Customers")),
    NavItem("pipeline.index", _l("Pipeline"), (Role.STAFF, Role.MANAGER, Role.HR, Role.ADMIN)),
    NavItem("complaints.index", _l("Complaints")),
    NavItem("care.index", _l("Care"), (Role.STAFF, Role.MANAGER, Role.HR)),
    NavItem("intel.index", _l("Intelligence")),
    NavItem("one_on_ones.index", _l("One-on-ones"), (Role.STAFF, Role.MANAGER, Role.HR)),
    NavItem("meetings.index", _l("Meetings")),
    NavItem("tasks.index", _l("Tasks")),
    NavItem("training.index", _l("Training")),
    NavItem("careers.index", _l("Careers")),
    NavItem("surveys.index", _l("Surveys")),
    NavItem("appraisals.index", _l("Appraisals")),
    NavItem("incentives.index", _l("Incentives")),
    NavItem("reviews.index", _l("Reviews")),
    NavItem("admin.index", _l("Admin"), (Role.ADMIN,)),
]


def nav_for(user) -> list[NavItem]:
    """The entries this user sees, among the modules the app has."""
    views = current_app.view_functions
    return [item for item in NAV
            if item.endpoint in views and (not item.roles or user.has_role(*item.roles))]


def main_nav(user) -> Markup:
    """The menu's links for this user on this page, as HTML.

    Every page draws the menu: about 15 links, each a `url_for`, a translation and a role check,
    ~1 ms of every request (the layout alone took 1.6 ms, 0.6 with the menu kept). What it
    shows depends only on the language, the user's roles, the module the page belongs to and
    where the app is mounted, so each combination is drawn once per process and kept on the
    app (at most a few hundred)."""
    key = (str(get_locale()), frozenset(user.roles), (request.endpoint or "").split(".")[0],
           request.script_root)
    drawn = current_app.extensions.setdefault("portal.main_nav", {})
    html = drawn.get(key)
    if html is None:
        html = drawn[key] = _draw(user, key[2])
    return html


def _draw(user, module: str) -> Markup:
    links = []
    for item in nav_for(user):
        current = Markup(' aria-current="page"') if item.endpoint.split(".")[0] == module else ""
        links.append(Markup('<a href="{}"{}>{}</a>').format(url_for(item.endpoint), current,
                                                          item.label))
    return Markup("\n").join(links)


def module_label(module: str):
    """The menu's name of a module (its blueprint's entry), or None when the menu has none."""
    return next((item.label for item in NAV if item.endpoint.split(".")[0] == module), None)
