"""The check step the three spreadsheet imports share (portal/spreadsheets/flow.py), asked through
each import's page: no file, wrong rows refused unless only the good ones are asked for, a kept
file sent again after its import, another person's kept file, and a sheet chosen again after a
failed check staying chosen."""
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.customers import Customer
from portal.models.sales import ImportJob, ImportJobState, SalesRecord, SalesTarget
from tests.customer_factories import make_customer

#: import → (URL, who imports, someone else who may import, a file of one good and one wrong
#: row, the model it writes, where a kept file sent again after its import goes)
IMPORTS = {
    "sales": ("/targets/sales/import", "staff1", "staff2",
              [["date", "customer code", "product line code", "amount"],
               ["2026-11-03", "K101", "BB", "100"], ["2026-11-04", "NOPE", "BB", "10"]],
              SalesRecord, "/targets/sales/import/{job}"),
    "customers": ("/customers/import", "staff1", "staff2",
                  [["customer code", "name"], ["Z901", "甲公司"], ["Z902", ""]],
                  Customer, "/customers/import/{job}"),
    "targets": ("/targets/grid/import", "manager1", "manager2",
                [["username", "2027-01"], ["staff1", "1000"], ["nobody", "5"]],
                SalesTarget, "/targets/grid"),
}


@pytest.fixture
def customer(org):
    made = make_customer(org.users["staff1"], "甲公司", code="K101")
    db.session.commit()
    return made


def _csv(rows) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode()


def _two_sheets(rows) -> bytes:
    """The rows on sheet “A”, a sheet “B” of notes without a header."""
    book = Workbook()
    book.active.title = "A"
    for row in rows:
        book.active.append(row)
    book.create_sheet("B").append(["notes only"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check(client, url, content: bytes, name: str):
    return client.post(url, data={"file": (io.BytesIO(content), name), "action": "check"},
                       content_type="multipart/form-data", headers={"Accept-Language": "en"})


def _send(client, url, job: int, **data):
    return client.post(url, data={"job": job, **data}, headers={"Accept-Language": "en"})


def _job_id(page: str) -> int:
    return int(re.search(r'name="job" value="(\d+)"', page).group(1))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_no_file_is_refused_and_nothing_is_kept(client_as, org, kind):
    url, who, *_ = IMPORTS[kind]
    response = client_as(who).post(url, data={"action": "check"},
                                   content_type="multipart/form-data",
                                   headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Choose a file." in response.get_data(as_text=True)
    assert _count(ImportJob) == 0


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_wrong_rows_refuse_all_and_the_good_ones_go_in_when_asked(client_as, org, customer,
                                                                    kind):
    url, who, _, rows, model, _ = IMPORTS[kind]
    client = client_as(who)
    before = _count(model)
    page = _check(client, url, _csv(rows), "file.csv").get_data(as_text=True)
    job = _job_id(page)
    refused = _send(client, url, job, action="import_all")
    assert refused.status_code == 422
    assert ("Nothing was imported: correct the rows marked below, or import the good rows only."
            in refused.get_data(as_text=True))
    assert _count(model) == before
    assert db.session.get(ImportJob, job).state == ImportJobState.CHECKED
    assert _send(client, url, job, action="import_good").status_code == 303
    assert _count(model) == before + 1
    kept = db.session.get(ImportJob, job)
    db.session.refresh(kept)
    assert kept.state == ImportJobState.DONE and kept.content == b"" and kept.result


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_a_kept_file_sent_again_after_its_import_is_not_imported_twice(client_as, org, customer,
                                                                         kind):
    url, who, _, rows, model, after = IMPORTS[kind]
    client = client_as(who)
    job = _job_id(_check(client, url, _csv(rows), "file.csv").get_data(as_text=True))
    assert _send(client, url, job, action="import_good").status_code == 303
    count = _count(model)
    again = _send(client, url, job, action="import_good")
    assert again.status_code == 303
    assert again.headers["Location"].split("?")[0] == after.format(job=job)
    assert _count(model) == count
    if kind == "targets":  # no progress page: the grid says so
        assert "This file was imported already." in client.get(
            again.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_another_persons_kept_file_is_not_found(client_as, org, customer, kind):
    url, who, other, rows, model, _ = IMPORTS[kind]
    job = _job_id(_check(client_as(who), url, _csv(rows), "file.csv").get_data(as_text=True))
    before = _count(model)
    for action in ("check", "import_good"):
        assert _send(client_as(other), url, job, action=action).status_code == 404
    assert _count(model) == before


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_a_sheet_without_a_header_stays_chosen_and_the_other_can_be_chosen_again(
        client_as, org, customer, kind):
    url, who, _, rows, *_ = IMPORTS[kind]
    client = client_as(who)
    page = _check(client, url, _two_sheets(rows), "two.xlsx").get_data(as_text=True)
    assert "Read from the sheet “A”" in page
    job = _job_id(page)
    failed = _send(client, url, job, action="check", sheet="B")
    text = failed.get_data(as_text=True)
    assert failed.status_code == 422
    assert "No header row of the sheet “B” names the columns" in text
    assert '<option value="B" selected>' in text and '<option value="A" >' in text
    assert db.session.get(ImportJob, job).options["sheet"] == "B"
    again = _send(client, url, job, action="check", sheet="A")
    assert again.status_code == 200
    assert "Read from the sheet “A”" in again.get_data(as_text=True)
