"""The customer import through HTTP (issue 17-a) with the corpus files (tests/files/, made by
tests/make_files.py): the check step writes nothing, owners resolved within the importer's
scope, existing customers updated only when asked, the export coming back unchanged, audit."""
import html
import io
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog
from portal.models.customers import Customer, Tier
from tests import make_files
from tests.customer_factories import make_customer

FILES = make_files.FILES
URL = "/customers/import"


def _post(client, content: bytes, name: str, update=False, lang="en"):
    data = {"file": (io.BytesIO(content), name), "action": "check"}
    if update:
        data["update"] = "1"
    return client.post(URL, data=data, content_type="multipart/form-data",
                       headers={"Accept-Language": lang})


def _confirm(client, page: str, action="import_all", **extra):
    job = re.search(r'name="job" value="(\d+)"', page).group(1)
    data = {"job": job, "action": action, **extra}
    if 'name="update" value="1" checked' in page:
        data["update"] = "1"
    return client.post(URL, data=data, headers={"Accept-Language": "en"})


def _customers() -> dict[str, Customer]:
    return {c.code: c for c in db.session.scalars(select(Customer).where(
        Customer.code.like("C2%") | Customer.code.like("C3%")))}


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == action))


def test_a_managers_gbk_file_with_a_title_row_checks_then_imports(client_as, org):
    client = client_as("manager1")
    content = (FILES / "customers-gbk-title-row.csv").read_bytes()
    page = _post(client, content, "客户.csv").get_data(as_text=True)
    assert "3 new customers, 0 to update, 0 unchanged, 0 already recorded" in page, page
    assert "0 with errors" in page
    assert _customers() == {}  # the check writes nothing
    assert _confirm(client, page).status_code == 303
    made = _customers()
    staff1 = org.users["staff1"]
    assert {c.account_manager_id for c in made.values()} == {staff1.id}
    assert {c.area_id for c in made.values()} == {staff1.area_id}
    assert (made["C201"].tier, made["C202"].tier, made["C203"].tier) == (Tier.A, Tier.B, None)
    assert made["C201"].type.code == "KEY" and made["C203"].type.code == "SME"
    assert made["C202"].type is None and made["C201"].industry == "制造"
    assert _audits("customer.create") == 3 and _audits("customer.tier") == 2
    assert _audits("customer.import") == 1
    # Again: already there, nothing written; ticked "update": unchanged, nothing written.
    again = _post(client, content, "客户.csv").get_data(as_text=True)
    assert "0 new customers, 0 to update, 0 unchanged, 3 already recorded" in again
    ticked = _post(client, content, "客户.csv", update=True).get_data(as_text=True)
    assert "0 new customers, 0 to update, 3 unchanged, 0 already recorded" in ticked
    _confirm(client, ticked)
    assert _audits("customer.update") == 0 and _audits("customer.create") == 3


def test_existing_customers_change_only_when_update_is_ticked(client_as, org):
    staff1 = org.users["staff1"]
    make_customer(staff1, "旧名称", code="C401")
    db.session.commit()
    client = client_as("staff1")
    content = "code,name,industry\nC401,新名称,物流\n".encode()
    page = _post(client, content, "c.csv").get_data(as_text=True)
    assert "0 new customers, 0 to update, 0 unchanged, 1 already recorded" in page
    _confirm(client, page)
    assert db.session.scalar(select(Customer.name).where(Customer.code == "C401")) == "旧名称"
    page = _post(client, content, "c.csv", update=True).get_data(as_text=True)
    assert "0 new customers, 1 to update" in page
    assert _confirm(client, page).status_code == 303
    db.session.expire_all()
    customer = db.session.scalars(select(Customer).where(Customer.code == "C401")).one()
    assert (customer.name, customer.industry) == ("新名称", "物流")
    assert _audits("customer.update") == 1


def test_ticking_update_on_the_check_page_checks_again_before_anything_is_written(client_as, org):
    make_customer(org.users["staff1"], "旧名称", code="C402")
    db.session.commit()
    client = client_as("staff1")
    page = _post(client, "code,name\nC402,新名称\n".encode(), "c.csv").get_data(as_text=True)
    assert "1 already recorded" in page
    rechecked = _confirm(client, page, update="1").get_data(as_text=True)
    assert "1 to update" in rechecked
    assert db.session.scalar(select(Customer.name).where(Customer.code == "C402")) == "旧名称"


def test_bad_rows_name_the_files_header_and_line_and_nothing_is_written(client_as, org):
    client = client_as("manager1")
    response = _post(client, (FILES / "customers-bad-rows.csv").read_bytes(), "bad.csv")
    page = response.get_data(as_text=True)
    assert "1 new customers, 0 to update, 0 unchanged, 0 already recorded" in page
    assert "6 with errors" in page
    expected = {2: "code: C301 appears more than once", 3: "owner: no-such-person is not an "
                "account manager of an area you head", 4: "code: C301 appears more than once",
                6: "tier: Z is not a tier", 7: "code: C 305: use at most 30 letters",
                8: "name: the name is missing"}
    for line, message in expected.items():
        assert re.search(rf"<td>{line}</td>.*?{re.escape(message)}", page, re.S), line
    assert "<td>5</td>" not in page  # the blank line is skipped, its number kept
    refused = _confirm(client, page).get_data(as_text=True)
    assert "Nothing was imported" in refused and _customers() == {}
    assert _confirm(client, page, "import_good").status_code == 303
    assert list(_customers()) == ["C307"]
    assert _customers()["C307"].account_manager_id == org.users["staff2"].id


@pytest.mark.parametrize("who, row, message", [
    ("staff1", "C501,甲,,staff2", "staff2 is not you"),
    ("staff1", "C501,甲,A,", "only a manager decides a customer's tier"),
    ("manager1", "C501,甲,,staff3", "staff3 is not an account manager of an area you head"),
    ("manager1", "C501,甲,,", "name the account manager of the new customer"),
])
def test_owners_and_tiers_only_within_what_the_importer_may_create(client_as, org, who, row,
                                                                    message):
    page = html.unescape(_post(client_as(who), f"code,name,tier,owner\n{row}\n".encode(),
                               "c.csv").get_data(as_text=True))
    assert "1 with errors" in page and message in page


def test_a_name_two_account_managers_share_is_ambiguous(client_as, org):
    org.users["staff2"].display_name = org.users["staff1"].display_name
    db.session.commit()
    name = org.users["staff1"].display_name
    page = _post(client_as("manager1"), f"code,name,owner\nC601,甲,{name}\n".encode(),
                 "c.csv").get_data(as_text=True)
    assert f"owner: {name} is the name of 2 account managers" in page


def test_a_code_of_someone_elses_customer_is_refused(client_as, org):
    make_customer(org.users["staff3"], "别人的", code="C701")
    db.session.commit()
    page = _post(client_as("staff1"), "code,name\nC701,我的\n".encode(), "c.csv",
                 update=True).get_data(as_text=True)
    assert "C701 is the code of a customer that is not yours" in page


def test_a_manager_moves_a_customer_by_the_owner_column(client_as, org):
    customer = make_customer(org.users["staff1"], "甲", code="C801")
    db.session.commit()
    client = client_as("manager1")
    page = _post(client, "code,name,owner\nC801,甲,staff2\n".encode(), "c.csv",
                 update=True).get_data(as_text=True)
    assert "1 to update" in page
    _confirm(client, page)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).account_manager_id == org.users["staff2"].id
    assert _audits("customer.reassign") == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_customer_export_comes_back_unchanged(client_as, org, fmt, lang):
    for n in range(5):
        make_customer(org.users["staff1" if n % 2 else "staff2"], f"客户{n}", code=f"C9{n:02d}",
                      tier=(Tier.A, None, Tier.C)[n % 3], potential=1 + n % 3)
    db.session.commit()
    client = client_as("manager1")
    exported = client.get(f"/customers/export?format={fmt}", headers={"Accept-Language": lang})
    count = db.session.scalar(select(func.count(Customer.id)))
    page = _post(client, exported.get_data(), f"e.{fmt}", update=True,
                 lang=lang).get_data(as_text=True)
    assert response_counts(page) == (0, 0, count, 0, 0), page[-4000:]


def response_counts(page: str) -> tuple:
    found = re.search(r"(\d+) new customers, (\d+) to update, (\d+) unchanged, (\d+) already "
                      r"recorded \(left as they are\), (\d+) with errors", page)
    if found:
        return tuple(int(n) for n in found.groups())
    found = re.search(r"(\d+)[^\d<]+(\d+)[^\d<]+(\d+)[^\d<]+(\d+)[^\d<]+(\d+)[^\d<]+尚未写入", page)
    return tuple(int(n) for n in found.groups()) if found else None


def test_the_chinese_interface_names_the_missing_columns_in_chinese(client_as, org):
    response = _post(client_as("staff1"), "名称\n甲\n".encode(), "x.csv", lang="zh")
    assert response.status_code == 422
    error = re.search(r'<p class="error">(.*?)</p>', response.get_data(as_text=True)).group(1)
    assert "客户编号" in error and "customer code" not in error


def test_hr_and_admin_may_not_import_customers(client_as, org):
    for who in ("hr", "admin"):
        assert client_as(who).get(URL).status_code == 403


@pytest.mark.slow
def test_a_file_above_the_row_limit_is_imported_in_the_background(client_as, org):
    from portal.customers.imports import MAX_ROWS

    rows = "\n".join(f"B{n:05d},客户{n}" for n in range(MAX_ROWS + 10))
    client = client_as("staff1")
    page = _post(client, f"code,name\n{rows}\n".encode(), "big.csv").get_data(as_text=True)
    assert f"{MAX_ROWS + 10} new customers" in page
    response = _confirm(client, page)
    assert response.status_code == 303 and "/customers/import/" in response.location
    progress = client.get(response.location, headers={"Accept-Language": "en"})
    assert f"{MAX_ROWS + 10} customers added" in progress.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Customer.id)).where(
        Customer.code.like("B%"))) == MAX_ROWS + 10
    assert client_as("staff2").get(response.location).status_code == 404
