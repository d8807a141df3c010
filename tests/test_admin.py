"""The admin module: accounts, areas and reference data, the audit log."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Area, AuditLog, ProductLine, Role, User
from tests.factories import make_user


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def user_form(org, **overrides) -> dict:
    data = {"username": "newbie", "display_name": "新同事", "email": "newbie@example.com",
            "phone": "+86 138 0000 0000", "locale": "", "roles": ["staff"],
            "area_id": str(org.areas[0].id), "manager_id": str(org.users["manager1"].id),
            "active": "y", "password": "long-enough-pw"}
    data.update(overrides)
    return data


def test_admin_creates_an_account_and_it_is_audited(client_as, org):
    admin = client_as("admin")
    response = admin.post("/admin/users/new", data=user_form(org))
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.username == "newbie"))
    assert user.roles == {Role.STAFF} and user.manager.username == "manager1"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create"))
    assert entry.entity_id == user.id and entry.after["username"] == "newbie"
    assert entry.actor_id == org.users["admin"].id
    assert "long-enough-pw" not in str(entry.after)


@pytest.mark.parametrize("overrides, field, message", [
    ({"username": "staff1"}, "username", "This username is taken."),
    ({"username": "STAFF1"}, "username", "This username is taken."),
    ({"username": "has space"}, "username", "Use letters"),
    ({"display_name": "   "}, "display_name", "This field is required."),
    ({"display_name": "bad\x07name"}, "display_name", "control characters"),
    ({"email": "not-an-email"}, "email", "Invalid email address."),
    ({"area_id": "0"}, "area_id", "belong to an area"),
    ({"area_id": "99999"}, "area_id", "Not a valid choice"),
    ({"roles": ["wizard"]}, "roles", "not a valid choice"),
    ({"password": "short"}, "password", "Use between"),
])
def test_bad_new_account_is_refused_beside_the_field_and_nothing_saved(
        client_as, org, overrides, field, message):
    admin = client_as("admin")
    before = count(User)
    data = user_form(org, **overrides)
    response = admin.post("/admin/users/new", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert 'value="新同事"' in response.text or field == "display_name"  # what was typed is kept
    assert count(User) == before


def test_manager_loop_is_refused(client_as, org):
    """manager1 may not report to staff1, who reports to manager1."""
    admin = client_as("admin")
    manager1 = org.users["manager1"]
    lead = make_user("lead", roles=(Role.MANAGER,), area=org.areas[0], manager=manager1)
    data = {"username": "manager1", "display_name": "张伟", "roles": ["manager"],
            "area_id": str(org.areas[0].id), "manager_id": str(lead.id), "active": "y"}
    response = admin.post(f"/admin/users/{manager1.id}/edit", data=data,
                          headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "loop" in response.text
    assert db.session.get(User, manager1.id).manager_id is None
    assert count(AuditLog) == 0


def test_edit_records_before_and_after_and_deactivation_ends_sessions(app, client_as, org):
    from tests.conftest import login

    staff2 = org.users["staff2"]
    victim = login(app.test_client(), "staff2")
    admin = client_as("admin")
    data = {"username": "staff2", "display_name": "王强", "roles": ["staff"],
            "area_id": str(org.areas[1].id), "manager_id": str(org.users["manager2"].id)}
    response = admin.post(f"/admin/users/{staff2.id}/edit", data=data)  # active unticked
    assert response.status_code == 303
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.update"))
    assert entry.before == {"active": True, "area_id": org.areas[0].id,
                            "manager_id": org.users["manager1"].id}
    assert entry.after == {"active": False, "area_id": org.areas[1].id,
                           "manager_id": org.users["manager2"].id}
    assert victim.get("/").status_code == 302


def test_deactivate_asks_first(client_as, org):
    admin = client_as("admin")
    staff1 = org.users["staff1"]
    page = admin.get(f"/admin/users/{staff1.id}/deactivate")
    assert page.status_code == 200 and "李娜" in page.text
    assert db.session.get(User, staff1.id).active
    assert admin.post(f"/admin/users/{staff1.id}/deactivate").status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, staff1.id).active


def test_user_list_search_filter_sort_and_pages(client_as, org):
    admin = client_as("admin")
    page = admin.get("/admin/users?q=a02-am&sort=-username")
    names = [n for n in ("a02-am10", "a02-am09", "a02-am01") if n in page.text]
    assert names == ["a02-am10", "a02-am09", "a02-am01"]
    assert page.text.index("a02-am10") < page.text.index("a02-am09")
    assert "staff1" not in page.text
    by_role = admin.get("/admin/users?role=hr")
    assert ">hr<" in by_role.text and ">staff1<" not in by_role.text
    first = admin.get("/admin/users")
    assert 'rel="next"' in first.text  # 27 accounts, 25 a page
    second = admin.get("/admin/users?page=2")
    assert "staff3" in second.text or "staff2" in second.text


def test_user_search_answers_htmx_with_the_results_alone(client_as, org):
    admin = client_as("admin")
    response = admin.get("/admin/users?q=staff", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "staff1" in response.text and "HX-Request" in response.headers["Vary"]


def test_user_list_runs_a_fixed_number_of_statements(app, client_as, org, count_queries):
    admin = client_as("admin")
    with count_queries() as small:
        admin.get("/admin/users")
    for i in range(40):
        make_user(f"extra{i:02d}", area=org.areas[i % 2], manager=org.users["manager1"])
    with count_queries() as large:
        admin.get("/admin/users")
    assert large.count == small.count <= 10


def test_inline_edit_of_an_area(client_as, org):
    admin = client_as("admin")
    area = org.areas[0]
    htmx = {"HX-Request": "true", "Accept-Language": "en"}
    editor = admin.get(f"/admin/areas/{area.id}/edit", headers=htmx)
    assert editor.status_code == 200 and editor.text.strip().startswith("<tr")
    bad = admin.post(f"/admin/areas/{area.id}/edit", headers=htmx,
                     data={"code": "A02", "name": "改名", "name_en": "", "head_id": "0"})
    assert bad.status_code == 422 and "This code is taken." in bad.text and 'value="改名"' in bad.text
    db.session.expire_all()
    assert db.session.get(Area, area.id).name == "城东营业区"
    good = admin.post(f"/admin/areas/{area.id}/edit", headers=htmx,
                      data={"code": "A01", "name": "城东一区", "name_en": "East 1",
                            "head_id": str(org.users["manager1"].id)})
    assert good.status_code == 200 and "城东一区" in good.text and "<tr" in good.text
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "area.update"))
    assert entry.before == {"name": "城东营业区", "name_en": "East District"}


def test_inline_edit_works_as_a_plain_form(client_as, org):
    admin = client_as("admin")
    line = db.session.scalar(select(ProductLine).where(ProductLine.code == "BB"))
    page = admin.get(f"/admin/product-lines/{line.id}/edit")
    assert "<html" in page.text
    response = admin.post(f"/admin/product-lines/{line.id}/edit",
                          data={"code": "BB", "name": "家庭宽带", "name_en": "Home broadband"})
    assert response.status_code == 303
    db.session.expire_all()
    line = db.session.get(ProductLine, line.id)
    assert line.name == "家庭宽带" and line.active is False  # the unticked box deactivates


def test_reference_data_add_and_duplicate(client_as, org):
    admin = client_as("admin")
    before = count(ProductLine)
    ok = admin.post("/admin/product-lines", data={"code": "SEC", "name": "网络安全",
                                                  "name_en": "Security", "active": "y"})
    assert ok.status_code == 303 and count(ProductLine) == before + 1
    dup = admin.post("/admin/product-lines", data={"code": "sec", "name": "重复"},
                     headers={"Accept-Language": "en"})
    assert dup.status_code == 422 and "This code is taken." in dup.text
    empty = admin.post("/admin/customer-types", data={"code": "X1", "name": ""})
    assert empty.status_code == 422
    assert count(ProductLine) == before + 1


def test_audit_log_filters(client_as, org):
    admin = client_as("admin")
    admin.post("/admin/product-lines", data={"code": "SEC", "name": "网络安全", "active": "y"})
    admin.post("/admin/users/new", data=user_form(org))
    everything = admin.get("/admin/audit")

    def rows(response) -> str:  # the log's rows, not the filter's list of every action
        return response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

    assert "product_line.create" in rows(everything) and "user.create" in rows(everything)
    only_users = admin.get("/admin/audit?entity_type=user")
    assert "user.create" in rows(only_users) and "product_line.create" not in rows(only_users)
    nobody = admin.get("/admin/audit?actor=hr")
    assert "user.create" not in rows(nobody)
    assert "网络安全" in everything.text  # Chinese shown as such, not as \\u escapes


@pytest.mark.parametrize("who", ["staff1", "manager1", "hr"])
def test_only_admins_reach_admin(client_as, org, who):
    client = client_as(who)
    assert client.get("/admin/users").status_code == 403
    response = client.post("/admin/users/new", data=user_form(org))
    assert response.status_code == 403
    assert db.session.scalar(select(User).where(User.username == "newbie")) is None


def test_an_administrator_cannot_lock_themselves_out(client_as, org):
    admin = client_as("admin")
    me = org.users["admin"]
    data = {"username": "admin", "display_name": "系统管理员", "roles": ["hr"], "active": "y"}
    response = admin.post(f"/admin/users/{me.id}/edit", data=data,
                          headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "your own administrator role" in response.text
    data = {"username": "admin", "display_name": "系统管理员", "roles": ["admin"]}
    response = admin.post(f"/admin/users/{me.id}/edit", data=data,
                          headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "deactivate your own account" in response.text
    assert admin.post(f"/admin/users/{me.id}/deactivate").status_code == 403
    db.session.expire_all()
    user = db.session.get(User, me.id)
    assert user.active and user.roles == {Role.ADMIN}


@pytest.mark.parametrize("field", ["username", "display_name", "email"])
def test_a_nul_character_is_refused_before_it_reaches_the_database(client_as, org, field):
    """PostgreSQL cannot store NUL; every backend answers 400 and stores nothing."""
    admin = client_as("admin")
    before = count(User)
    response = admin.post("/admin/users/new", data=user_form(org, **{field: "ab\x00c"}))
    assert response.status_code == 400
    assert count(User) == before
    assert admin.get("/admin/users?q=%00").status_code == 400


def test_a_nul_character_in_the_login_form_is_refused(client, org):
    response = client.post("/login", data={"username": "\x00", "password": "x"})
    assert response.status_code == 400
