"""Who sees whom (portal/access.py), and the role × route matrix over every route of the app.

The matrix does not keep its own list of who may open what: it reads each endpoint's audience
from the app's declarations (portal.kernel.audience) and checks that the app answers by them;
tests/routes/<module>.py only makes the sample records the URLs point at.
"""
import pytest
from sqlalchemy import select

from portal.access import can_see_user, get_user_or_404, manages, visible_users
from portal.extensions import db
from portal.kernel.audience import PUBLIC, audience_of
from portal.models import Role, User
from tests.conftest import login
from tests.factories import make_user
from tests.routes import PEOPLE, collect_sample_args, matrix_problems, undeclared


def test_every_endpoint_declares_its_audience(app):
    assert undeclared(app) == set(), "endpoints without @audience or blueprint_audience"


@pytest.mark.slow  # crawl of every route as every role
def test_role_url_matrix(app, org):
    args = collect_sample_args(org)
    clients = {who: (login(app.test_client(), who) if who else app.test_client())
               for who in PEOPLE}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    problems, tally = matrix_problems(app, rules, args, clients)
    assert problems == [], "\n".join(problems)
    assert tally["requests"] >= len(rules) * 2
    # Admitted by role, refused by record scoping (404): e.g. HR on staff1's customer.
    print(f"matrix: {len(rules)} routes, {tally['requests']} requests, "
          f"{len(tally['scoped'])} scoped 404s: {sorted(tally['scoped'])}")


def test_post_routes_need_sign_in(app, org):
    """A POST to any route from someone not signed in changes nothing and asks to sign in."""
    args = collect_sample_args(org)
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or audience_of(app, rule.endpoint) == PUBLIC:
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})
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


# --- reorganisation: access follows the current reporting line ----------------------------------

#: What a former manager may still open after the person moved: the one-on-ones they held
#: (read only). Anything else of the person's that answers them is a finding.
FORMER_MANAGER_MAY_READ = {"one_on_ones.detail"}
#: URL arguments whose sample record is staff1's own and reached through "who manages whom"
#: (one-on-ones, appraisal, career plan, training enrolment, tasks, nominations, pay, the
#: account). Records of the area (customers, sales, area reviews) follow the area instead, and
#: records manager1 made (meetings, surveys) stay theirs.
PERSON_ARGS = {"series_id", "one_on_one_id", "talking_point_id", "one_on_one_action_id",
               "appraisal_id", "career_goal_id", "career_review_id", "career_milestone_id",
               "enrolment_id", "task_id", "nomination_id", "payee_id", "user_id"}


def test_after_a_reorganisation_the_former_manager_reaches_nothing_of_the_persons(app, org):
    """Move staff1 (manager1's report, area A01) to manager2 and area A02; then every route with
    a record argument, with manager1's session, against staff1's sample records."""
    args = collect_sample_args(org)
    staff1 = org.users["staff1"]
    from portal.models.communication import OneOnOne
    for one in db.session.scalars(select(OneOnOne)):
        one.held = True  # the strictest case: meetings manager1 held stay readable
    staff1.manager = org.users["manager2"]
    staff1.area = org.areas[1]
    db.session.commit()
    old = login(app.test_client(), "manager1")
    reached, tried = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        if not rule.arguments & PERSON_ARGS or not rule.arguments <= set(args):
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})
        tried += 1
        if "GET" in rule.methods:
            status = old.get(url).status_code
            if status == 200 and rule.endpoint not in FORMER_MANAGER_MAY_READ:
                reached.append(f"GET {url} ({rule.endpoint}) {status}")
        if "POST" in rule.methods:
            status = old.post(url, data={"x": "1"}).status_code
            if status not in (403, 404, 405):
                reached.append(f"POST {url} ({rule.endpoint}) {status}")
    assert reached == [], "\n".join(reached)
    assert tried >= 20
    # The held one-on-one reads, without a form to change it; the new manager starts afresh.
    page = old.get(f"/one-on-ones/{args['one_on_one_id']}").text
    assert "共享笔记" in page or "shared" in page.lower()
    assert f"/one-on-ones/{args['one_on_one_id']}/notes" not in page
    new = login(app.test_client(), "manager2")
    assert staff1.display_name in new.get("/one-on-ones/series/new").text
