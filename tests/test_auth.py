"""Signing in and out, the failed-attempt back-off, passwords, sessions, CSRF."""
import re
from datetime import timedelta

import pytest

from portal import create_app
from portal.extensions import db
from portal.models import AuditLog, User, utcnow
from portal.models.auth import LoginThrottle
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


ATTACKER = {"REMOTE_ADDR": "10.9.9.9"}
OWNER = {"REMOTE_ADDR": "10.1.1.1"}


def attempt(client, username, password, environ=ATTACKER, lang="en"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_overrides=environ, headers={"Accept-Language": lang})


def throttle(key: str) -> LoginThrottle | None:
    db.session.expire_all()
    return db.session.scalar(db.select(LoginThrottle).where(LoginThrottle.key == key))


def test_failures_back_off_per_username_and_address_in_the_database(app, client, org):
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for _ in range(free):
        assert attempt(client, "staff1", "nope-nope-nope").status_code == 422
    row = throttle("pair:staff1|10.9.9.9")
    assert row.failures == free and row.locked_until is not None
    # Even the right password is refused from that address while it waits, with the wait named.
    response = attempt(app.test_client(), "staff1", "portal-demo")
    assert response.status_code == 422 and "Try again in" in response.text
    # The person signs in from their own machine all the same: nobody can lock them out.
    assert attempt(app.test_client(), "staff1", "portal-demo", OWNER).status_code == 302
    # Once the wait is over, the right password works from the attacker's address too, and
    # clears that pair's count.
    row = throttle("pair:staff1|10.9.9.9")
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert attempt(app.test_client(), "staff1", "portal-demo").status_code == 302
    assert throttle("pair:staff1|10.9.9.9") is None


def test_an_address_trying_many_usernames_is_slowed(app, client, org):
    many = app.config["LOGIN_ADDRESS_FREE_ATTEMPTS"]
    for i in range(many):
        attempt(client, f"guess{i}", "nope-nope-nope")
    assert throttle("address:10.9.9.9").locked_until is not None
    assert "Try again in" in attempt(client, "staff2", "portal-demo").text
    assert attempt(app.test_client(), "staff2", "portal-demo", OWNER).status_code == 302


def test_unknown_and_locked_accounts_answer_alike(app, client, org):
    """No enumeration: an unknown username meets the same wait, message and work as a real one."""
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    answers = {}
    for name in ("staff1", "nobody-here"):
        texts = [attempt(client, name, "nope-nope-nope").text for _ in range(free + 1)]
        answers[name] = [re.findall(r'id="password-error"[^>]*>([^<]*)<', t) for t in texts]
    assert answers["staff1"] == answers["nobody-here"]
    assert "Too many failed attempts" in str(answers["nobody-here"][-1])


def test_refused_attempts_spend_one_password_check(app, client, org, monkeypatch):
    """Unknown, waiting and wrong answers each run argon2 once, so timing tells nothing."""
    from argon2 import PasswordHasher

    calls = []
    real = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify",
                        lambda self, h, p: calls.append(1) or real(self, h, p))
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for name in ("staff1", "nobody-here"):
        for _ in range(free + 2):
            calls.clear()
            attempt(client, name, "nope-nope-nope")
            assert len(calls) == 1, name


def test_lockouts_are_audited_and_an_admin_clears_one(app, client, org, client_as_en):
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for _ in range(free):
        attempt(client, "staff1", "nope-nope-nope")
    entry = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "login.lockout"))
    assert entry.after["username"] == "staff1" and entry.after["address"] == "10.9.9.9"
    assert entry.after["user_id"] == org.users["staff1"].id
    admin = client_as_en("admin")
    page = admin.get("/admin/lockouts")
    assert page.status_code == 200 and "staff1" in page.text and "10.9.9.9" in page.text
    row = throttle("pair:staff1|10.9.9.9")
    assert admin.post("/admin/lockouts", data={"throttle_id": row.id}).status_code == 303
    assert throttle("pair:staff1|10.9.9.9") is None
    assert db.session.scalar(db.select(AuditLog).where(
        AuditLog.action == "login.lockout_clear")) is not None
    assert attempt(app.test_client(), "staff1", "portal-demo").status_code == 302
    assert admin.post("/admin/lockouts", data={"throttle_id": 999999}).status_code == 404
    assert client_as_en("staff2").get("/admin/lockouts").status_code == 403


def test_backoff_doubles_up_to_the_cap(app):
    from portal.auth.services import backoff_seconds

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


def test_a_hash_at_another_cost_is_remade_at_the_configured_one_on_sign_in(app, client, org):
    """A cost change (docs/decisions.md) reaches existing hashes at their next sign-in; a wrong
    password changes nothing."""
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=2).hash("portal-demo")
    user = org.users["staff1"]
    user.password_hash = old
    db.session.commit()
    assert client.post("/login", data={"username": "staff1",
                                       "password": "wrong-password"}).status_code == 422
    assert fresh(user.id).password_hash == old
    assert client.post("/login", data={"username": "staff1",
                                       "password": "portal-demo"}).status_code == 302
    remade = fresh(user.id).password_hash
    cost = (f"m={TEST_CONFIG['ARGON2_MEMORY_COST']},t={TEST_CONFIG['ARGON2_TIME_COST']},"
            f"p={app.config['ARGON2_PARALLELISM']}")
    assert remade != old and f"${cost}$" in remade
    assert PasswordHasher().verify(remade, "portal-demo")
    client.post("/logout")
    assert client.post("/login", data={"username": "staff1",
                                       "password": "portal-demo"}).status_code == 302
    assert fresh(user.id).password_hash == remade  # made once, not at every sign-in


def test_logout_ends_the_session(client_as):
    client = client_as("staff1")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 302


def test_a_copied_cookie_is_refused_after_logout(app, client_as):
    client = client_as("staff1")
    copy = app.test_client()
    cookie = client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/").status_code == 200  # the copy works while the session lasts
    assert client.post("/logout").status_code == 303
    assert copy.get("/").status_code == 302
    assert copy.get("/account").status_code == 302


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


@pytest.mark.parametrize("new, reason", [
    ("aaaaaaaaaa", "different characters"),
    ("abababababab", "different characters"),
    ("qwertyuiop", "most common"),
    ("Password123", "most common"),
    ("my-staff1-secret", "username or name"),
    ("STAFF1-is-me-now", "username or name"),
])
def test_password_policy_says_why(client_as_en, org, new, reason):
    before = org.users["staff1"].password_hash
    response = client_as_en("staff1").post(
        "/account", data={"current": "portal-demo", "new": new, "confirm": new})
    assert response.status_code == 422 and reason in response.text
    assert fresh(org.users["staff1"].id).password_hash == before


def test_password_policy_holds_for_the_admin_too(client_as_en, org):
    user = org.users["staff1"]
    user.display_name = "Zhang Wei"
    db.session.commit()
    admin = client_as_en("admin")
    response = admin.post(f"/admin/users/{user.id}/password",
                          data={"new": "zhang wei 2026", "confirm": "zhang wei 2026"})
    assert response.status_code == 422 and "username or name" in response.text
    response = admin.post("/admin/users/new", data={
        "username": "newbie", "display_name": "New Bie", "password": "newbie-2026-pw",
        "roles": ["staff"], "area_id": org.areas[0].id, "manager_id": 0, "locale": ""})
    assert response.status_code == 422 and "username or name" in response.text


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
