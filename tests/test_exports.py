"""Big exports on the queue: over EXPORT_QUEUE_ROWS rows an export is a job with progress, a
download link and a notification, scoped to the person who asked; smaller ones stream at once."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal import queue
from portal.extensions import db
from portal.models.exports import ExportJob, ExportJobState
from portal.models.notifications import Notification
from tests.customer_factories import make_customer, make_sale


@pytest.fixture
def sales(org):
    """Seven sales of staff1's customers (area A01) and two of staff3's (another area)."""
    mine = make_customer(org.users["staff1"], name="甲客户")
    theirs = make_customer(org.users["staff3"], name="乙客户")
    for day in range(1, 8):
        make_sale(mine, org.product_lines[0], date(2026, 11, day), f"{day}00.00",
                  reference=f"S-{day}")
    for day in range(1, 3):
        make_sale(theirs, org.product_lines[0], date(2026, 11, day), "1.00", reference=f"T-{day}")
    db.session.commit()
    return mine, theirs


@pytest.fixture
def small_limit(app, monkeypatch):
    """Exports of more than three rows go to the queue (run in the caller: QUEUE_IMMEDIATE)."""
    assert queue.huey.immediate
    monkeypatch.setitem(app.config, "EXPORT_QUEUE_ROWS", 3)


def queued(client, url: str) -> ExportJob:
    """Ask for an export, follow to its job page; the job as stored."""
    response = client.get(url)
    assert response.status_code == 303 and "/exports/" in response.location
    assert client.get(response.location).status_code == 200
    db.session.rollback()
    return db.session.get(ExportJob, int(response.location.rsplit("/", 1)[1]))


def test_a_small_export_streams_in_the_request(client_as, sales):
    response = client_as("staff1").get("/targets/sales/export?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert db.session.scalar(select(ExportJob.id)) is None


def test_a_big_csv_export_is_a_job_whose_file_has_every_row_in_scope(client_as, org, sales,
                                                                     small_limit):
    client = client_as("staff1")
    job = queued(client, "/targets/sales/export?format=csv")
    assert job.state == ExportJobState.DONE and job.done == job.total == 7
    assert job.attempts == 1 and job.lease_until is None
    page = client.get(f"/exports/{job.id}", headers={"HX-Request": "true"}).text
    assert f"/exports/{job.id}/download" in page and "hx-trigger" not in page
    download = client.get(f"/exports/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert ".csv" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert sorted(r[4] for r in rows[1:]) == [f"S-{d}" for d in range(1, 8)]  # all, none of T-
    assert "甲客户" in download.data.decode("utf-8-sig")
    note = db.session.scalars(select(Notification).where(
        Notification.user_id == org.users["staff1"].id,
        Notification.kind == "job_finished")).one()
    assert note.link == f"/exports/{job.id}" and note.params["what"] == job.filename


def test_a_big_xlsx_export_keeps_the_filters_and_the_language(client_as, sales, small_limit):
    client = client_as("manager1")
    job = queued(client, "/targets/sales/export?format=xlsx&from=2026-11-02&to=2026-11-06")
    assert job.state == ExportJobState.DONE and job.format == "xlsx"
    assert job.args == {"format": ["xlsx"], "from": ["2026-11-02"], "to": ["2026-11-06"]}
    download = client.get(f"/exports/{job.id}/download")
    assert download.headers["Content-Disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
    values = list(sheet.values)
    assert sorted(r[4] for r in values[1:]) == ["S-2", "S-3", "S-4", "S-5", "S-6"]
    assert "销售" in job.filename  # the requester's language (Chinese by default)


def test_customers_export_goes_through_the_queue_too(client_as, org, small_limit):
    for n in range(5):
        make_customer(org.users["staff1"], name=f"队列客户{n}")
    db.session.commit()
    client = client_as("staff1")
    job = queued(client, "/customers/export?format=csv")
    assert job.state == ExportJobState.DONE and job.kind == "customers"
    text = client.get(f"/exports/{job.id}/download").data.decode("utf-8-sig")
    assert all(f"队列客户{n}" in text for n in range(5))


def test_an_export_is_its_requesters_alone(client_as, sales, small_limit):
    job = queued(client_as("staff1"), "/targets/sales/export?format=csv")
    for who in ("staff2", "manager1", "hr", "admin"):
        client = client_as(who)
        assert client.get(f"/exports/{job.id}").status_code == 404
        assert client.get(f"/exports/{job.id}/download").status_code == 404


def test_a_waiting_export_polls_and_is_not_started_twice(app, client_as, org, sales, small_limit,
                                                         monkeypatch):
    from portal.exports import services

    started = []
    monkeypatch.setattr(services, "export_job", started.append)  # leave it waiting
    client = client_as("staff1")
    first = client.get("/targets/sales/export?format=csv")
    again = client.get("/targets/sales/export?format=csv")
    assert first.location == again.location and len(started) == 1
    poll = client.get(first.location, headers={"HX-Request": "true"}).text
    assert 'hx-trigger="every 1s"' in poll and "/download" not in poll and "<html" not in poll
    assert client.get(first.location + "/download").status_code == 404  # not done yet
    other = client.get("/targets/sales/export?format=xlsx")
    assert other.location != first.location and len(started) == 2


def test_an_abandoned_export_is_run_again_and_stored_once(app, client_as, org, sales,
                                                          small_limit):
    from datetime import timedelta

    from portal.exports import services
    from portal.models import utcnow

    job = ExportJob(requested_by_id=org.users["staff1"].id, kind="sales",
                    args={"format": ["csv"]}, format="csv", locale="en",
                    state=ExportJobState.RUNNING, attempts=1,
                    lease_until=utcnow() - timedelta(seconds=1))
    db.session.add(job)
    db.session.commit()
    assert queue.recover(ExportJob, services.export_job) == 1
    db.session.rollback()
    job = db.session.get(ExportJob, job.id)
    assert job.state == ExportJobState.DONE and job.attempts == 2 and job.done == 7
    assert job.filename.startswith("sales-")  # the job's language, not the test's
    services.run_export(job.id)  # a duplicate delivery: nothing happens again
    db.session.rollback()
    assert db.session.get(ExportJob, job.id).attempts == 2
