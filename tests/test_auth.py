"""Signing in and out, the failed-attempt back-off, passwords, sessions, CSRF."""
from datetime import timedelta

import pytest

from portal import create_app
from portal.extensions import db
from portal.models import User, utcnow
from tests.conftest import TEST_CONFIG, login
from tests.factories import build_url, csrf_login


def fresh(user_id: int) -> User:
    """The user as the database has it now."""
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_login_page_and_success(client, org):
    assert client.get("/login").status_code == 200
    response = client.post("/login", data={"username": "staff1", "password": "portal-demo"})
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/", headers={"Accept-Language": "en"})
    assert "李娜" in home.text and "East District" in home.text and "张伟" in home.text
    assert fresh(org.users["staff1"].id).last_login_at is not None


def test_login_redirects_to_next_but_never_off_site(client, org):
    ok = client.post("/login?next=/account", data={"username": "staff1", "password": "portal-demo"})
    assert ok.location == "/account"
    client.post("/logout")
    off = client.post("/login?next=https://evil.example/x",
                      data={"username": "staff1", "password": "portal-demo"})
    assert off.location == "/"


@pytest.mark.parametrize("username, password", [
    ("staff1", "wrong-password"), ("nobody", "portal-demo"), ("", "portal-demo"), ("staff1", ""),
])
def test_bad_login_says_so_beside_the_field_and_keeps_the_username(client, org, username, password):
    response = client.post("/login", data={"username": username, "password": password},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert 'class="error"' in response.text
    if username:
        assert f'value="{username}"' in response.text
    assert client.get("/").status_code == 302  # still not signed in


def test_failures_back_off_per_account_in_the_database(app, client, org):
    user_id = org.users["staff1"].id
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for _ in range(free):
        client.post("/login", data={"username": "staff1", "password": "nope-nope"})
    user = fresh(user_id)
    assert user.failed_logins == free and user.locked_until is not None
    # Even the right password is refused while the account waits, with the wait named.
    response = client.post("/login", data={"username": "staff1", "password": "portal-demo"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "Try again in" in response.text
    # Another client (another worker, another browser) meets the same wait.
    other = app.test_client()
    assert other.post("/login", data={"username": "staff1",
                                      "password": "portal-demo"}).status_code == 422
    # Once the wait is over, the right password works and clears the count.
    user = fresh(user_id)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert other.post("/login", data={"username": "staff1",
                                      "password": "portal-demo"}).status_code == 302
    assert fresh(user_id).failed_logins == 0


def test_backoff_doubles_up_to_the_cap(app):
    from portal.passwords import backoff_seconds

    free = app.config["LOGIN_FREE_ATTEMPTS"]
    assert backoff_seconds(free - 1) == 0
    assert backoff_seconds(free) == 30
    assert backoff_seconds(free + 1) == 60
    assert backoff_seconds(free + 10) == app.config["LOGIN_BACKOFF_MAX_SECONDS"]


def test_inactive_account_cannot_sign_in(client, org):
    user = org.users["staff2"]
    user.active = False
    db.session.commit()
    assert client.post("/login", data={"username": "staff2",
                                       "password": "portal-demo"}).status_code == 422


def test_passwords_are_argon2id(org):
    assert org.users["staff1"].password_hash.startswith("$argon2id$")


def test_logout_ends_the_session(client_as):
    client = client_as("staff1")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 302


def test_logout_needs_post(client_as):
    client = client_as("staff1")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client_as, org):
    here, elsewhere = client_as("staff1"), client_as("staff1")
    response = here.post("/account", data={"current": "portal-demo", "new": "a-new-password-1",
                                           "confirm": "a-new-password-1"})
    assert response.status_code == 303
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), "staff1", "a-new-password-1")


@pytest.mark.parametrize("data, field", [
    ({"current": "wrong-one", "new": "a-new-password-1", "confirm": "a-new-password-1"}, "current"),
    ({"current": "portal-demo", "new": "short", "confirm": "short"}, "new"),
    ({"current": "portal-demo", "new": "a-new-password-1", "confirm": "different-pw-2"}, "confirm"),
])
def test_bad_password_change_changes_nothing(client_as, org, data, field):
    before = org.users["staff1"].password_hash
    client = client_as("staff1")
    response = client.post("/account", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert fresh(org.users["staff1"].id).password_hash == before


def test_admin_reset_ends_the_persons_sessions(client_as, org):
    victim = client_as("staff1")
    admin = client_as("admin")
    user_id = org.users["staff1"].id
    response = admin.post(f"/admin/users/{user_id}/password",
                          data={"new": "reset-by-admin-1", "confirm": "reset-by-admin-1"})
    assert response.status_code == 303
    assert victim.get("/").status_code == 302
    entry = db.session.scalar(db.select(db.metadata.tables["audit_log"]).where(
        db.metadata.tables["audit_log"].c.action == "user.password_reset"))
    assert entry is not None and "reset-by-admin-1" not in str(entry)


def test_session_cookie_flags(app, org):
    client = app.test_client()
    response = client.post("/login", data={"username": "staff1", "password": "portal-demo"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    prod = create_app({**TEST_CONFIG, "TESTING": False,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert prod.config["SESSION_COOKIE_SECURE"] is True


# --- CSRF ---------------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(app):
    """The same app and database with CSRF protection on, as in production."""
    csrf = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    csrf.test_client_class = app.test_client_class
    return csrf


def test_login_without_token_is_refused(csrf_app, org):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "admin", "password": "portal-demo"})
    assert response.status_code == 400


def test_every_post_route_refuses_a_request_without_token(csrf_app, org):
    """Walk every route that takes POST, signed in as admin: without a token, 400 and no change."""
    from tests.routes import collect_sample_args

    client = csrf_app.test_client()
    csrf_login(client)
    args = collect_sample_args(org)
    tried = 0
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        response = client.post(build_url(csrf_app, rule, args), data={"x": "1"})
        assert response.status_code == 400, rule.endpoint
        tried += 1
    assert tried >= 8
    assert client.get("/").status_code == 200  # logout without a token did not sign us out


def test_htmx_requests_carry_the_token_in_a_header(csrf_app, org):
    client = csrf_app.test_client()
    token = csrf_login(client)
    area = org.areas[0]
    url = f"/admin/areas/{area.id}/edit"
    data = {"code": "A01", "name": "城东营业区", "name_en": "East", "head_id": "0"}
    refused = client.post(url, data=data, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = client.post(url, data=data, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 200 and "<tr" in accepted.text
