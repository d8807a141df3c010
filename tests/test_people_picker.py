"""People pickers (issue 16, point 3): a person is typed and searched, never picked from a
select of everyone. The search offers only the people the viewer may choose there; the form
works without JavaScript (the typed name or username resolved on submit; unknown or ambiguous
→ the message beside the field, the text kept); another area's person can neither be found nor
submitted."""
import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models.customers import Customer
from tests.customer_factories import make_customer


def _options(client, scope: str, text: str, field: str = "account_manager_id",
             search: str = "/people/search") -> list[str]:
    """The values of the options a picker's search offers (the customer pickers' too)."""
    response = client.get(f"{search}?scope={scope}&field={field}&{field}={text}",
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    return [unescape(v) for v in
            re.findall(r'role="option" id="[^"]+" data-value="([^"]+)"',
                       response.get_data(as_text=True))]


def test_the_search_offers_only_the_people_the_viewer_may_choose(org, client_as):
    client = client_as("manager1")
    assert _options(client, "customers.owner", "李娜") == ["李娜 (staff1)"]
    assert "王强 (staff2)" in _options(client, "customers.owner", "staff")
    found = _options(client, "customers.owner", "a01-am")
    assert len(found) == 10 and all("(a01-am" in f for f in found)
    # another area's account managers: not by name, not by username, not among everyone
    assert _options(client, "customers.owner", "刘洋") == []
    assert _options(client, "customers.owner", "staff3") == []
    assert not any("a02-" in f or "staff3" in f for f in _options(client, "customers.owner", ""))
    # a manager of the other area gets the other list
    assert _options(client_as("manager2"), "customers.owner", "刘洋") == ["刘洋 (staff3)"]


def test_the_search_answers_an_unknown_scope_with_404(org, client_as):
    client = client_as("manager1")
    assert client.get("/people/search?scope=nothing&q=a").status_code == 404
    assert "staff1" not in client.get("/people/search?q=李娜").get_data(as_text=True)


def test_the_search_stays_small_whatever_is_typed(org, client_as):
    client = client_as("manager1")
    assert len(_options(client, "customers.owner", "")) <= 20
    assert _options(client, "customers.owner", "%") == []  # a wildcard is a character
    assert _options(client, "customers.owner", "x" * 500) == []


def test_the_picker_is_a_combobox_not_a_select(org, client_as):
    customer = make_customer(org.users["staff1"])
    db.session.commit()
    html = client_as("manager1").get(f"/customers/{customer.id}/reassign").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="account_manager_id"[^>]*>', html).group(0)
    assert 'role="combobox"' in field and 'aria-controls="account_manager_id-options"' in field
    assert "/people/search?scope=customers.owner" in unescape(field)
    assert 'role="listbox"' in html
    assert '<select id="account_manager_id"' not in html


@pytest.mark.parametrize("typed", ["王强", "staff2", "STAFF2", "王强 (staff2)",
                                   "王强（staff2）"])
def test_a_typed_name_or_username_is_resolved_without_javascript(org, client_as, typed):
    customer = make_customer(org.users["staff1"])
    db.session.commit()
    response = client_as("manager1").post(f"/customers/{customer.id}/reassign", data={
        "account_manager_id": typed, "effective": "2026-11-01", "note": ""})
    assert response.status_code == 303
    assert db.session.get(Customer, customer.id).account_manager_id == org.users["staff2"].id


@pytest.mark.parametrize("typed, message", [
    ("staff", "Several people match"),       # staff1 and staff2
    ("刘洋", "can be chosen here"),            # staff3, of the other area
    ("staff3", "can be chosen here"),
    ("nobody-at-all", "can be chosen here"),
])
def test_an_unknown_or_ambiguous_name_is_refused_beside_the_field(org, client_as, typed,
                                                                  message):
    customer = make_customer(org.users["staff1"])
    db.session.commit()
    response = client_as("manager1").post(
        f"/customers/{customer.id}/reassign",
        data={"account_manager_id": typed, "effective": "2026-11-01", "note": ""},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="account_manager_id-error">([^<]+)</p>', html)
    assert error and message in unescape(error.group(1))
    assert f'value="{typed}"' in unescape(html)  # the typed text kept
    assert db.session.get(Customer, customer.id).account_manager_id == org.users["staff1"].id


def test_another_areas_person_cannot_be_submitted_by_id(org, client_as):
    customer = make_customer(org.users["staff1"])
    db.session.commit()
    response = client_as("manager1").post("/customers/allocation", data={
        "customer_ids": [customer.id], "account_manager_id": org.users["staff3"].id,
        "effective": "2026-11-01"})
    assert response.status_code == 422
    assert db.session.get(Customer, customer.id).account_manager_id == org.users["staff1"].id


def test_a_new_customer_gets_the_typed_owner(org, client_as):
    response = client_as("manager1").post("/customers/new", data={
        "code": "PICK01", "name": "选人客户", "status": "active", "type_id": 0,
        "account_manager_id": "李娜"})
    assert response.status_code == 303
    created = db.session.scalars(db.select(Customer).where(Customer.code == "PICK01")).one()
    assert created.account_manager_id == org.users["staff1"].id


def test_meeting_attendees_are_ticked_or_typed_several_at_once(org, client_as):
    from portal.models.communication import Meeting

    client = client_as("manager1")
    html = client.get("/meetings/new").get_data(as_text=True)
    assert 'name="attendee_ids" value="%d" checked' % org.users["manager1"].id in html
    assert 'role="combobox"' in html and "scope=meetings.attendee" in unescape(html)
    data = {"kind": "team", "title": "周会", "starts_at": "2026-12-01T09:00",
            "duration_minutes": "60", "location": "", "departments": "", "agenda": "",
            "notes": "", "decisions": ""}
    # without JavaScript: the ticked box plus names typed with commas
    response = client.post("/meetings/new", data={
        **data, "attendee_ids": [str(org.users["manager1"].id), "李娜，staff2"]})
    assert response.status_code == 303
    meeting = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    assert {a.user_id for a in meeting.attendees} == {
        org.users[u].id for u in ("manager1", "staff1", "staff2")}
    # another area's person: refused beside the field, the text kept, nothing saved
    response = client.post("/meetings/new", data={
        **data, "title": "第二次", "attendee_ids": [str(org.users["manager1"].id), "刘洋"]},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="attendee_ids-error"' in html and 'value="刘洋"' in html
    assert db.session.scalar(db.select(db.func.count(Meeting.id)).where(
        Meeting.title == "第二次")) == 0


def test_a_list_filter_takes_a_typed_name_among_the_people_in_view(org, client_as):
    from tests.customer_factories import make_visit

    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    make_visit(make_customer(staff1, name="甲客户"), staff1, planned_on=org.today)
    make_visit(make_customer(staff2, name="乙客户"), staff2, planned_on=org.today)
    db.session.commit()
    client = client_as("manager1")
    html = client.get("/customers/visits?who=李娜").get_data(as_text=True)
    assert "甲客户" in html and "乙客户" not in html
    assert 'value="李娜 (staff1)"' in html  # shown resolved
    html = client.get(f"/customers/visits?who={staff2.id}").get_data(as_text=True)
    assert "乙客户" in html and "甲客户" not in html
    # another area's person: not resolved, said beside the box
    response = client.get("/customers/visits?who=刘洋", headers={"Accept-Language": "en"})
    assert 'id="who-error"' in response.get_data(as_text=True)
    assert '<select id="who"' not in html
    # a link's id outside the viewer's people filters to nothing, as it always did
    staff3 = org.users["staff3"]
    make_visit(make_customer(staff3, name="丙客户"), staff3, planned_on=org.today)
    db.session.commit()
    html = client.get(f"/customers/visits?who={staff3.id}").get_data(as_text=True)
    assert "丙客户" not in html and "甲客户" not in html
    assert client.get(f"/customers/visits/week?who={staff3.id}").status_code == 404
