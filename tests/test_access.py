"""Who sees whom (portal/access.py), and the role × URL matrix over every route of the app."""
import pytest
from sqlalchemy import select

from portal.access import can_see_user, get_user_or_404, manages, visible_users
from portal.extensions import db
from portal.models import Role, User
from tests.conftest import login
from tests.factories import build_url, make_user

from tests.routes import PUBLIC, collect_post_only, collect_routes, collect_sample_args

ANONYMOUS = None
PEOPLE = [ANONYMOUS, "staff1", "manager1", "hr", "admin"]
#: Who may open each route with GET, gathered from tests/routes/<module>.py.
MATRIX = collect_routes()
#: Routes that only take POST.
POST_ONLY = collect_post_only()


def sample_args(org) -> dict:
    """A value for every URL argument, pointing at a record that exists."""
    return collect_sample_args(org)


def get_rules(app):
    """Every route that answers GET, except static files."""
    return [r for r in app.url_map.iter_rules()
            if "GET" in r.methods and r.endpoint != "static"]


def test_matrix_covers_every_route(app):
    endpoints = {r.endpoint for r in get_rules(app)}
    post_only = {r.endpoint for r in app.url_map.iter_rules()
                 if "GET" not in r.methods and r.endpoint != "static"}
    assert endpoints - set(MATRIX) == set(), "routes without an entry in MATRIX"
    assert set(MATRIX) - endpoints == set(), "MATRIX names routes that do not exist"
    assert post_only - POST_ONLY == set(), "POST routes without an entry in POST_ONLY"


@pytest.mark.slow  # crawl of every route as every role
def test_role_url_matrix(app, org):
    args = sample_args(org)
    clients = {who: (login(app.test_client(), who) if who else app.test_client())
               for who in PEOPLE}
    tried = 0
    for rule in get_rules(app):
        url = build_url(app, rule, args)
        audience = MATRIX[rule.endpoint]
        for who in PEOPLE:
            response = clients[who].get(url)
            tried += 1
            status = response.status_code
            assert status < 500, (who, url, status)
            if audience == PUBLIC:
                assert status in (200, 302), (who, url, status)
            elif who is None:
                assert status == 302 and "/login" in response.location, (url, status)
            elif who in audience:
                assert status in (200, 302, 303), (who, url, status)
            else:
                assert status in (403, 404), (who, url, status)
    assert tried >= len(MATRIX) * len(PEOPLE)


def test_post_routes_need_sign_in(app, org):
    """A POST to any route from someone not signed in changes nothing and asks to sign in."""
    args = sample_args(org)
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or MATRIX.get(rule.endpoint) == PUBLIC:
            continue
        if rule.endpoint in ("auth.logout", "auth.language", "auth.login"):
            continue  # harmless without an account: they act on the visitor's own session
        url = build_url(app, rule, args)
        response = client.post(url, data={"username": "x", "display_name": "x", "code": "X"})
        assert response.status_code == 302 and "/login" in response.location, url


# --- the scoping rules themselves ---------------------------------------------------------------

def usernames(query) -> set[str]:
    return set(db.session.scalars(query.with_only_columns(User.username)))


def test_staff_see_themselves_only(org):
    assert usernames(visible_users(org.users["staff1"])) == {"staff1"}


def test_manager_sees_own_area_and_reports_not_the_other_area(org):
    seen = usernames(visible_users(org.users["manager1"]))
    assert {"manager1", "staff1", "staff2", "a01-am01"} <= seen
    assert not seen & {"manager2", "staff3", "a02-am01", "hr", "admin"}


def test_indirect_reports_are_visible_up_the_line(org):
    """A team lead under manager1 has a report; manager1 sees that report too."""
    lead = make_user("lead", roles=(Role.MANAGER, Role.STAFF), area=org.areas[0],
                     manager=org.users["manager1"])
    elsewhere = org.areas[1]  # reports through the line although seated in another area
    deep = make_user("deep", area=elsewhere, manager=lead)
    assert "deep" in usernames(visible_users(org.users["manager1"]))
    assert manages(org.users["manager1"], deep.id)
    assert "deep" in usernames(visible_users(lead))
    assert "manager1" not in usernames(visible_users(lead))


def test_area_head_sees_members_reporting_elsewhere(org):
    member = make_user("floater", area=org.areas[1], manager=org.users["hr"])
    assert can_see_user(org.users["manager2"], member.id)
    assert not can_see_user(org.users["manager1"], member.id)


@pytest.mark.parametrize("who", ["hr", "admin"])
def test_hr_and_admin_see_everyone(org, who):
    everyone = set(db.session.scalars(select(User.username)))
    assert usernames(visible_users(org.users[who])) == everyone


def test_get_user_or_404(org):
    from werkzeug.exceptions import NotFound

    assert get_user_or_404(org.users["manager1"], org.users["staff1"].id).username == "staff1"
    with pytest.raises(NotFound):
        get_user_or_404(org.users["manager1"], org.users["staff3"].id)
    with pytest.raises(NotFound):
        get_user_or_404(org.users["staff1"], org.users["staff2"].id)
