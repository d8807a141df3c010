"""Other people's records, by id, on every route of app.url_map: never shown, never changed.

tests/test_access.py tries each route with records that belong to staff1 (area A01). Here the same
sample records are made for the mirror image of the organisation (staff3 and manager2 of area
A02), and staff1 and manager1, who must not see any of it, ask for every route with those ids,
with GET and with POST. Each must answer 403 or 404, show nothing of the other area's people,
and the POSTs must change nothing. A throw-away app with one route that forgets its scoping shows
both checks at work: undeclared, it answers 403 and the matrix fails; declared, the matrix passes
and this check catches the leak.
"""
import dataclasses

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_CONFIG, login
from portal.kernel.audience import PUBLIC, SIGNED_IN, audience, audience_of
from tests.routes import PEOPLE, collect_sample_args, matrix_problems, undeclared

#: The people outside the askers' scope, and the askers.
OUTSIDERS = ("staff3", "manager2")
ASKERS = ("staff1", "manager1")
#: URL arguments that name shared things (the catalogue, rules, templates) or tokens that stand
#: for themselves, not a person's record: a route whose arguments are all shared is not tried.
SHARED_ARGS = {"course_id", "training_session_id", "career_level_id", "duty_id", "rule_version_id",
               "commission_rate_id", "template_id", "indicator_id", "cycle_id", "practice_id",
               "kind", "obj_id", "training_fmt", "token", "feed_token", "job_id",
               "panel_name"}


def mirror(org):
    """The demo organisation with A02's people in the places of A01's."""
    users = {**org.users, "staff1": org.users["staff3"], "manager1": org.users["manager2"],
             "staff2": org.users["a02-am01"]}
    return dataclasses.replace(org, users=users, areas=[org.areas[1], org.areas[0]])


def personal_rules(app):
    """The rules whose URL names at least one person's record, except public ones."""
    return [r for r in app.url_map.iter_rules()
            if r.endpoint != "static" and r.arguments - SHARED_ARGS
            and audience_of(app, r.endpoint) != PUBLIC]


def every_row() -> dict:
    """Each table's rows, for before/after comparisons."""
    db.session.rollback()
    return {t.name: sorted(map(repr, db.session.execute(select(t)).all()))
            for t in db.metadata.sorted_tables}


def scoping_violations(app, rules, args, secrets) -> tuple[list[str], int]:
    """Requests by ASKERS for the outsiders' records that were answered, showed a secret, or
    changed the database."""
    clients = {who: login(app.test_client(), who) for who in ASKERS}
    before = every_row()
    found, tried = [], 0
    for rule in rules:
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})
        methods = [m for m in ("GET", "POST") if m in rule.methods]
        for who in ASKERS:
            for method in methods:
                response = clients[who].open(url, method=method, data={})
                tried += 1
                body = response.get_data(as_text=True)
                shown = [s for s in secrets if s in body or str(escape(s)) in body]
                if response.status_code not in (403, 404) or shown:
                    found.append(f"{who} {method} {url} -> {response.status_code} {shown}")
    if every_row() != before:
        found.append("a refused request changed the database")
    return found, tried


@pytest.fixture
def outsiders(org):
    """Every module's sample records, made for A02 (staff3, manager2); and what must not show."""
    args = collect_sample_args(mirror(org))
    db.session.commit()
    secrets = [org.users[u].display_name for u in OUTSIDERS]
    return args, secrets


@pytest.mark.slow  # crawl of every route
def test_nobody_reaches_records_outside_their_scope(app, outsiders):
    args, secrets = outsiders
    rules = personal_rules(app)
    assert len(rules) > 60
    found, tried = scoping_violations(app, rules, args, secrets)
    assert found == []
    print(f"outsider ids: {len(rules)} routes, {tried} requests")


@pytest.fixture
def leaky_app(app):
    """A throw-away app with one route that forgets its scoping (a bare db.get in the view), and
    at first its audience too."""
    from portal.models.customers import Customer

    leaky = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    leaky.test_client_class = app.test_client_class

    @leaky.route("/customers/<int:customer_id>/leak")
    def customer_leak(customer_id):
        customer = db.get_or_404(Customer, customer_id)  # the bug: nobody asked who may see it
        return f"{customer.name} {customer.account_manager.display_name}"

    return leaky


def test_the_checks_catch_a_route_that_forgets_its_scoping(leaky_app, outsiders):
    args, secrets = outsiders
    rules = [r for r in leaky_app.url_map.iter_rules() if r.endpoint == "customer_leak"]
    clients = {who: login(leaky_app.test_client(), who) if who else leaky_app.test_client()
               for who in PEOPLE}
    # Undeclared, the route is reachable by nobody, and the matrix test fails on it...
    assert undeclared(leaky_app) == {"customer_leak"}
    problems, _ = matrix_problems(leaky_app, rules, args, clients)
    assert "customer_leak: no audience declared" in problems
    assert {clients[who].get(f"/customers/{args['customer_id']}/leak").status_code
            for who in ASKERS} == {403}
    # ...declared, the matrix passes (a role test cannot see whose record it is)...
    audience(SIGNED_IN)(leaky_app.view_functions["customer_leak"])
    assert undeclared(leaky_app) == set()
    assert matrix_problems(leaky_app, rules, args, clients)[0] == []
    # ...and the outsider check sees it answer with the other area's customer.
    found, tried = scoping_violations(leaky_app, rules, args, secrets)
    assert tried == 2 and len(found) == 2
    assert all("-> 200" in f and secrets[0] in f for f in found), found
