"""The printed review form: WeasyPrint rendering, kept PDFs of closed forms, and print jobs.

Rules from ENGINEERING.md: the same FontConfiguration goes to CSS() and write_pdf(); the fonts are
bundled in static/fonts/; the URL fetcher serves static/ and nothing else; no PDF is ever
rendered inside a write transaction (the data is read, the read transaction ended, then the
PDF rendered, then a short write stores the result).

Print jobs keep their state in the database (PrintJob), so any app server answers the progress
poll. The request that asks for one commits it and enqueues `print_job` on the task queue
(portal.queue); the consumer claims it (a state check: a done job is not run again), records
progress, and stores the PDF with the end state in one write. A job whose consumer was killed is
enqueued again when its lease runs out (portal.queue.recover).
"""
import io
import multiprocessing
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, g, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import queue
from portal.appraisals import services
from portal.appraisals.queries import job_labels
from portal.database import writing
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.services import notify
from portal.pdf import _print_setup, announce_to, html_to_pdf, render_part  # noqa: F401 (bench/, tests/)
from portal.appraisals.labels import SOURCE_LABELS, STATUS_LABELS
from portal.models.appraisals import (Appraisal, AppraisalDocument, AppraisalScore,
                                      AppraisalStatus, PrintJob, PrintJobState)

# --- what the form shows, as plain data ----------------------------------------------------------

@dataclass
class Row:
    """One indicator line of the printed form."""

    section: str
    name: str
    kind: str
    weight: Decimal
    source: str
    figure: Decimal | None
    figure_score: int | None
    self_score: int | None
    manager_score: int | None
    score: int | None
    weighted: Decimal | None


@dataclass
class FormData:
    """Everything the printed form shows, read from the database before rendering."""

    appraisal_id: int
    company: str
    area: str
    cycle: str
    period_start: object
    period_end: object
    person: str
    username: str
    manager: str
    status: str
    rows: list[Row] = field(default_factory=list)
    final_score: Decimal | None = None
    band: str | None = None
    thresholds: list = field(default_factory=list)
    self_comment: str = ""
    manager_comment: str = ""
    feedback_talk_on: object = None
    improvement_plan: str = ""
    employee_comment: str = ""
    employee_agrees: bool | None = None
    acknowledged_at: object = None
    reviewed_at: object = None
    closed_at: object = None
    closed_by: str = ""


def company_name(english: bool) -> str:
    """The company's name in the form's language (COMPANY_NAME_EN on an English form, when set)."""
    config = current_app.config
    return (english and config.get("COMPANY_NAME_EN")) or config["COMPANY_NAME"]


def form_data(appraisal: Appraisal, english: bool) -> FormData:
    """The plain data of one form in the reader's language (loads what it needs)."""
    template = appraisal.template
    show_self, show_manager = services.shown_parts(appraisal.status, set())
    data = FormData(
        appraisal_id=appraisal.id, company=company_name(english),
        area=(appraisal.area.name_en or appraisal.area.name) if english and appraisal.area
        else (appraisal.area.name if appraisal.area else ""),
        cycle=appraisal.cycle.name, period_start=appraisal.cycle.period_start,
        period_end=appraisal.cycle.period_end, person=appraisal.user.display_name,
        username=appraisal.user.username,
        manager=appraisal.manager.display_name if appraisal.manager else "",
        status=str(STATUS_LABELS[appraisal.status]),
        final_score=appraisal.final_score if show_manager else None,
        band=appraisal.band if show_manager else None,
        thresholds=list(template.rating_thresholds),
        self_comment=appraisal.self_comment if show_self else "",
        manager_comment=appraisal.manager_comment if show_manager else "",
        feedback_talk_on=appraisal.feedback_talk_on, improvement_plan=appraisal.improvement_plan,
        employee_comment=appraisal.employee_comment, employee_agrees=appraisal.employee_agrees,
        acknowledged_at=appraisal.acknowledged_at, reviewed_at=appraisal.reviewed_at,
        closed_at=appraisal.closed_at,
        closed_by=appraisal.closed_by.display_name if appraisal.closed_by else "")
    rows = sorted(appraisal.scores, key=lambda r: (r.indicator.position, r.indicator.id))
    for r in rows:
        ind = r.indicator
        score = services.effective_score(r) if show_manager else None
        data.rows.append(Row(
            section=ind.section_label(english), name=ind.label(english), kind=str(ind.kind),
            weight=ind.weight, source=str(SOURCE_LABELS[ind.source]) if ind.source else "",
            figure=r.figure, figure_score=r.figure_score,
            self_score=r.self_score if show_self else None,
            manager_score=r.manager_score if show_manager else None, score=score,
            weighted=services.weighted_score(score, ind.weight)))
    return data


def load_for_print(appraisal_ids: list[int]) -> dict[int, Appraisal]:
    """The appraisals to print with everything the form shows, in one round of queries."""
    query = (select(Appraisal).where(Appraisal.id.in_(appraisal_ids))
             .options(selectinload(Appraisal.scores).selectinload(AppraisalScore.indicator),
                      selectinload(Appraisal.user), selectinload(Appraisal.manager),
                      selectinload(Appraisal.area), selectinload(Appraisal.cycle),
                      selectinload(Appraisal.template), selectinload(Appraisal.closed_by)))
    return {a.id: a for a in db.session.scalars(query)}


# --- WeasyPrint -----------------------------------------------------------------------------

def form_html(forms: list[FormData], locale: str) -> str:
    """The HTML of one or more forms in a language (the template of the printed form)."""
    if not g:
        g.printing = True  # flask-babel keeps the locale on g and ignores an empty g
    with force_locale(locale):
        return render_template("appraisals/print/form.html", forms=forms,
                               english=locale.startswith("en"), formula=str(services.FORMULA),
                               lang="en" if locale.startswith("en") else "zh-CN")


def render_forms(appraisals: list[Appraisal], locale: str) -> bytes:
    """Render appraisals as one PDF. Ends the read transaction first: no lock is held meanwhile."""
    english = locale.startswith("en")
    with force_locale(locale):
        data = [form_data(a, english) for a in appraisals]
    html = form_html(data, locale)
    db.session.rollback()  # end the read transaction before the long render
    return html_to_pdf(html)


def kept_pdfs(appraisal_ids: list[int], locale: str) -> dict[int, bytes]:
    """The kept PDFs among these forms, in one query."""
    return dict(db.session.execute(
        select(AppraisalDocument.appraisal_id, AppraisalDocument.pdf).where(
            AppraisalDocument.appraisal_id.in_(appraisal_ids),
            AppraisalDocument.locale == locale)).all())


def kept_pdf(appraisal_id: int, locale: str) -> bytes | None:
    """The kept PDF of a closed form in this language, if it was rendered before."""
    return kept_pdfs([appraisal_id], locale).get(appraisal_id)


def keep_pdf(appraisal_id: int, locale: str, pdf: bytes) -> bytes:
    """Store a closed form's PDF in a short write; if another server was first, use theirs."""
    with writing():
        still_closed = db.session.scalar(select(Appraisal.status)
                                         .where(Appraisal.id == appraisal_id))
        if still_closed != AppraisalStatus.CLOSED:
            db.session.rollback()
            return pdf
        db.session.add(AppraisalDocument(appraisal_id=appraisal_id, locale=locale, pdf=pdf))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return kept_pdf(appraisal_id, locale) or pdf
    return pdf


def form_pdf(appraisal: Appraisal, locale: str) -> bytes:
    """One form's PDF: the kept one for a closed form (rendered and kept on first print)."""
    if appraisal.status == AppraisalStatus.CLOSED:
        pdf = kept_pdf(appraisal.id, locale)
        if pdf is not None:
            return pdf
        appraisal_id = appraisal.id
        return keep_pdf(appraisal_id, locale, render_forms([appraisal], locale))
    return render_forms([appraisal], locale)


def merge(pdfs: list[bytes], title: str = "", lang: str = "") -> bytes:
    """Several PDFs as one, each keeping its own page numbers and bookmarks (one per person), with
    the batch's title and language."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    if title:
        writer.add_metadata({"/Title": title})
    if lang:
        writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    if writer.outline:
        writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- print jobs ------------------------------------------------------------------------------

def create_job(user, appraisal_ids: list[int], locale: str, cycle_id: int | None = None) -> PrintJob:
    """A queued job for these appraisals (already scoped by the caller); the caller commits."""
    job = PrintJob(requested_by_id=user.id, cycle_id=cycle_id, appraisal_ids=list(appraisal_ids),
                   locale=locale, total=len(appraisal_ids), state=PrintJobState.QUEUED)
    db.session.add(job)
    return job


def _progress(job_id: int, **values) -> None:
    """Record a step of the job in its own short write transaction (extends its lease)."""
    queue.renew(PrintJob, job_id, **values)


#: Forms laid out one by one and written together as one PDF part of a batch: one embedded
#: font subset per part instead of one per form (smaller, faster), and a bounded number of
#: laid-out forms in memory at a time. Progress still moves per form (render_part's tick).
FORMS_PER_PART = 6


def batch_parts(ids: list[int], locale: str) -> Iterator[tuple[bytes | list[str] | None, int]]:
    """The parts of a batch, in the order of `ids`, each with the number of forms it stands for:
    a kept PDF (bytes), the HTML of up to FORMS_PER_PART forms to lay out (a list), or None for
    forms deleted since the job was asked for.

    A generator: the data of a part is read (one round of queries, the read transaction ended
    after it) when the renderer asks for it, so the first forms are laid out while the later ones
    are still unread and the bar moves from the start. A batch does not keep the forms it
    renders: a closed form is kept when printed on its own.
    """
    english = locale.startswith("en")
    for start in range(0, len(ids), FORMS_PER_PART):
        chunk = ids[start:start + FORMS_PER_PART]
        kept = kept_pdfs(chunk, locale)
        appraisals = load_for_print([i for i in chunk if i not in kept])
        with force_locale(locale):
            data = {i: form_data(a, english) for i, a in appraisals.items()}
        db.session.rollback()
        pending: list[str] = []
        for appraisal_id in chunk:
            if appraisal_id in kept:
                if pending:
                    yield pending, len(pending)
                    pending = []
                yield kept[appraisal_id], 1
            elif appraisal_id in data:
                pending.append(form_html([data[appraisal_id]], locale))
        if pending:
            yield pending, len(pending)
        if skipped := len(chunk) - len(kept) - len(data):
            yield None, skipped


@contextmanager
def part_renderer(processes: int, tick: Callable[[], None]):
    """A function from parts to their PDFs (None for deleted forms), in the order of the parts,
    calling `tick()` once per form as it is done: in-process, or spread over helper processes
    started afresh (spawn: nothing of this threaded server is copied into them) and gone
    afterwards. The helpers announce each form laid out on a queue that this process relays to
    `tick` while it waits; at most a few parts are read ahead of the renderers."""
    def kept_or_skipped(forms: int):
        for _ in range(forms):
            tick()

    if processes <= 1:
        def in_process(parts):
            for content, forms in parts:
                if isinstance(content, list):
                    yield render_part((content, forms), tick)[0]
                else:
                    kept_or_skipped(forms)
                    yield content
        yield in_process
        return
    context = multiprocessing.get_context("spawn")
    announcements = context.SimpleQueue()

    def relay():
        while not announcements.empty():
            announcements.get()
            tick()

    def finish(item):
        if isinstance(item, Future):
            while not wait([item], timeout=0.05).done:
                relay()
            content = item.result()[0]
            relay()  # a helper announces a form before it returns the part
            return content
        kept_or_skipped(item[1])
        return item[0]

    with ProcessPoolExecutor(max_workers=processes, mp_context=context,
                             initializer=announce_to, initargs=(announcements,)) as pool:
        def in_helpers(parts):
            ahead: deque = deque()
            for part in parts:
                ahead.append(pool.submit(render_part, part) if isinstance(part[0], list) else part)
                while len(ahead) > processes + 1:
                    yield finish(ahead.popleft())
            while ahead:
                yield finish(ahead.popleft())
        yield in_helpers


def render_batch(job_id: int, ids: list[int], locale: str) -> list[bytes]:
    """The PDF parts of a batch job in order, laid out by helper processes when configured.
    Progress is written after each form, in its own short write (one UPDATE), so the bar moves
    per form; the page polls it."""
    done = 0

    def tick():
        nonlocal done
        done += 1
        _progress(job_id, done=done)

    processes = max(1, min(current_app.config["APPRAISAL_PRINT_PROCESSES"],
                           -(-len(ids) // FORMS_PER_PART)))
    with part_renderer(processes, tick) as render_all:
        return [pdf for pdf in render_all(batch_parts(ids, locale)) if pdf is not None]


def run_job(job_id: int) -> None:
    """Render every form of a job, recording progress; merge and store the PDF.

    One form: its kept PDF, or rendered (and kept when closed). Several: in parts
    (batch_parts, render_batch), merged at the end. No transaction is open during a layout.
    A job already done, failed, or held by a live worker is left alone; one retried after its
    worker died starts again from the first form, and the PDF is stored once, whole, at the end.
    """
    if not queue.claim(PrintJob, job_id):
        return
    job = db.session.get(PrintJob, job_id)
    ids, locale = list(job.appraisal_ids), job.locale
    db.session.rollback()
    _progress(job_id, done=0, error="")
    try:
        if len(ids) == 1:
            pdf = kept_pdf(ids[0], locale)
            if pdf is None:
                appraisal = load_for_print(ids).get(ids[0])
                pdf = form_pdf(appraisal, locale) if appraisal is not None else None
            pdfs = [pdf] if pdf is not None else []
        else:
            pdfs = render_batch(job_id, ids, locale)
        if len(ids) == 1 and len(pdfs) == 1:
            pdf = pdfs[0]
        else:  # a batch: one PDF with the batch's title, language and a bookmark per person
            job = db.session.get(PrintJob, job_id)
            title = job_labels(job)[0]
            db.session.rollback()
            pdf = merge(pdfs, title, "en" if locale.startswith("en") else "zh-CN")
        queue.settle(PrintJob, job_id, "done", done=len(ids), pdf=pdf, size=len(pdf),
                     finished_at=utcnow())
        tell_requester(job_id)
    except Exception:  # the job records its failure; the worker log has the trace
        db.session.rollback()
        current_app.logger.error("print job %s failed:\n%s", job_id, traceback.format_exc())
        queue.settle(PrintJob, job_id, "failed", error="render failed", finished_at=utcnow())


def tell_requester(job_id: int) -> None:
    """Whoever asked for the job hears that its PDF is ready (once: a retried job tells nobody
    twice), by the channel they chose for "print job or export finished"."""
    job = db.session.get(PrintJob, job_id)
    title = job_labels(job)[0]
    with current_app.test_request_context("/"):  # url_for in the worker, outside a request
        link = url_for("appraisals.job", job_id=job_id)
    with writing():
        notify(job.requested_by, "job_finished", {"what": title}, link,
               event_key=f"job_finished:print:{job_id}")
        db.session.commit()


@queue.recoverable(PrintJob)
@queue.background_task()
def print_job(job_id: int) -> None:
    """The queued task of a print job: run by the consumer in an app context."""
    g.printing = True
    run_job(job_id)
