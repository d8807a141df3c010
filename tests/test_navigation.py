"""The main menu: each role's links, the current module marked, both languages.

The menu is drawn once per (language, roles, module) and kept (portal.navigation.main_nav), so
these tests also check that what one reader was drawn never reaches another.
"""
import re

from portal.extensions import db
from portal.models import Role, User
from portal.navigation import NAV

MENU = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


def menu(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200, path
    return [(href, bool(current), label) for href, current, label
            in LINK.findall(MENU.search(response.text).group(1))]


def expected(app, roles):
    with app.test_request_context():
        from flask import url_for
        return [url_for(item.endpoint) for item in NAV
                if item.endpoint in app.view_functions and (not item.roles or roles & set(item.roles))]


def test_each_role_sees_its_modules_and_no_other(app, client_as_en):
    seen = {}
    for username, roles in [("admin", {Role.ADMIN}), ("hr", {Role.HR}),
                            ("manager1", {Role.MANAGER}), ("staff1", {Role.STAFF})]:
        links = menu(client_as_en(username))
        hrefs = [href for href, _current, _label in links]
        assert hrefs == expected(app, roles), username
        seen[username] = hrefs
    assert "/admin/" in seen["admin"]
    assert all("/admin/" not in seen[u] for u in ("hr", "manager1", "staff1"))
    assert "/care/" in seen["staff1"] and "/care/" not in seen["admin"]


def test_the_current_module_alone_is_marked(client_as_en):
    client = client_as_en("manager1")
    links = menu(client, "/customers/visits")
    assert [label for _href, current, label in links if current] == ["Customers"]
    assert [label for _href, current, label in menu(client, "/meetings/") if current] == ["Meetings"]
    assert not any(current for _href, current, _label in menu(client, "/account"))


def test_the_menu_follows_the_readers_language(client_as):
    client = client_as("staff1")
    client.post("/language", data={"locale": "en", "next": "/"})
    assert "Customers" in [label for *_rest, label in menu(client)]
    client.post("/language", data={"locale": "zh_Hans_CN", "next": "/"})
    labels = [label for *_rest, label in menu(client)]
    assert "客户" in labels and "Customers" not in labels


def test_a_change_of_roles_changes_the_menu_at_once(app, client_as_en, org):
    client = client_as_en("staff1")
    assert "/admin/" not in [href for href, *_rest in menu(client)]
    user = db.session.get(User, org.users["staff1"].id)
    user.roles = {Role.STAFF, Role.ADMIN}
    db.session.commit()
    assert "/admin/" in [href for href, *_rest in menu(client)]
    # …and another staff member, whose roles did not change, still has no such link.
    assert "/admin/" not in [href for href, *_rest in menu(client_as_en("staff2"))]
