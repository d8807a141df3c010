"""Printing: one form or a cycle's forms as a print job, its progress and its PDF."""
from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.appraisals import bp, printing
from portal.appraisals.queries import (cycle_print_ids, get_appraisal_or_404, get_cycle_or_404,
                                       get_job_or_404, job_file_name)
from portal.appraisals.views import reader_locale
from portal.appraisals.views.cycles import cycle_page, print_filters
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.downloads import download
from portal.kernel.forms import ConfirmForm
from portal.models import Role
from portal.models.appraisals import PrintJobState


def _start(job) -> object:
    """Commit the new job, put it on the task queue, and go to its progress page."""
    db.session.flush()
    job_id = job.id  # read before the commit: nothing of this request touches the database after it
    db.session.commit()
    printing.print_job(job_id)  # enqueued after the commit, so the worker finds the job
    return redirect(url_for("appraisals.job", job_id=job_id), code=303)


@bp.route("/<int:appraisal_id>/print", methods=["POST"])
def print_form(appraisal_id: int):
    """Print one form (anyone who may see the appraisal): a job rendered outside the request."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = printing.create_job(current_user, [appraisal.id], reader_locale())
    return _start(job)


@bp.route("/cycles/<int:cycle_id>/print", methods=["POST"])
@audience(Role.HR)
def cycle_print(cycle_id: int):
    """Print every form of a cycle (filtered by area and status) as one PDF."""
    cycle = get_cycle_or_404(current_user, cycle_id)
    form = print_filters(cycle)
    if not form.validate_on_submit():
        return cycle_page(cycle, form, status=422)
    ids = cycle_print_ids(current_user, cycle, form.area_id.data, form.status.data)
    if not ids:
        form.status.errors.append(_("No form matches these filters."))
        return cycle_page(cycle, form, status=422)
    job = printing.create_job(current_user, ids, reader_locale(), cycle_id=cycle.id)
    return _start(job)


@bp.route("/print-jobs/<int:job_id>")
def job(job_id: int):
    """A print job's progress; htmx polls the progress block until it is done."""
    job = get_job_or_404(current_user, job_id)
    return render("appraisals/job.html", "appraisals/_job.html", job=job)


@bp.route("/print-jobs/<int:job_id>/download")
def job_download(job_id: int):
    """The finished PDF of a print job."""
    job = get_job_or_404(current_user, job_id)
    if job.state != PrintJobState.DONE or not job.pdf:
        abort(404)
    return download(job.pdf, job_file_name(job))


