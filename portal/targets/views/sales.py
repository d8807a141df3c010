"""Sales records: the list, entry by hand, deletion, import from CSV/Excel, export."""
from decimal import Decimal

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import customer_picker, spreadsheets
from portal.access import scope_sort_key
from portal.exports import services as exports
from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.models import Role
from portal.models.sales import ImportJobState, SalesRecord
from portal.spreadsheets import flow
from portal.targets import bp, imports, queries, services
from portal.targets.forms import ImportForm, SaleForm
from portal.targets.imports import check_file, export_columns, export_row, import_rows


@bp.route("/sales")
def sales():
    """Sales records of the visible customers, with search, filters, sorting and pagination."""
    listing = queries.sales_listing()
    query = queries.filtered_sales(current_user, listing)
    page = listing.pages(query, scope_sort_key(current_user, SalesRecord.sold_on,
                                                   searched=bool(listing.q)),
                         SalesRecord.id)
    return render("targets/sales.html", "targets/_sales_results.html", page=page,
                  credited=queries.credited_names(s.id for s in page.items),
                  total=Decimal(queries.sales_total(current_user, listing)),
                  lines=queries.product_lines(),
                  export_args={k: v for k, v in listing.args.items()
                               if k not in ("page", "per_page", "after", "before")})


def _sale_form_choices(form: SaleForm) -> None:
    customer_picker.bind(form.customer_id)
    form.product_line_id.choices = [(0, _("— choose —"))] + [
        (p.id, p.label) for p in queries.product_lines(active_only=True)]


@bp.route("/sales/new", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def sale_create():
    """Enter one sale for a customer the user may see."""
    form = SaleForm()
    _sale_form_choices(form)
    ok = form.validate_on_submit()
    if ok and form.reference.data and queries.reference_taken(form.customer_id.data,
                                                              form.reference.data):
        form.reference.errors.append(_("A sale with this reference is already recorded for "
                                       "this customer."))
        ok = False
    if ok:
        services.record_sale(form.customer_id.data, form.sold_on.data,
                             form.product_line_id.data, form.amount.amount, form.reference.data,
                             current_user)
        db.session.commit()
        flash(_("Sale saved."), "success")
        return redirect(url_for("targets.sales"), code=303)
    return render("targets/sale_form.html", form=form, status=422 if form.errors else 200)


@bp.route("/sales/<int:sale_id>/delete", methods=["GET", "POST"])
@audience(Role.MANAGER)
def sale_delete(sale_id: int):
    """Confirm, then delete a wrong sale (managers only; audited)."""
    sale = queries.get_sale_or_404(current_user, sale_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_sale(sale)
        db.session.commit()
        flash(_("Sale deleted."), "success")
        return redirect(url_for("targets.sales"), code=303)
    return render("confirm.html", form=form,
                  question=_("Delete the sale of %(amount)s to %(name)s on %(day)s?",
                             amount=sale.amount, name=sale.customer.name, day=sale.sold_on),
                  action=_("Delete"), cancel=url_for("targets.sales"))


@bp.route("/sales/import", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def sale_import():
    """Check a CSV/Excel file row by row (new, already there, wrong) and keep it on the server;
    then import everything (refused if a row is wrong) or, explicitly, the good rows only.
    Files above the row limit are imported in the background, with progress."""
    step = flow.check_step(
        ImportForm(), current_user, "sales",
        lambda filename, content, sheet: check_file(
            filename, content, queries.sale_customers(current_user), clock.today(), sheet=sheet),
        answer_job=_import_progress,
        background=flow.Background(imports.MAX_ROWS, imports.start_import_job))
    if step.answer is not None:
        return step.answer
    if step.confirmed:
        batch = import_rows(step.report, current_user, only_good=step.only_good)
        step.finish({"imported": batch.rows_imported, "duplicate": batch.rows_duplicate,
                     "rejected": batch.rows_rejected}, written=batch.rows_imported)
        db.session.commit()
        flash(_("%(n)d sales imported; %(d)d already there were skipped; "
                "%(r)d rows left out.", n=batch.rows_imported,
                d=batch.rows_duplicate, r=batch.rows_rejected), "success")
        return redirect(url_for("targets.sales"), code=303)
    return render("targets/import.html", **step.page, max_rows=imports.MAX_ROWS)


def _import_progress(job_id: int):
    """The progress page of a kept sales file that is queued, running or done."""
    return redirect(url_for("targets.sale_import_job", import_job_id=job_id), code=303)


@bp.route("/sales/import/<int:import_job_id>")
@audience(Role.STAFF, Role.MANAGER)
def sale_import_job(import_job_id: int):
    """The progress of a background import (polled by the page while it runs)."""
    job = imports.checked_job_or_404(current_user, import_job_id, "sales")
    return render("targets/import_job.html", "targets/_import_job.html", job=job,
                  running=job.state in (ImportJobState.QUEUED, ImportJobState.RUNNING))


@exports.register("sales")
def sales_export(viewer) -> exports.Export:
    """The filtered sales (request.args) in the import's columns (so a file can go round-trip)
    and the current language, streamed from the database."""
    listing = queries.sales_listing()
    records = queries.sales_export_rows(viewer, listing)  # the query built here, in scope
    rows = (export_row(*row[1:]) for row in records)
    stem = "-".join([_("sales"), spreadsheets.scope_name(viewer), clock.today().strftime("%Y-%m")])
    return exports.Export(stem, _("Sales"), export_columns(), rows,
                          lambda: queries.sales_count(viewer, listing))


@bp.route("/sales/export")
def sale_export():
    """The filtered sales as CSV or Excel: streamed in the request, or as a queued job with a
    progress page when there are more than EXPORT_QUEUE_ROWS."""
    return exports.respond(current_user, "sales", request.args.get("format", "csv"))
