"""Issue 15's findings, each as a test that failed before the fix, and the checks that keep each
class of finding from coming back (audit log as every role, reserved arguments on every list)."""
import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import AuditLog
from tests.conftest import login
from tests.routes import SIGNED_IN_PEOPLE


def _values(data) -> set[str]:
    """The leaf values of an audit before/after worth looking for in a page (not tiny ones)."""
    found = set()
    if isinstance(data, dict):
        for value in data.values():
            found |= _values(value)
    elif isinstance(data, list):
        for value in data:
            found |= _values(value)
    elif data is not None and not isinstance(data, bool):
        text = str(data)
        if len(text) >= 4:
            found.add(text)
    return found


def audit_pages(client) -> str:
    """Every page of the audit log as one text, or '' when the log is refused."""
    texts, page = [], 1
    while True:
        response = client.get(f"/admin/audit?page={page}&per_page=200")
        if response.status_code != 200:
            assert response.status_code == 403
            return ""
        texts.append(html.unescape(response.text))
        if f"page={page + 1}" not in response.text:
            return "\n".join(texts)
        page += 1


def private_values_shown(app) -> list[str]:
    """Values of entries outside audit.OPEN_VALUES that any signed-in role sees in the log."""
    entries = db.session.scalars(select(AuditLog)).all()
    private = {(e.entity_type, e.id): _values(e.before) | _values(e.after)
               for e in entries if e.entity_type not in audit.OPEN_VALUES}
    shown = []
    for who in SIGNED_IN_PEOPLE:
        text = audit_pages(login(app.test_client(), who))
        for (kind, entry_id), values in private.items():
            shown += [f"{who}: {kind} entry {entry_id} shows {v!r}" for v in values if
                      re.search(rf"[\"\s>]{re.escape(v)}[\"\s<,]", text)]
    return shown


def test_the_audit_log_hides_private_values_from_every_role(app, org):
    """Finding 1: an appraisal's draft comment and scores through /admin/audit."""
    staff1 = org.users["staff1"]
    audit.record("appraisal.update", "appraisal", 7,
                 {"manager_comment": "", "manager_score": None},
                 {"manager_comment": "Draft: weak on follow-up calls", "manager_score": "2.75"})
    audit.record("base_pay.update", "base_pay", staff1.id, {"amount": "8100.00"},
                 {"amount": "9350.00"})
    audit.record("user.update", "user", staff1.id, {"phone": "13800000000"},
                 {"phone": "13911112222"})
    db.session.commit()
    assert private_values_shown(app) == []
    admin = login(app.test_client(), "admin")
    page = html.unescape(admin.get("/admin/audit?entity_type=appraisal").text)
    assert "manager_comment" in page and audit.HIDDEN in page  # who changed which field stays
    # Accounts are the administrator's own records: their values are shown.
    assert "13911112222" in admin.get("/admin/audit?entity_type=user").text


@pytest.mark.slow
def test_the_demo_companys_audit_log_walked_as_every_role(app):
    """The class: every entry the demo company writes (appraisals at every step, pay, …),
    the whole log paged through as each role; nothing private shows."""
    from portal.demo import seed_demo_company

    seed_demo_company(date(2026, 11, 26))
    db.session.commit()
    assert db.session.scalar(select(db.func.count(AuditLog.id))) > 50
    assert private_values_shown(app) == []


#: Flask's own url_for options and the list formats: none may reach a view as a 500.
RESERVED_QUERIES = ("_anchor=x&_method=POST&_external=1&_scheme=javascript",
                    "format=csv", "format=xlsx", "format=pdf&_anchor=%0d%0a",
                    "page=2&sort=-name&_method=GET&format=json")


@pytest.mark.slow
@pytest.mark.parametrize("username", ["manager1", "admin"])
def test_reserved_arguments_and_formats_on_every_page(app, org, username):
    """Finding 8's class: every GET route (lists included), with Flask's reserved `_…`
    arguments and `format=` added, answers without a server error."""
    from tests.routes import _url, collect_sample_args

    args = collect_sample_args(org)
    client = login(app.test_client(), username)
    errors, tried = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        if rule.endpoint in ("auth.logout",) or not rule.arguments <= set(args):
            continue
        base = _url(app, rule, args)
        for query in RESERVED_QUERIES:
            url = f"{base}{'&' if '?' in base else '?'}{query}"
            status = client.get(url).status_code
            tried += 1
            if status >= 500:
                errors.append(f"{url} {status}")
    assert tried > 500
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("url", ["/customers/?format=csv", "/targets/sales?format=xlsx",
                                 "/targets/sales?format=csv&_method=POST",
                                 "/customers/?_anchor=x", "/customers/?_method=POST&page=2",
                                 "/admin/users?_external=1&sort=name"])
def test_reserved_arguments_on_lists_are_no_server_error(client_as, url):
    """Finding 8: these answered 500."""
    who = "admin" if url.startswith("/admin") else "manager1"
    response = client_as(who).get(url)
    assert response.status_code == 200
    # Pagination, sort and export links carry none of them (the language form's `next` may).
    links = re.findall(r'href="([^"]*)"', response.text)
    assert not [link for link in links if "_method" in link or "_anchor" in link]
