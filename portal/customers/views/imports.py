"""Importing customers from CSV or Excel: check, then import (the rules: customers/imports.py)."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.customers import bp, imports
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.models import Role
from portal.models.sales import ImportJobState
from portal.spreadsheets import checking, flow


@bp.route("/import", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def customer_import():
    """Check a customer file row by row (new, to update, unchanged, already there, wrong) and
    keep it on the server; then import everything (refused if a row is wrong) or, explicitly,
    the good rows only. Who may import is who may create customers. Big files run in the
    background, with progress."""
    update_existing = request.form.get("update") == "1"
    step = flow.check_step(
        ConfirmForm(), current_user, imports.KIND,
        lambda filename, content, sheet, update: imports.check_file(
            filename, content, current_user, bool(update), sheet=sheet),
        choices={"update": update_existing}, answer_job=_progress,
        background=flow.Background(imports.MAX_ROWS, imports.import_job_task))
    if step.answer is not None:
        return step.answer
    if step.confirmed:
        result = imports.import_rows(step.report, current_user, only_good=step.only_good)
        step.finish(result, written=result["imported"] + result["updated"])
        db.session.commit()
        flash(_("%(n)d customers added, %(u)d updated; %(s)d unchanged and %(d)d "
                "already there were left as they are; %(r)d rows left out.",
                n=result["imported"], u=result["updated"], s=result["unchanged"],
                d=result["duplicate"], r=result["rejected"]), "success")
        return redirect(url_for("customers.index"), code=303)
    return render("customers/import.html", **step.page, update_existing=update_existing,
                  max_rows=imports.MAX_ROWS)


def _progress(job_id: int):
    """The progress page of a kept customer file that is queued, running or done."""
    return redirect(url_for("customers.customer_import_job", customer_import_id=job_id),
                    code=303)


@bp.route("/import/<int:customer_import_id>")
@audience(Role.STAFF, Role.MANAGER)
def customer_import_job(customer_import_id: int):
    """The progress of a background customer import (polled while it runs)."""
    job = checking.checked_job_or_404(current_user, customer_import_id, imports.KIND)
    return render("customers/import_job.html", "customers/_import_job.html", job=job,
                  running=job.state in (ImportJobState.QUEUED, ImportJobState.RUNNING))
