"""Sales records: the list, entry by hand, deletion, import from CSV/Excel, export."""
import base64
from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.downloads import download
from portal.kernel.forms import ConfirmForm
from portal.models import Role
from portal.targets import bp, queries, services
from portal.targets.forms import ImportForm, SaleForm
from portal.targets.imports import (ImportFileError, check_file, export_rows, import_rows,
                                    to_csv, to_xlsx)

MAX_UPLOAD = 2 * 1024 * 1024


@bp.route("/sales")
def sales():
    """Sales records of the visible customers, with search, filters, sorting and pagination."""
    listing = queries.sales_listing()
    query = queries.filtered_sales(current_user, listing)
    page = listing.paginate(query)
    return render("targets/sales.html", "targets/_sales_results.html", page=page,
                  credited=queries.credited_names(s.id for s in page.items),
                  total=Decimal(queries.sales_total(query)), lines=queries.product_lines(),
                  export_args={k: v for k, v in listing.args.items()
                               if k not in ("page", "per_page")})


def _sale_form_choices(form: SaleForm) -> None:
    form.customer_id.choices = [(0, _("— choose —"))] + queries.customer_choices(current_user)
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


def _uploaded() -> tuple[bytes, str, str]:
    """(content, file name, content in base64 as the form carried it) of the posted file."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return upload.read(MAX_UPLOAD + 1), upload.filename.replace("\x00", ""), ""
    content_b64 = request.form.get("content", "")
    filename = request.form.get("filename", "")  # NUL refused by portal.input_guard
    try:
        return base64.b64decode(content_b64, validate=True), filename, content_b64
    except ValueError:
        return b"", filename, content_b64


@bp.route("/sales/import", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def sale_import():
    """Check a CSV/Excel file row by row; import everything (refused if a row is wrong) or,
    explicitly, the good rows only. The file travels in the form, so no server keeps state."""
    form = ImportForm()
    report, error, content_b64, filename = None, None, "", ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        content, filename, content_b64 = _uploaded()
        if not content:
            error = _("Choose a file.")
        elif len(content) > MAX_UPLOAD:
            error = _("The file is larger than 2 MB.")
        else:
            try:
                report = check_file(filename, content, queries.sale_customers(current_user),
                                    clock.today())
            except ImportFileError as failure:
                error = str(failure)
        if report is not None:
            content_b64 = base64.b64encode(content).decode()
            action = request.form.get("action", "check")
            if action in ("import_all", "import_good"):
                batch = import_rows(report, current_user, only_good=action == "import_good")
                if batch is not None:
                    db.session.commit()
                    flash(_("%(n)d sales imported; %(d)d already there were skipped; "
                            "%(r)d rows left out.", n=batch.rows_imported,
                            d=batch.rows_duplicate, r=batch.rows_rejected), "success")
                    return redirect(url_for("targets.sales"), code=303)
                error = _("Nothing was imported: correct the rows marked below, or import the "
                          "good rows only.")
    return render("targets/import.html", form=form, report=report, error=error,
                  content=content_b64, filename=filename, status=422 if error else 200)


@bp.route("/sales/export")
def sale_export():
    """The filtered sales as CSV or Excel, in the import's columns."""
    records = db.session.scalars(queries.filtered_sales(current_user,
                                                        queries.sales_listing())).all()
    credited = queries.credited_names(r.id for r in records)
    rows = export_rows((r, credited.get(r.id, "")) for r in records)
    stem = f"sales-{clock.today():%Y-%m}"
    if request.args.get("format") == "xlsx":
        return download(to_xlsx(rows), f"{stem}.xlsx")
    return download(to_csv(rows), f"{stem}.csv")
