"""Signing in with the company directory and the people sync, against a real OpenLDAP (slapd)."""
import pytest
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE
from sqlalchemy import func, select

from portal.directory.client import user_filter
from portal.directory.config import settings
from portal.extensions import db
from portal.models import AuditLog, Role, User
from portal.models.auth import LoginThrottle
from tests.conftest import login
from tests.ldap_server import (GROUPS, PEOPLE, LdapServer, directory, ldap_server,  # noqa: F401
                               make_ca, settings_for, slapd_missing)

pytestmark = pytest.mark.slow
FAILED = "Wrong username or password, or the account is inactive."
OUTAGE = "The company directory cannot be reached"


def account(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def sign_in(client, username: str, password: str = "ldap-secret"):
    return client.post("/login", data={"username": username, "password": password},
                       headers={"Accept-Language": "en"})


def test_first_sign_in_creates_the_account_with_role_area_and_manager(client, org, directory):
    response = sign_in(client, "sun.li")
    assert response.status_code == 302, response.text
    user = account("sun.li")
    assert user.display_name == "孙丽" and user.email == "sun.li@example.com"
    assert user.phone == "13800000001" and user.source == "directory" and user.password_hash == ""
    assert user.roles == {Role.STAFF} and user.area.code == "A01"
    assert user.directory_dn == f"uid=sun.li,{PEOPLE}" and user.directory_guid
    # The manager had never signed in: their account is made from their entry too.
    assert user.manager.username == "zhao.lei" and user.manager.display_name == "赵磊"
    assert user.manager.roles == {Role.MANAGER} and user.manager.area.code == "A01"
    assert db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "user.directory_create", AuditLog.entity_id == user.id)) == 1
    assert client.get("/").status_code == 200


def test_wrong_password_unknown_user_and_disabled_entry_get_the_usual_failure(client, org,
                                                                              directory):
    assert sign_in(client, "sun.li").status_code == 302
    client.post("/logout")
    for username, password in [("sun.li", "wrong"), ("nobody", "ldap-secret"),
                               ("feng.gone", "ldap-secret")]:
        response = sign_in(client, username, password)
        assert response.status_code == 422 and FAILED in response.text and OUTAGE not in response.text
    # The back-off counts directory failures too (per name and address, portal/auth/services.py).
    throttle = db.session.scalar(select(LoginThrottle).where(LoginThrottle.username == "sun.li"))
    assert throttle is not None and throttle.failures == 1
    assert account("feng.gone") is None  # disabled: no account is made


def test_empty_password_never_binds_anonymously(app, org, directory):
    from portal.directory.services import authenticate

    with app.test_request_context():
        assert authenticate("sun.li", "") is None


def test_a_changed_group_changes_the_role(client, org, directory):
    assert sign_in(client, "zhou.jie").status_code == 302
    assert account("zhou.jie").roles == {Role.STAFF}
    client.post("/logout")
    dn = f"uid=zhou.jie,{PEOPLE}"
    with directory.admin() as conn:
        conn.modify(f"cn=portal-staff,{GROUPS}", {"member": [(MODIFY_DELETE, [dn])]})
        conn.modify(f"cn=portal-managers,{GROUPS}", {"member": [(MODIFY_ADD, [dn])]})
    assert sign_in(client, "zhou.jie").status_code == 302
    assert account("zhou.jie").roles == {Role.MANAGER}


def test_a_disabled_entry_cannot_sign_in_and_its_open_session_ends(client, org, directory,
                                                                  runner):
    assert sign_in(client, "wu.fang").status_code == 302
    assert client.get("/").status_code == 200
    with directory.admin() as conn:
        conn.modify(f"uid=wu.fang,{PEOPLE}", {"employeeType": [(MODIFY_REPLACE, ["disabled"])]})
    result = runner.invoke(args=["sync-directory"])
    assert result.exit_code == 0, result.output
    assert "wu.fang" in result.output
    assert account("wu.fang").active is False
    home = client.get("/")
    assert home.status_code == 302 and "/login" in home.location  # the session has ended
    assert sign_in(client, "wu.fang").status_code == 422


@pytest.mark.parametrize("username", ["*)(uid=*", "*", "sun.li)(|(uid=*", "\\2a"])
def test_ldap_injection_in_the_username_finds_nothing(app, client, org, directory, username):
    response = sign_in(client, username)
    assert response.status_code == 422 and FAILED in response.text
    assert db.session.scalar(select(func.count(User.id)).where(User.source == "directory")) == 0
    with app.test_request_context():
        assert user_filter(settings(), "*)(uid=*") == "(uid=\\2a\\29\\28uid=\\2a)"


def test_sync_creates_updates_and_deactivates_and_a_rename_keeps_the_account(org, directory,
                                                                            runner):
    dry = runner.invoke(args=["sync-directory", "--dry-run"])
    assert dry.exit_code == 0 and "changes that would be made" in dry.output and "zheng.hr" in dry.output
    assert account("zheng.hr") is None  # a dry run saves nothing
    result = runner.invoke(args=["sync-directory"])
    assert result.exit_code == 0, result.output
    made = {u.username for u in db.session.scalars(select(User).where(User.source == "directory"))}
    assert made == {"zhao.lei", "qian.min", "sun.li", "zhou.jie", "wu.fang", "zheng.hr"}
    assert account("wu.fang").manager.username == "qian.min" and account("wu.fang").area.code == "A02"
    assert account("zheng.hr").roles == {Role.HR}
    wu_id = account("wu.fang").id
    # Nothing changed: nothing to do, nothing audited.
    audits = db.session.scalar(select(func.count(AuditLog.id)))
    again = runner.invoke(args=["sync-directory"])
    assert "changes made: 0." in again.output
    assert db.session.scalar(select(func.count(AuditLog.id))) == audits
    with directory.admin() as conn:
        conn.modify_dn(f"uid=wu.fang,{PEOPLE}", "uid=wu.fang2")
        conn.modify(f"uid=wu.fang2,{PEOPLE}", {"displayName": [(MODIFY_REPLACE, ["吴芳芳"])]})
        # Groups follow the rename (AD does it itself, OpenLDAP with its refint overlay).
        conn.modify(f"cn=portal-staff,{GROUPS}", {"member": [
            (MODIFY_DELETE, [f"uid=wu.fang,{PEOPLE}"]), (MODIFY_ADD, [f"uid=wu.fang2,{PEOPLE}"])]})
        conn.delete(f"uid=zhou.jie,{PEOPLE}")
    result = runner.invoke(args=["sync-directory"])
    assert result.exit_code == 0, result.output
    renamed = db.session.get(User, wu_id)
    assert renamed.username == "wu.fang2" and renamed.display_name == "吴芳芳" and renamed.active
    assert account("zhou.jie").active is False
    last = db.session.scalars(select(AuditLog).where(
        AuditLog.entity_id == wu_id, AuditLog.action == "user.directory_update")
        .order_by(AuditLog.id.desc())).first()
    assert last.before["username"] == "wu.fang" and last.after["username"] == "wu.fang2"


def test_an_outage_says_so_and_local_accounts_keep_working(app, client, org, monkeypatch):
    for key, value in settings_for("ldap://127.0.0.1:9").items():  # nothing listens there
        monkeypatch.setitem(app.config, key, value)
    response = sign_in(client, "sun.li")
    assert response.status_code == 422 and FAILED in response.text and OUTAGE in response.text
    assert "127.0.0.1" not in response.text  # no internals on the sign-in page
    admin = org.users["admin"]
    admin.local_only = True
    db.session.commit()
    assert sign_in(client, "admin", "portal-demo").status_code == 302  # break-glass
    page = client.get("/admin/directory", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "cannot be reached" in page.text
    assert "LDAPSocketOpenError" in page.text or "socket" in page.text.lower()
    # An ordinary local account (not local-only) also still signs in with its password.
    assert login(app.test_client(), "staff1").get("/").status_code == 200


@pytest.fixture
def tls_server(tmp_path):
    reason = slapd_missing()
    if reason:
        pytest.skip(reason)
    files = make_ca(tmp_path)
    server = LdapServer(tls={k: v for k, v in files.items() if k.startswith("LDAP_TLS")})
    server.files = files
    yield server
    server.stop()


@pytest.mark.parametrize("how", ["starttls", "ldaps"])
def test_starttls_and_ldaps_with_a_self_signed_ca(app, client, org, tls_server, monkeypatch, how):
    url = tls_server.url if how == "starttls" else f"ldaps://127.0.0.1:{tls_server.ldaps_port}"
    for key, value in settings_for(url).items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.config, "LDAP_STARTTLS", how == "starttls")
    monkeypatch.setitem(app.config, "LDAP_CA_FILE", tls_server.files["OTHER_CA"])
    refused = sign_in(client, "qian.min")  # a certificate our CA did not sign: no connection
    assert refused.status_code == 422 and OUTAGE in refused.text
    monkeypatch.setitem(app.config, "LDAP_CA_FILE", tls_server.files["LDAP_TLS_CA"])
    assert sign_in(client, "qian.min").status_code == 302
    assert account("qian.min").roles == {Role.MANAGER}


def test_the_nightly_task_syncs_the_directory(org, directory):
    """The consumer's nightly task (portal/schedule.py) runs the same sync as the command."""
    from portal import schedule

    assert account("zheng.hr") is None
    db.session.rollback()  # end the test's read, so it sees what the task commits
    schedule.directory_sync.call_local()
    db.session.rollback()
    assert account("zheng.hr").roles == {Role.HR}
