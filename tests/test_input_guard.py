"""Numbers no INTEGER column can hold never reach the database as a 500 (portal/input_guard.py)."""
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.customers import CustomerAssignment

HUGE = "9" * 40


def test_an_id_beyond_an_integer_column_in_a_url_is_simply_not_found(client_as):
    client = client_as("admin")
    assert client.get(f"/admin/users/{HUGE}/edit").status_code == 404
    assert client.get(f"/admin/users/{2**31}/edit").status_code == 404


def test_a_huge_number_in_a_query_argument_is_a_bad_request_not_a_crash(client_as):
    client = client_as("manager1")
    # the customer type filter is an id (the owner filter is a typed name now, looked up as text)
    response = client.get(f"/customers/?type={HUGE}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "too large to be stored" in response.text
    response = client.get(f"/customers/?type={HUGE}", headers={"Accept-Language": "zh-CN"})
    assert "过大，无法保存" in response.text
    # and a huge number typed as a person is just nobody: no crash, an empty list
    response = client.get(f"/customers/?owner={HUGE}", headers={"Accept-Language": "en"})
    assert response.status_code in (200, 400) and "Traceback" not in response.text


def test_a_huge_id_in_a_form_is_refused_and_nothing_is_saved(client_as, org):
    before = db.session.scalar(select(func.count()).select_from(CustomerAssignment))
    response = client_as("manager1").post("/customers/allocation", data={
        "customer_ids": HUGE, "account_manager_id": str(org.users["staff2"].id), "note": "x"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CustomerAssignment)) == before
