"""The printed review form: valid PDF, the person's name and scores, the bundled CJK font carrying
every CJK code point, jobs outside the request with their state in the database, kept closed forms."""
import io
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal import queue
from portal.database import reading
from portal.appraisals import printing
from portal.appraisals.printing import html_to_pdf
from portal.extensions import db
from portal.models import utcnow
from portal.models.appraisals import (AppraisalDocument, AppraisalStatus as S, PrintJob,
                                      PrintJobState)
from tests.appraisal_factories import advance, appraisal_of, make_cycle, make_template
from tests.factories import make_user
from tests.pdf_fonts import fonts_and_code_points, is_cjk, page_count, text_of

BUNDLED = "Portal-Noto-Sans-SC"
#: Characters from people's names beyond GB 2312 (喆 堃 玥 昇), and some of Extension A (䶮 㛃).
RARE_NAME = "高喆堃玥昇䶮㛃"


@pytest.fixture
def inline_jobs(app):
    """Print jobs run after the request's commit in the same thread (the queue's immediate
    mode, set in TEST_CONFIG), so tests need not wait; tests/test_queue.py runs real consumers."""
    assert queue.huey.immediate


@pytest.fixture
def closed_cycle(org):
    """A cycle over A01 whose staff1 appraisal is closed, staff2's at manager review."""
    cycle = make_cycle(make_template((60, 40)), areas=[org.areas[0]])
    advance(appraisal_of(cycle, org.users["staff1"]), S.CLOSED, hr=org.users["hr"])
    advance(appraisal_of(cycle, org.users["staff2"]), S.MANAGER_REVIEW)
    db.session.commit()
    return cycle


def assert_cjk_only_in_bundled_font(pdf: bytes) -> None:
    """Every font that carries a CJK code point is the bundled one (no fallback, no tofu)."""
    fonts = fonts_and_code_points(pdf)
    carrying = {name for name, points in fonts.items() if any(is_cjk(p) for p in points)}
    assert carrying, "no font carries CJK text"
    assert all(BUNDLED in name for name in carrying), fonts.keys()


def print_one(client, appraisal_id: int) -> tuple[PrintJob, bytes]:
    """Ask for a form, follow to the job, download the PDF."""
    response = client.post(f"/appraisals/{appraisal_id}/print")
    assert response.status_code == 303 and "/print-jobs/" in response.location
    job_id = int(response.location.rstrip("/").split("/")[-1])
    page = client.get(response.location)
    assert page.status_code == 200
    download = client.get(f"/appraisals/print-jobs/{job_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    db.session.expire_all()
    return db.session.get(PrintJob, job_id), download.data


def test_the_pdf_has_the_name_scores_and_cjk_in_the_bundled_font(org, closed_cycle, client_as,
                                                                 inline_jobs):
    appraisal = appraisal_of(closed_cycle, org.users["staff1"])
    job, pdf = print_one(client_as("staff1"), appraisal.id)
    assert job.state == PrintJobState.DONE and job.done == job.total == 1
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert "李娜" in text  # staff1
    # No targets module here: attainment has no figure, so the manager's 3 counts, as for the
    # qualitative one: 3 × 60 / 5 + 3 × 40 / 5 = 60.00.
    assert appraisal.final_score == Decimal("60.00") and "60" in text
    assert "销售目标达成率" in text and "机密" in text and "无数据" in text
    assert "示例公司 · 城东营业区" in text and "Example Company" not in text
    assert "共" in text.replace("\xa0", " ")  # 第 1 页，共 2 页
    assert_cjk_only_in_bundled_font(pdf)


def test_english_readers_get_an_english_form_with_the_same_font_for_names(org, closed_cycle,
                                                                          client_as, inline_jobs):
    client = client_as("staff1")
    client.post("/language", data={"locale": "en", "next": "/"})
    _job, pdf = print_one(client, appraisal_of(closed_cycle, org.users["staff1"]).id)
    text = text_of(pdf)
    assert "Appraisal review form" in text and "Sales target attainment" in text
    assert "李娜" in text
    # The header all in English: the company's English name beside the area's (COMPANY_NAME_EN).
    assert "Example Company · East District" in text and "示例公司" not in text
    assert_cjk_only_in_bundled_font(pdf)


def test_rare_name_characters_are_carried_by_the_bundled_font(app):
    """Characters of names beyond GB 2312 and in Extension A render with the bundled face."""
    pdf = html_to_pdf(f'<html><body><p>{RARE_NAME}</p><p style="font-weight:700">{RARE_NAME}'
                      "</p></body></html>")
    fonts = fonts_and_code_points(pdf)
    wanted = {ord(c) for c in RARE_NAME}
    carried = set().union(*(p for name, p in fonts.items() if BUNDLED in name))
    assert wanted <= carried
    assert_cjk_only_in_bundled_font(pdf)


def test_the_fetcher_refuses_files_outside_static(app, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    pdf = html_to_pdf(f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head>'
                      '<body><img src="http://example.invalid/x.png"><p>好</p></body></html>')
    assert pdf.startswith(b"%PDF-")  # rendered, without what it was refused


def test_staff_print_only_their_own(org, closed_cycle, client_as, inline_jobs):
    other = appraisal_of(closed_cycle, org.users["staff2"])
    staff1 = client_as("staff1")
    assert staff1.post(f"/appraisals/{other.id}/print").status_code == 404
    assert db.session.scalar(select(func.count(PrintJob.id))) == 0


def test_jobs_belong_to_who_asked(org, closed_cycle, client_as, inline_jobs):
    job, _pdf = print_one(client_as("manager1"),
                          appraisal_of(closed_cycle, org.users["staff2"]).id)
    for who in ("staff1", "hr"):
        client = client_as(who)
        assert client.get(f"/appraisals/print-jobs/{job.id}").status_code == 404
        assert client.get(f"/appraisals/print-jobs/{job.id}/download").status_code == 404


def test_a_closed_form_is_rendered_once_and_kept(org, closed_cycle, client_as, inline_jobs):
    appraisal = appraisal_of(closed_cycle, org.users["staff1"])
    hr = client_as("hr")
    _job, first = print_one(hr, appraisal.id)
    kept = db.session.scalar(select(AppraisalDocument))
    rendered_at = kept.rendered_at
    _job, second = print_one(hr, appraisal.id)
    assert first == second
    assert db.session.scalar(select(func.count(AppraisalDocument.id))) == 1
    assert db.session.scalar(select(AppraisalDocument.rendered_at)) == rendered_at


def test_a_form_still_in_progress_is_not_kept(org, closed_cycle, client_as, inline_jobs):
    print_one(client_as("manager1"), appraisal_of(closed_cycle, org.users["staff2"]).id)
    assert db.session.scalar(select(func.count(AppraisalDocument.id))) == 0


def test_reopening_discards_the_kept_pdf(org, closed_cycle, client_as, inline_jobs):
    appraisal = appraisal_of(closed_cycle, org.users["staff1"])
    hr = client_as("hr")
    print_one(hr, appraisal.id)
    hr.post(f"/appraisals/{appraisal.id}/reopen", data={"target": "feedback", "reason": "补充"})
    assert db.session.scalar(select(func.count(AppraisalDocument.id))) == 0


@pytest.mark.slow  # lays out a PDF per person
def test_hr_prints_a_whole_cycle_filtered_by_area_and_status(org, client_as, inline_jobs):
    cycle = make_cycle(make_template((60, 40)))
    for appraisal in cycle.appraisals:
        if appraisal.area_id == org.areas[0].id:
            advance(appraisal, S.CLOSED, hr=org.users["hr"])
    db.session.commit()
    hr = client_as("hr")
    response = hr.post(f"/appraisals/cycles/{cycle.id}/print",
                       data={"area_id": str(org.areas[0].id), "status": "closed"})
    assert response.status_code == 303
    job = db.session.scalar(select(PrintJob))
    closed = [a for a in cycle.appraisals if a.area_id == org.areas[0].id]
    assert job.total == job.done == len(closed) and job.state == PrintJobState.DONE
    pdf = hr.get(f"/appraisals/print-jobs/{job.id}/download").data
    assert page_count(pdf) >= len(closed)
    text = text_of(pdf)
    assert all(a.user.display_name in text for a in closed)
    assert org.users["staff3"].display_name not in text  # another area
    assert_cjk_only_in_bundled_font(pdf)


@pytest.mark.slow  # helper processes
def test_a_batch_laid_out_by_helper_processes_is_the_same_and_uses_kept_forms_as_they_are(
        app, org, client_as, inline_jobs, monkeypatch):
    monkeypatch.setattr(printing, "FORMS_PER_PART", 3)  # several parts from a small area
    cycle = make_cycle(make_template((60, 40)), areas=[org.areas[0]])
    for appraisal in cycle.appraisals:
        advance(appraisal, S.CLOSED, hr=org.users["hr"])
    db.session.commit()
    hr = client_as("hr")
    staff1 = appraisal_of(cycle, org.users["staff1"])
    _job, kept = print_one(hr, staff1.id)  # kept: the batch takes it as it is

    def whole_cycle(processes: int) -> tuple[PrintJob, bytes]:
        monkeypatch.setitem(app.config, "APPRAISAL_PRINT_PROCESSES", processes)
        response = hr.post(f"/appraisals/cycles/{cycle.id}/print",
                           data={"area_id": str(org.areas[0].id), "status": "closed"})
        job_id = int(response.location.rstrip("/").split("/")[-1])
        db.session.expire_all()
        job = db.session.get(PrintJob, job_id)
        assert job.state == PrintJobState.DONE, job.error
        return job, hr.get(f"/appraisals/print-jobs/{job_id}/download").data

    job, in_process = whole_cycle(1)
    _job, helpers = whole_cycle(2)
    forms = len(cycle.appraisals)
    assert forms > 2 * printing.FORMS_PER_PART and job.done == forms
    pages = PdfReader(io.BytesIO(helpers)).pages
    assert [p.extract_text() for p in pages] == [
        p.extract_text() for p in PdfReader(io.BytesIO(in_process)).pages]
    # Each form numbers its own pages, in the order of the job, staff1's kept form among them.
    firsts = [p.extract_text() for p in pages if "第 1 页" in p.extract_text()]
    assert len(firsts) == forms
    people = {a.id: f"({a.user.username})" for a in cycle.appraisals}  # "name (username)"
    assert [next(p for p in people.values() if p in t) for t in firsts] == [
        people[i] for i in job.appraisal_ids]
    assert text_of(kept) in text_of(helpers)
    assert_cjk_only_in_bundled_font(helpers)


def test_a_filter_matching_nothing_is_refused(org, client_as, inline_jobs):
    cycle = make_cycle(make_template(), areas=[org.areas[0]])
    db.session.commit()
    response = client_as("hr").post(f"/appraisals/cycles/{cycle.id}/print",
                                    data={"area_id": "0", "status": "closed"})
    assert response.status_code == 422 and 'id="status-error"' in response.text
    assert db.session.scalar(select(func.count(PrintJob.id))) == 0


def test_only_hr_prints_a_whole_cycle(org, client_as, inline_jobs):
    cycle = make_cycle(make_template(), areas=[org.areas[0]])
    db.session.commit()
    for who in ("staff1", "manager1", "admin"):
        assert client_as(who).post(f"/appraisals/cycles/{cycle.id}/print",
                                   data={"area_id": "0", "status": ""}).status_code == 403


@pytest.mark.slow  # lays out a PDF per person
def test_the_progress_page_polls_until_the_job_is_done(org, client_as):
    """The progress block polls while the job waits or runs and offers the PDF once done (the
    state is read from the database, so any app server answers)."""
    cycle = make_cycle(make_template(), areas=[org.areas[0]])
    db.session.commit()
    hr = client_as("hr")
    waiting = PrintJob(requested_by_id=org.users["hr"].id, appraisal_ids=[], locale="en",
                       total=0, state=PrintJobState.QUEUED)
    db.session.add(waiting)
    db.session.commit()
    poll = hr.get(f"/appraisals/print-jobs/{waiting.id}", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in poll.text and "/download" not in poll.text
    assert "<html" not in poll.text  # the partial alone
    response = hr.post(f"/appraisals/cycles/{cycle.id}/print", data={"area_id": "0", "status": ""})
    assert response.status_code == 303
    done = hr.get(response.location, headers={"HX-Request": "true"})
    assert 'id="print-job"' in done.text
    assert "/download" in done.text and 'hx-trigger' not in done.text
    db.session.expire_all()
    job = db.session.get(PrintJob, int(response.location.rsplit("/", 1)[1]))
    assert job.state == PrintJobState.DONE and job.done == job.total == len(cycle.appraisals)
    assert job.attempts == 1 and job.lease_until is None


def test_an_abandoned_job_is_enqueued_again_and_finished_once(org, closed_cycle, inline_jobs):
    """A job whose consumer died mid-run (its lease ran out) goes back on the queue and is
    rendered from the start, its PDF stored once, whole."""
    hr = org.users["hr"]
    ids = [a.id for a in closed_cycle.appraisals][:2]
    job = PrintJob(requested_by_id=hr.id, appraisal_ids=ids, locale="zh_Hans_CN",
                   total=len(ids), done=1, state=PrintJobState.RUNNING, attempts=1,
                   lease_until=utcnow() - timedelta(seconds=1))
    db.session.add(job)
    db.session.commit()
    assert queue.recover_all() == 1
    db.session.expire_all()
    job = db.session.get(PrintJob, job.id)
    assert job.state == PrintJobState.DONE and job.done == 2 and job.attempts == 2
    alone = printing.load_for_print(ids)
    assert page_count(job.pdf) == sum(page_count(printing.render_forms([alone[i]], "zh_Hans_CN"))
                                      for i in ids)  # each form once
    assert queue.recover_all() == 0


def test_a_job_whose_task_was_lost_is_enqueued_again(org, closed_cycle, inline_jobs):
    """Queued longer than a lease (the task never reached the queue), or running with no lease
    at all (taken before the queue existed): the consumer's recovery runs it."""
    hr, ids = org.users["hr"], [a.id for a in closed_cycle.appraisals][:1]
    lost = PrintJob(requested_by_id=hr.id, appraisal_ids=ids, locale="en", total=1,
                    state=PrintJobState.QUEUED, created_at=utcnow() - timedelta(minutes=10))
    fresh = PrintJob(requested_by_id=hr.id, appraisal_ids=ids, locale="en", total=1,
                     state=PrintJobState.QUEUED)
    unleased = PrintJob(requested_by_id=hr.id, appraisal_ids=ids, locale="en", total=1,
                        state=PrintJobState.RUNNING, attempts=1)
    db.session.add_all([lost, fresh, unleased])
    db.session.commit()
    assert queue.recover_all() == 2
    db.session.expire_all()
    assert db.session.get(PrintJob, lost.id).state == PrintJobState.DONE
    assert db.session.get(PrintJob, unleased.id).state == PrintJobState.DONE
    assert db.session.get(PrintJob, fresh.id).state == PrintJobState.QUEUED  # its task is coming


def test_a_job_held_by_a_live_worker_or_finished_is_not_run_again(org, closed_cycle,
                                                                  inline_jobs):
    """The state check at the start of the task: a retry or a second delivery does nothing."""
    hr, ids = org.users["hr"], [a.id for a in closed_cycle.appraisals][:2]
    running = PrintJob(requested_by_id=hr.id, appraisal_ids=ids, locale="en", total=2,
                       state=PrintJobState.RUNNING, attempts=1,
                       lease_until=utcnow() + timedelta(minutes=1))
    finished = PrintJob(requested_by_id=hr.id, appraisal_ids=ids, locale="en", total=2, done=2,
                        state=PrintJobState.DONE, attempts=1, pdf=b"%PDF-1.7 first", size=14)
    db.session.add_all([running, finished])
    db.session.commit()
    assert queue.recover_all() == 0
    printing.print_job(running.id)
    printing.print_job(finished.id)
    db.session.expire_all()
    running, finished = db.session.get(PrintJob, running.id), db.session.get(PrintJob, finished.id)
    assert running.state == PrintJobState.RUNNING and running.attempts == 1
    assert finished.pdf == b"%PDF-1.7 first" and finished.attempts == 1


def test_many_people_print_with_a_user_beyond_gb2312(org, client_as, inline_jobs):
    person = make_user("rare", area=org.areas[0], manager=org.users["manager1"],
                       display_name=RARE_NAME)
    cycle = make_cycle(make_template(), areas=[org.areas[0]])
    db.session.commit()
    _job, pdf = print_one(client_as("hr"), appraisal_of(cycle, person).id)
    assert RARE_NAME in text_of(pdf)
    assert_cjk_only_in_bundled_font(pdf)


def test_a_form_downloads_under_a_name_that_says_whose_it_is(org, closed_cycle, client_as,
                                                             inline_jobs):
    """绩效考核表-2026Q4-李娜.pdf, the Chinese in RFC 5987's filename*, an ASCII fallback."""
    hr = client_as("hr")
    response = hr.post(f"/appraisals/{appraisal_of(closed_cycle, org.users['staff1']).id}/print")
    download = hr.get(response.location + "/download")
    disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''" + quote("绩效考核表-2026Q4-李娜.pdf") in disposition
    assert 'filename="' in disposition
    assert "李娜" in PdfReader(io.BytesIO(download.data)).metadata.title


def test_a_batch_has_a_title_language_a_bookmark_per_person_and_a_named_file(
        org, closed_cycle, client_as, inline_jobs):
    hr = client_as("hr")
    response = hr.post(f"/appraisals/cycles/{closed_cycle.id}/print",
                       data={"area_id": str(org.areas[0].id), "status": ""})
    download = hr.get(response.location + "/download")
    area = org.areas[0].name
    assert quote(f"绩效考核表汇总-2026Q4-{area}.pdf") in download.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(download.data))
    assert closed_cycle.name in reader.metadata.title and area in reader.metadata.title
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    marks = [item.title for item in reader.outline]
    people = [a.user for a in closed_cycle.appraisals]
    assert sorted(marks) == sorted(f"{u.display_name} ({u.username})" for u in people)


def test_the_requester_is_told_once_when_the_job_is_done(org, client_as):
    """A finished print job lands in the requester's notification centre, once (a retry of the
    same job tells nobody again)."""
    from portal.appraisals.printing import tell_requester
    from portal.models.notifications import Notification

    cycle = make_cycle(make_template(), areas=[org.areas[0]])
    db.session.commit()
    hr = client_as("hr")
    response = hr.post(f"/appraisals/cycles/{cycle.id}/print", data={"area_id": "0", "status": ""})
    job = db.session.scalars(select(PrintJob)).one()
    assert job.state.value == "done", response.status_code
    tell_requester(job.id)  # as a retried task would
    notes = db.session.scalars(select(Notification).where(
        Notification.user_id == org.users["hr"].id, Notification.kind == "job_finished")).all()
    assert len(notes) == 1 and notes[0].link == f"/appraisals/print-jobs/{job.id}"
    assert "/appraisals/print-jobs/" in hr.get("/notifications/").text


def progress_seen_by_a_poll(job_model):
    """A recorder of the `done` values another connection reads after each commit (what a
    progress poll on another app server would see), without repeats."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    seen: list[int] = []

    def read(_session):
        with reading(), db.engine.connect() as other:  # a reader: takes no write lock
            value = other.scalar(select(func.max(job_model.done)))
        if value is not None and (not seen or seen[-1] != value):
            seen.append(value)

    event.listen(Session, "after_commit", read)
    return seen, lambda: event.remove(Session, "after_commit", read)


@pytest.mark.slow  # lays out five forms
@pytest.mark.parametrize("processes", [1, 2])
def test_a_batch_moves_its_progress_form_by_form(app, org, client_as, inline_jobs, monkeypatch,
                                                 processes):
    """Progress is committed after each form (not after each part of FORMS_PER_PART), in order,
    in process (one part of six: per-part progress would jump 0 → 5) and with helper processes
    (parts of two, laid out side by side: each form announced by the helper as it is done)."""
    monkeypatch.setitem(app.config, "APPRAISAL_PRINT_PROCESSES", processes)
    if processes > 1:
        monkeypatch.setattr(printing, "FORMS_PER_PART", 2)
    cycle = make_cycle(make_template((60, 40)), areas=[org.areas[0]])
    ids = [a.id for a in cycle.appraisals][:5]
    assert len(ids) == 5 and (processes > 1 or printing.FORMS_PER_PART > 5)
    job = printing.create_job(org.users["hr"], ids, "zh_Hans_CN")
    db.session.flush()
    job_id = job.id
    db.session.commit()
    seen, stop = progress_seen_by_a_poll(PrintJob)
    try:
        printing.print_job(job_id)
    finally:
        stop()
    db.session.rollback()  # a fresh read: this session's snapshot predates the job's run
    assert db.session.get(PrintJob, job_id).state == PrintJobState.DONE
    assert [v for v in seen if v] == [1, 2, 3, 4, 5]
