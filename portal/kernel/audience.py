"""Who may reach an endpoint, declared once and enforced in one place.

Every view has an audience: `PUBLIC` (no sign-in: the login page, health, token links),
`SIGNED_IN` (anyone signed in; the records shown are still scoped by the loaders), or a set of
roles. A blueprint declares the default of its views with `blueprint_audience(bp, ...)`; a view
narrows or widens it with `@audience(...)`. One app-level `before_request` (`enforce`) reads the
declaration: anonymous visitors are sent to sign in, people without the role get 403 (the page's
existence is public: it is in the navigation of the roles that use it). An endpoint without a
declaration answers 403, and tests/test_access.py fails on it: nothing is reachable by omission.

Which *records* a person sees is not decided here but in each module's scoped queries and loaders
(`visible_x(viewer)`, `get_x_or_404(viewer, id)`), built on portal.access.
"""
from flask import Flask, abort, current_app, request
from flask_login import current_user

PUBLIC = "public"
SIGNED_IN = "signed-in"

#: blueprint name → its default audience.
_BLUEPRINT_DEFAULTS: dict[str, object] = {}


def _normalise(who: tuple) -> object:
    if who in ((PUBLIC,), (SIGNED_IN,)):
        return who[0]
    assert who and all(not isinstance(w, str) or w not in (PUBLIC, SIGNED_IN) for w in who), \
        "an audience is PUBLIC, SIGNED_IN, or one or more roles"
    return frozenset(who)


def audience(*who):
    """Declare who may reach this view: `@audience(Role.MANAGER, Role.HR)`, or PUBLIC/SIGNED_IN."""
    declared = _normalise(who)

    def decorator(view):
        view.audience = declared
        return view

    return decorator


def blueprint_audience(blueprint, *who) -> None:
    """Declare the audience of every view of a blueprint that declares none of its own."""
    _BLUEPRINT_DEFAULTS[blueprint.name] = _normalise(who)


def audience_of(app: Flask, endpoint: str):
    """The declared audience of an endpoint (None: undeclared)."""
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    declared = getattr(view, "audience", None)
    if declared is not None:
        return declared
    blueprint = endpoint.rpartition(".")[0]
    return _BLUEPRINT_DEFAULTS.get(blueprint)


def admits(declared, user) -> bool:
    """Whether a person (or None, not signed in) belongs to a declared audience."""
    if declared == PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    if declared == SIGNED_IN:
        return True
    return bool(declared) and user.has_role(*declared)


def enforce():
    """The one check before every request: sign-in, then role (see the module docstring)."""
    if request.endpoint is None:  # 404/405 from routing: nothing to guard
        return None
    declared = audience_of(current_app, request.endpoint)
    if declared is None:
        abort(403)
    if declared == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if declared != SIGNED_IN and not current_user.has_role(*declared):
        abort(403)
    return None


def register(app: Flask) -> None:
    """Install the check (before any blueprint's own hooks run)."""
    app.before_request(enforce)
