"""Customer pickers: the forms that choose a customer (complaint intake, a deal, an intel post, a
sale, a campaign's hand-picked customers, an event's invitation) type and search it among the
customers the viewer may choose there, instead of writing an area's thousands into a select.
The search offers only those customers; the form works without JavaScript (the typed name or
code resolved on submit; unknown or ambiguous → the message beside the field, the text kept,
nothing saved); another area's customer can neither be found nor submitted, by id or by name."""
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.care import CareEvent, CareInvitation, CareTask
from portal.models.feedback import Complaint
from portal.models.intel import IntelPost
from portal.models.pipeline import Opportunity
from portal.models.sales import SalesRecord
from tests.customer_factories import make_customer
from tests.pipeline_factories import stage
from tests.test_people_picker import _options as picker_options


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _options(client, scope: str, text: str) -> list[str]:
    return picker_options(client, scope, text, "customer_id", search="/customers/search")


def _event(client) -> CareEvent:
    assert client.post("/care/events/new", data={
        "kind": "thanks", "title": "客户沙龙", "held_on": "2026-12-20", "place": "会展中心",
        "capacity": "10"}).status_code == 303
    return db.session.scalars(select(CareEvent).order_by(CareEvent.id.desc())).first()


# Each form: (name, model saved, url(client), data(customer typed), customer of the saved row)
FORMS = {
    "complaint": (Complaint, lambda c: "/complaints/new", lambda org, v: {
        "customer_id": v, "channel": "wechat", "category": "billing", "severity": "high",
        "subject": "账单多收费", "description": "本月账单多收了两百元", "owner_id": ""},
        lambda row: row.customer_id),
    "deal": (Opportunity, lambda c: "/pipeline/new", lambda org, v: {
        "customer_id": v, "title": "新商机", "stage_id": stage("open").id,
        "expected_close": "2026-12-31", "lines-0-product_line_id": org.product_lines[0].id,
        "lines-0-amount": "1000"}, lambda row: row.customer_id),
    "intel": (IntelPost, lambda c: "/intel/new", lambda org, v: {
        "kind": "competitor", "title": "友商降价", "body": "友商宽带半价", "tags": "",
        "customer_id": v, "product_line_id": 0, "sharing": "area"}, lambda row: row.customer_id),
    "sale": (SalesRecord, lambda c: "/targets/sales/new", lambda org, v: {
        "customer_id": v, "sold_on": "2026-11-01", "product_line_id": org.product_lines[0].id,
        "amount": "12.50"}, lambda row: row.customer_id),
    "campaign": (CareTask, lambda c: "/care/campaigns/new", lambda org, v: {
        "token": "t-1", "title": "中秋问候", "message": "", "due_on": "2026-12-20",
        "customer_ids": v}, lambda row: row.customer_id),
    "invite": (CareInvitation, lambda c: f"/care/events/{_event(c).id}/invite",
               lambda org, v: {"customer_id": v, "contact_name": "王总"},
               lambda row: row.customer_id),
}


@pytest.mark.parametrize("form", FORMS)
def test_another_areas_customer_is_refused_by_id_and_by_name(org, client_as, form):
    model, url, data, _ = FORMS[form]
    theirs = make_customer(org.users["staff1"], name="一区独有客户", code="PICK-A01")
    db.session.commit()
    client = client_as("manager2")  # area A02
    target = url(client)
    before = count(model)
    for typed in (str(theirs.id), theirs.name, theirs.code, f"{theirs.name} ({theirs.code})"):
        response = client.post(target, data=data(org, typed))
        assert response.status_code == 422, typed
        assert re.search(r'id="customer_ids?-error"', response.text), typed
        assert count(model) == before, typed
    assert _options(client, "complaints.intake", "一区独有") == []


@pytest.mark.parametrize("form", FORMS)
def test_the_typed_name_is_resolved_without_javascript(org, client_as, form):
    model, url, data, customer_of = FORMS[form]
    mine = make_customer(org.users["staff1"], name="键入客户", code="PICK-T01")
    db.session.commit()
    client = client_as("manager1")
    target = url(client)
    before = count(model)
    response = client.post(target, data=data(org, "键入客户"))
    assert response.status_code == 303, response.text[:2000]
    assert count(model) == before + 1
    row = db.session.scalars(select(model).order_by(model.id.desc())).first()
    assert customer_of(row) == mine.id


def test_an_unknown_or_ambiguous_name_is_said_beside_the_field_text_kept(org, client_as_en):
    make_customer(org.users["staff1"], name="同名客户 北", code="PICK-S1")
    make_customer(org.users["staff2"], name="同名客户 南", code="PICK-S2")
    db.session.commit()
    client = client_as_en("manager1")
    data = FORMS["complaint"][2]
    ambiguous = client.post("/complaints/new", data=data(org, "同名客户"))
    assert ambiguous.status_code == 422
    assert 'id="customer_id-error"' in ambiguous.text
    assert "Several customers match" in unescape(ambiguous.text)
    assert 'value="同名客户"' in ambiguous.text  # the typed text kept
    unknown = client.post("/complaints/new", data=data(org, "没有这个客户"))
    assert unknown.status_code == 422
    assert "No customer called “没有这个客户” can be chosen here." in unescape(unknown.text)
    assert unknown.text.count('id="customer_id-error"') == 1  # one message, not two
    assert count(Complaint) == 0
    # the code tells them apart
    assert client.post("/complaints/new", data=data(org, "PICK-S2")).status_code == 303
    assert db.session.scalar(select(Complaint)).customer.code == "PICK-S2"


def test_the_search_offers_the_scope_by_name_or_code_and_stays_small(org, client_as):
    for i in range(25):
        make_customer(org.users["staff1" if i % 2 else "staff2"], name=f"搜索客户{i:02d}",
                      code=f"SRCH-{i:02d}")
    make_customer(org.users["staff3"], name="搜索客户二区", code="SRCH-B")
    db.session.commit()
    client = client_as("manager1")
    assert _options(client, "complaints.intake", "搜索客户07") == ["搜索客户07 (SRCH-07)"]
    assert _options(client, "pipeline.deal", "srch-13") == ["搜索客户13 (SRCH-13)"]
    found = _options(client, "targets.sale", "搜索客户")
    assert len(found) == 20 and "搜索客户二区 (SRCH-B)" not in found
    assert _options(client, "intel.post", "SRCH-B") == []
    assert _options(client, "care.invite", "%") == []  # a wildcard is a character
    # the "Name (code)" the picker fills in finds that one
    assert _options(client, "care.campaign", "搜索客户03 (SRCH-03)") == ["搜索客户03 (SRCH-03)"]
    # the other area's manager finds theirs only
    assert _options(client_as("manager2"), "complaints.intake", "搜索客户") == [
        "搜索客户二区 (SRCH-B)"]
    assert client.get("/customers/search?scope=nothing&q=a").status_code == 404
    assert "SRCH" not in client.get("/customers/search?q=搜索").text


@pytest.mark.parametrize("page", ["/complaints/new", "/pipeline/new", "/intel/new",
                                  "/targets/sales/new", "/care/campaigns/new", "event"])
def test_the_form_pages_do_not_grow_with_the_customers(org, client_as, count_queries, page):
    client = client_as("manager1")
    url = f"/care/events/{_event(client).id}" if page == "event" else page

    def measure(n):
        for i in range(n):
            make_customer(org.users["staff1" if i % 2 else "staff2"], name=f"页面客户{i:03d}")
        db.session.commit()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert "页面客户" not in response.text  # not one <option> per customer
        return counter.count, response.text.count("<option")

    assert measure(3) == measure(60)
    html = client.get(url).text
    name = "customer_ids" if page == "/care/campaigns/new" else "customer_id"
    field = re.search(rf'<input[^>]*name="{name}"[^>]*role="combobox"[^>]*>', html).group(0)
    assert "/customers/search?scope=" in unescape(field)
    assert f'<select id="{name}"' not in html


def test_a_customer_given_in_the_address_is_chosen_already(org, client_as):
    mine = make_customer(org.users["staff1"], name="预选客户", code="PICK-P01")
    theirs = make_customer(org.users["staff3"], name="二区预选", code="PICK-P02")
    db.session.commit()
    client = client_as("manager1")
    for url in ("/complaints/new?customer={}", "/intel/new?customer={}",
                "/pipeline/new?customer_id={}"):
        assert 'value="预选客户 (PICK-P01)"' in client.get(url.format(mine.id)).text, url
    assert "二区预选" not in client.get(f"/complaints/new?customer={theirs.id}").text
    assert "二区预选" not in client.get(f"/intel/new?customer={theirs.id}").text
