"""An export job's progress page (polled by htmx until the file is ready) and its download."""
from flask import abort
from flask_login import current_user

from portal.exports import bp
from portal.exports.labels import STATE_LABELS
from portal.exports.queries import get_export_job_or_404
from portal.htmx import render
from portal.kernel.downloads import download
from portal.models.exports import ExportJobState


@bp.route("/<int:export_job_id>")
def job(export_job_id: int):
    """An export's progress; htmx polls the progress block until it is done."""
    job = get_export_job_or_404(current_user, export_job_id)
    return render("exports/job.html", "exports/_job.html", job=job, state_labels=STATE_LABELS,
                  running=job.state in (ExportJobState.QUEUED, ExportJobState.RUNNING))


@bp.route("/<int:export_job_id>/download")
def download_file(export_job_id: int):
    """The finished file of an export job (its requester's only; private, not cached)."""
    job = get_export_job_or_404(current_user, export_job_id)
    if job.state != ExportJobState.DONE or job.content is None:
        abort(404)
    return download(job.content, job.filename)
