"""Sample records for every route's URL arguments, one file per module, and the role × route
check that reads each endpoint's audience from the app's own declarations.

Each `tests/routes/<module>.py` defines `sample_args(org)`: {url argument: a value naming a record
that exists}, names unique across modules (say `meeting_id`, not `id`). The records are staff1's
(area A01, whose head is manager1) unless the module says otherwise. A module may also name, in
`CLOSED_FOR_THE_SAMPLE`, the endpoints where its sample record is at a step closed to everyone
(an appraisal at self-assessment cannot be acknowledged yet); the check holds those to "nobody
gets the page". Refusing by role is the declaration's job: no view checks a role to refuse
(tests/test_imports.py reads the code for it).

Who may reach an endpoint is NOT listed here: it is declared once in the app
(portal.kernel.audience) and read back with `audience_of(app, endpoint)`.
"""
import importlib
import pkgutil

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.kernel.audience import PUBLIC, admits, audience_of
from portal.models import User

#: The demo people the matrix signs in as (None: not signed in).
ANONYMOUS = None
SIGNED_IN_PEOPLE = ("staff1", "manager1", "hr", "admin")
PEOPLE = (ANONYMOUS, *SIGNED_IN_PEOPLE)
#: What an admitted person may get: the page, or a redirect (a form that moves on, a download
#: answered elsewhere); 404 when the sample record is outside their scope (see `matrix_problems`).
SHOWN = (200, 302, 303)

__all__ = ["PUBLIC", "collect_sample_args", "collect_routes", "undeclared", "matrix_problems"]


def _modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{__name__}.{info.name}")


def _merge(dicts, what):
    merged = {}
    for d in dicts:
        clash = set(merged) & set(d)
        assert not clash, f"{what} defined twice: {clash}"
        merged.update(d)
    return merged


def collect_sample_args(org) -> dict:
    """Every module's sample URL arguments in one dict."""
    return _merge((m.sample_args(org) for m in _modules() if hasattr(m, "sample_args")),
                  "URL argument")


def closed_for_the_sample() -> set[str]:
    """Endpoints whose sample record is at a step closed to everyone."""
    return set().union(*(getattr(m, "CLOSED_FOR_THE_SAMPLE", set()) for m in _modules()))


def endpoints(app) -> set[str]:
    """Every endpoint of the app except static files."""
    return {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}


def undeclared(app) -> set[str]:
    """Endpoints without an audience declaration (they answer 403 to everyone)."""
    return {e for e in endpoints(app) if audience_of(app, e) is None}


def demo_people() -> dict:
    """The signed-in demo people by username (the demo organisation must be seeded)."""
    users = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_(SIGNED_IN_PEOPLE)))}
    assert set(users) == set(SIGNED_IN_PEOPLE), "seed the demo organisation first"
    return users


def collect_routes(app=None) -> dict:
    """{endpoint: PUBLIC, or the usernames among the demo people its declaration admits}, read
    from the app's declarations (an undeclared endpoint admits nobody)."""
    app = app or current_app
    users = demo_people()
    routes = {}
    for endpoint in endpoints(app):
        declared = audience_of(app, endpoint)
        if declared == PUBLIC:
            routes[endpoint] = PUBLIC
        else:
            routes[endpoint] = frozenset(name for name, user in users.items()
                                         if declared is not None and admits(declared, user))
    return routes


def _url(app, rule, args) -> str:
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})


def matrix_problems(app, rules, args, clients) -> tuple[list[str], dict]:
    """Each rule asked by each of PEOPLE (`clients`: who → test client), against its declaration.

    - undeclared: a problem (and it answers 403 to everyone);
    - not signed in: a PUBLIC page answers 200/302, any other sends to the sign-in page;
    - a person the declaration does not admit: exactly 403 (the one check refuses before the
      view), for GET and for a POST-only route's POST;
    - a person it admits: the page (200/302/303), or 404 when the record is outside their scope,
      or 403 when they may see the record but not change it. That refusal is "record-level
      only" when someone else the declaration admits gets the page at the same URL, so every
      route must answer SHOWN to at least one person (the sample is real and the view works),
      except the module's CLOSED_FOR_THE_SAMPLE, which must show nobody (the workflow step is not
      open). Refusing by role inside a view is caught by tests/test_imports.py instead.

    Returns the problems and the tally {"requests": n, "scoped": [(endpoint, who), ...]}.
    """
    users = demo_people()
    closed = closed_for_the_sample()
    problems, scoped, requests = [], [], 0
    for rule in rules:
        endpoint = rule.endpoint
        declared = audience_of(app, endpoint)
        if declared is None:
            problems.append(f"{endpoint}: no audience declared")
        url = _url(app, rule, args)
        method = "GET" if "GET" in rule.methods else "POST"
        shown_to, missing_to = [], []
        for who in PEOPLE:
            if method == "POST" and who is not None and declared is not None \
                    and admits(declared, users[who]):
                continue  # a POST by someone admitted changes things; the module tests cover it
            response = clients[who].open(url, method=method, data={})
            requests += 1
            status = response.status_code
            admitted = declared is not None and admits(declared, users.get(who))
            if status >= 500:
                problems.append(f"{endpoint}: {who} {method} {url} -> {status}")
            elif who is None and declared != PUBLIC:
                if not (status == 302 and "/login" in response.location):
                    problems.append(f"{endpoint}: anonymous {method} {url} -> {status}, "
                                    "not sent to sign in")
            elif not admitted:
                if status != 403:
                    problems.append(f"{endpoint}: {who} not in {declared} got {status}, not 403")
            elif status in SHOWN:
                shown_to.append(who)
            elif status in (403, 404) and who is not None:
                # 404: the record is outside their scope; 403: they may see it but not change
                # it (an attendee on a meeting's edit page). Record-level only: see below.
                missing_to.append(who)
            else:
                problems.append(f"{endpoint}: {who} in {declared} got {status}")
        if method == "GET" and declared is not None:
            if endpoint in closed:
                if shown_to:
                    problems.append(f"{endpoint}: CLOSED_FOR_THE_SAMPLE but shown to {shown_to}")
            elif not shown_to:
                problems.append(f"{endpoint}: nobody its declaration admits gets the page "
                                f"(404 to {missing_to}): the sample record or the view is broken")
            else:
                scoped += [(endpoint, who) for who in missing_to]
    return problems, {"requests": requests, "scoped": scoped}
