"""Views of the targets module: attainment, the target grid, approval, sales, import/export,
service duties."""
import base64
from datetime import date
from decimal import Decimal

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import get_user_or_404, manages
from portal.customers.queries import (credit_join, get_sale_or_404, search_text,
                                      visible_customers, visible_sales)
from portal.extensions import db
from portal.kernel.panels import panel
from portal.htmx import is_htmx, render
from portal.models import Area, CustomerType, ProductLine, Role, User, utcnow
from portal.models.customers import Customer, CustomerAssignment
from portal.models.sales import SalesRecord, SalesTarget, ServiceDuty, TargetStatus
from portal.targets import bp
from portal.targets.charts import grouped_bars, horizontal_percent_bars
from portal.targets.duties import (DUTY_KINDS, duties_for, duties_for_people, kind_choices,
                                   kind_label, measure, measure_people)
from portal.targets.forms import (TARGET_STATUS_LABELS, ConfirmForm, DutyForm, ImportForm,
                                  SaleForm, TargetChangeForm)
from portal.targets.imports import (ImportFileError, check_file, export_rows, import_rows,
                                    parse_amount, to_csv, to_xlsx)
from portal.targets.queries import (editable_duties, get_duty_or_404, get_target_or_404, headed_area_ids,
                                    managed_staff, visible_staff)
from portal.targets.services import (Period, at_risk_threshold, attainment_rows,
                                     average_fulfilment, month_start, monthly_series, months_in,
                                     parse_period, product_line_rows, sales_breakdown,
                                     team_figures, team_total)

MAX_UPLOAD = 2 * 1024 * 1024


@bp.app_template_filter("pct")
def pct(value) -> str:
    """A percentage with one decimal for the reader's locale ("42.5 %"), or "—"."""
    from flask_babel import format_decimal

    return "—" if value is None else f"{format_decimal(value, format='#,##0.0')} %"


@bp.app_context_processor
def _labels():
    return {"target_status_labels": TARGET_STATUS_LABELS, "duty_kind_label": kind_label}


def _today() -> date:
    return date.today()


def _periods(today: date) -> list[Period]:
    """The periods offered in the selector: this and last year, their quarters and months."""
    found = []
    for year in (today.year, today.year - 1):
        found.append(parse_period(str(year), today))
        found += [parse_period(f"{year}-Q{q}", today) for q in (1, 2, 3, 4)]
        found += [parse_period(f"{year}-{m:02d}", today) for m in range(1, 13)]
    return found


# --- attainment --------------------------------------------------------------------------------

@bp.route("/")
def index():
    """Attainment per person, team and product line for a period, with at-risk flags and charts."""
    today = _today()
    period = parse_period(request.args.get("period"), today)
    query = visible_staff(current_user)
    area_id = request.args.get("area", type=int)
    if area_id:
        query = query.where(User.area_id == area_id)
    everyone = db.session.scalars(query.with_only_columns(User.id)).all()
    page = db.paginate(query.options(selectinload(User.area)).order_by(User.display_name, User.id),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    rows = attainment_rows(page.items, period, today)
    chart_months = period if period.kind != "month" else parse_period(
        f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}", today)
    # One pass over the sales of the chart's months (they cover the period) for all three.
    sales = sales_breakdown(everyone, chart_months.start, chart_months.end) if everyone else []
    team = team_figures(everyone, period, sales) if len(everyone) > 1 else None
    lines = {p.id: p for p in db.session.scalars(select(ProductLine))}
    by_line = ([(lines[k], t, s) for k, t, s in product_line_rows(everyone, period, sales)]
               if everyone else [])
    series = monthly_series(everyone, chart_months.start, chart_months.end, sales) if everyone else []
    monthly = grouped_bars([m for m, _t, _s in series], [
        (_("Target"), "series-target", [t for _m, t, _s in series]),
        (_("Sales"), "series-sales", [s for _m, _t, s in series])])
    threshold = at_risk_threshold()
    people_chart = horizontal_percent_bars([(r.user.display_name, r.pro_rated) for r in rows],
                                           threshold)
    areas = db.session.scalars(select(Area).order_by(Area.code)).all() if len(everyone) > 1 else []
    return render("targets/index.html", "targets/_results.html", period=period, rows=rows,
                  team=team, by_line=by_line, monthly=monthly, people_chart=people_chart,
                  page=page, periods=_periods(today), threshold=threshold, areas=areas,
                  can_set=bool(current_user.has_role(Role.MANAGER)))


@bp.route("/people/<int:user_id>")
def person(user_id: int):
    """One person's attainment by month over a year, targets, and service duties' fulfilment."""
    user = get_user_or_404(current_user, user_id)
    today = _today()
    period = parse_period(request.args.get("period"), today)
    year = parse_period(str(period.start.year), today)
    series = monthly_series([user.id], year.start, year.end)
    chart = grouped_bars([m for m, _t, _s in series], [
        (_("Target"), "series-target", [t for _m, t, _s in series]),
        (_("Sales"), "series-sales", [s for _m, _t, s in series])])
    row = attainment_rows([user], period, today)[0]
    targets = db.session.scalars(
        select(SalesTarget).where(SalesTarget.user_id == user.id,
                                  SalesTarget.month >= year.start, SalesTarget.month <= year.end)
        .options(selectinload(SalesTarget.product_line), selectinload(SalesTarget.customer_type))
        .order_by(SalesTarget.month, SalesTarget.id)).all()
    duties = [(d, measure(d, user.id, period.start, period.end)) for d in duties_for(user.id)]
    return render("targets/person.html", user=user, period=period, periods=_periods(today),
                  chart=chart, row=row, targets=targets, duties=duties,
                  can_change=manages(current_user, user.id))


# --- the grid ----------------------------------------------------------------------------------

def _grid_dims():
    """The product line and customer type the grid edits (None: overall)."""
    line_id = request.values.get("line", type=int) or None
    type_id = request.values.get("ctype", type=int) or None
    if line_id and db.session.get(ProductLine, line_id) is None:
        abort(404)
    if type_id and db.session.get(CustomerType, type_id) is None:
        abort(404)
    return line_id, type_id


def _grid_targets(user_ids, months, line_id, type_id) -> dict:
    """{(user id, month): target} of the grid's dimension, in one query."""
    if not user_ids:
        return {}
    query = select(SalesTarget).where(
        SalesTarget.user_id.in_(user_ids), SalesTarget.month >= months[0],
        SalesTarget.month <= months[-1],
        SalesTarget.product_line_id.is_(None) if line_id is None
        else SalesTarget.product_line_id == line_id,
        SalesTarget.customer_type_id.is_(None) if type_id is None
        else SalesTarget.customer_type_id == type_id)
    return {(t.user_id, t.month): t for t in db.session.scalars(query)}


TARGET_FIELDS = ["user_id", "month", "product_line_id", "customer_type_id", "amount", "status"]


def _save_cell(user_id: int, month: date, line_id, type_id, text: str, existing):
    """Validate and apply one cell; return the error text or None. Writes the audit entry."""
    text = (text or "").strip()
    if existing is not None and existing.status == TargetStatus.APPROVED:
        if text and parse_amount(text) == existing.amount:
            return None
        return _("Approved: change it with its own form.")
    if not text:
        if existing is not None:
            audit.record("target.delete", "sales_target", existing.id,
                         audit.snapshot(existing, TARGET_FIELDS), None)
            db.session.delete(existing)
        return None
    amount = parse_amount(text)
    if amount is None:
        return _("Enter a positive amount of yuan with at most two decimals.")
    if existing is None:
        target = SalesTarget(user_id=user_id, month=month, product_line_id=line_id,
                             customer_type_id=type_id, amount=amount)
        db.session.add(target)
        db.session.flush()
        audit.record("target.create", "sales_target", target.id, None,
                     audit.snapshot(target, TARGET_FIELDS))
    elif existing.amount != amount:
        before = audit.snapshot(existing, TARGET_FIELDS)
        existing.amount = amount
        audit.record("target.update", "sales_target", existing.id, before,
                     audit.snapshot(existing, TARGET_FIELDS))
    return None


def _require_manager():
    if not current_user.has_role(Role.MANAGER):
        abort(403)


@bp.route("/grid", methods=["GET", "POST"])
def grid():
    """The manager's grid of the team's monthly targets for a quarter or year.

    Each cell saves itself with htmx; without JavaScript the whole grid is one form. A wrong
    cell refuses the whole form (422, typed values kept, nothing saved).
    """
    _require_manager()
    today = _today()
    period = parse_period(request.values.get("period"), today)
    if period.kind == "month":
        period = parse_period(f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}", today)
    line_id, type_id = _grid_dims()
    months = months_in(period.start, period.end)
    people = db.session.scalars(managed_staff(current_user).order_by(User.display_name)).all()
    targets = _grid_targets([p.id for p in people], months, line_id, type_id)
    errors, typed = {}, {}
    if request.method == "POST":
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        for person_ in people:
            for month in months:
                key = f"cell-{person_.id}-{month:%Y%m}"
                if key not in request.form:
                    continue
                typed[(person_.id, month)] = request.form[key]
                error = _save_cell(person_.id, month, line_id, type_id, request.form[key],
                                   targets.get((person_.id, month)))
                if error:
                    errors[(person_.id, month)] = error
        if errors:
            db.session.rollback()
            targets = _grid_targets([p.id for p in people], months, line_id, type_id)
        else:
            db.session.commit()
            flash(_("Targets saved."), "success")
            return redirect(url_for("targets.grid", period=period.key, line=line_id,
                                    ctype=type_id), code=303)
    return render("targets/grid.html", period=period, months=months, people=people,
                  targets=targets, errors=errors, typed=typed, line_id=line_id, type_id=type_id,
                  lines=db.session.scalars(select(ProductLine).order_by(ProductLine.code)).all(),
                  types=db.session.scalars(select(CustomerType).order_by(CustomerType.code)).all(),
                  periods=[p for p in _periods(today) if p.kind != "month"],
                  form=ConfirmForm(), status=422 if errors else 200)


@bp.route("/grid/cell", methods=["POST"])
def grid_cell():
    """Save one cell of the grid (htmx) and answer the cell, 422 with the message when wrong."""
    _require_manager()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user_id = request.form.get("user_id", type=int)
    try:
        month = month_start(date.fromisoformat(request.form.get("month", "")))
    except ValueError:
        abort(404)
    if not user_id or not manages(current_user, user_id):
        abort(404)
    line_id, type_id = _grid_dims()
    existing = _grid_targets([user_id], [month], line_id, type_id).get((user_id, month))
    # Inside the grid's form htmx sends every cell; this one is named after its person and month.
    text = request.form.get(f"cell-{user_id}-{month:%Y%m}", request.form.get("value", ""))
    error = _save_cell(user_id, month, line_id, type_id, text, existing)
    if error:
        db.session.rollback()
    else:
        db.session.commit()
    target = _grid_targets([user_id], [month], line_id, type_id).get((user_id, month))
    if not is_htmx():
        return redirect(url_for("targets.grid", period=request.form.get("period"),
                                line=line_id, ctype=type_id), code=303)
    return render("targets/_cell.html", person_id=user_id, month=month, target=target,
                  error=error, value=text, line_id=line_id, type_id=type_id,
                  status=422 if error else 200)


@bp.route("/approve", methods=["GET", "POST"])
def approve():
    """Confirm, then approve and lock the team's draft targets of a period (audited)."""
    _require_manager()
    today = _today()
    period = parse_period(request.values.get("period"), today)
    team = select(User.id).where(User.id.in_(
        managed_staff(current_user).with_only_columns(User.id)))
    drafts = select(SalesTarget).where(
        SalesTarget.user_id.in_(team), SalesTarget.status == TargetStatus.DRAFT,
        SalesTarget.month >= period.start, SalesTarget.month <= period.end)
    form = ConfirmForm()
    if form.validate_on_submit():
        rows = db.session.scalars(drafts).all()
        now = utcnow()
        for target in rows:
            target.status = TargetStatus.APPROVED
            target.approved_by_id = current_user.id
            target.approved_at = now
            audit.record("target.approve", "sales_target", target.id,
                         {"status": "draft"}, {"status": "approved"})
        db.session.commit()
        flash(_("%(n)d targets approved and locked.", n=len(rows)), "success")
        return redirect(url_for("targets.grid", period=period.key), code=303)
    count = db.session.scalar(drafts.with_only_columns(func.count(SalesTarget.id)))
    return render("confirm.html", form=form,
                  question=_("Approve the %(n)d draft targets of your team for %(period)s? "
                             "Approved targets are locked; changing one later is recorded in "
                             "the audit log.", n=count, period=period.key),
                  action=_("Approve"), cancel=url_for("targets.grid", period=period.key))


@bp.route("/<int:target_id>/change", methods=["GET", "POST"])
def change(target_id: int):
    """A manager changes an approved (locked) target, giving the reason; audited."""
    target = get_target_or_404(current_user, target_id)
    if not manages(current_user, target.user_id):
        abort(403)
    form = TargetChangeForm()
    if request.method == "GET":
        form.amount.data = str(target.amount)
    if form.validate_on_submit():
        before = audit.snapshot(target, TARGET_FIELDS)
        target.amount = form.amount.amount
        after = audit.snapshot(target, TARGET_FIELDS)
        after["reason"] = form.reason.data
        before["reason"] = None
        audit.record("target.change_approved", "sales_target", target.id, before, after)
        db.session.commit()
        flash(_("Target changed; the change is in the audit log."), "success")
        return redirect(url_for("targets.person", user_id=target.user_id,
                                period=f"{target.month:%Y-%m}"), code=303)
    return render("targets/change.html", form=form, target=target,
                  status=422 if form.errors else 200)


# --- sales -------------------------------------------------------------------------------------

def _sales_query():
    """Visible sales with the list's filters applied."""
    args = request.args
    query = visible_sales(current_user).options(selectinload(SalesRecord.customer),
                                                selectinload(SalesRecord.product_line))
    q = search_text(args)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Customer.name).like(like),
                                func.lower(Customer.code).like(like),
                                func.lower(SalesRecord.reference).like(like)))
    if args.get("line", type=int):
        query = query.where(SalesRecord.product_line_id == args.get("line", type=int))
    for name, op in (("from", "__ge__"), ("to", "__le__")):
        try:
            day = date.fromisoformat(args.get(name, ""))
        except ValueError:
            continue
        query = query.where(getattr(SalesRecord.sold_on, op)(day))
    sort = args.get("sort", "-date")
    column = {"date": SalesRecord.sold_on, "amount": SalesRecord.amount,
              "customer": Customer.name}.get(sort.lstrip("-"), SalesRecord.sold_on)
    return query.order_by(column.desc() if sort.startswith("-") else column, SalesRecord.id.desc())


def _credited(sale_ids) -> dict[int, str]:
    """Who each sale is credited to, in one query."""
    if not sale_ids:
        return {}
    return dict(db.session.execute(
        select(SalesRecord.id, User.display_name)
        .join(CustomerAssignment, credit_join())
        .join(User, User.id == CustomerAssignment.account_manager_id)
        .where(SalesRecord.id.in_(sale_ids))).all())


@bp.route("/sales")
def sales():
    """Sales records of the visible customers, with search, filters, sorting and pagination."""
    query = _sales_query()
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    total = db.session.scalar(query.with_only_columns(func.coalesce(func.sum(SalesRecord.amount), 0))
                              .order_by(None))
    return render("targets/sales.html", "targets/_sales_results.html", page=page,
                  credited=_credited([s.id for s in page.items]), total=Decimal(total),
                  lines=db.session.scalars(select(ProductLine).order_by(ProductLine.code)).all())


def _sale_form_choices(form: SaleForm) -> None:
    # Only the columns shown: an area has thousands of customers (ORM objects cost 0.4 s at M).
    form.customer_id.choices = [(0, _("— choose —"))] + [
        (i, f"{code} {name}") for i, code, name in db.session.execute(
            visible_customers(current_user).order_by(Customer.code)
            .with_only_columns(Customer.id, Customer.code, Customer.name))]
    form.product_line_id.choices = [(0, _("— choose —"))] + [
        (p.id, p.label) for p in db.session.scalars(
            select(ProductLine).where(ProductLine.active.is_(True)).order_by(ProductLine.code))]


@bp.route("/sales/new", methods=["GET", "POST"])
def sale_create():
    """Enter one sale for a customer the user may see."""
    if not current_user.has_role(Role.STAFF, Role.MANAGER):
        abort(403)
    form = SaleForm()
    _sale_form_choices(form)
    ok = form.validate_on_submit()
    if ok and form.reference.data and db.session.scalar(select(SalesRecord.id).where(
            SalesRecord.customer_id == form.customer_id.data,
            SalesRecord.reference == form.reference.data).limit(1)):
        form.reference.errors.append(_("A sale with this reference is already recorded for "
                                       "this customer."))
        ok = False
    if ok:
        sale = SalesRecord(customer_id=form.customer_id.data, sold_on=form.sold_on.data,
                           product_line_id=form.product_line_id.data,
                           amount=form.amount.amount, reference=form.reference.data or "",
                           entered_by_id=current_user.id)
        db.session.add(sale)
        db.session.flush()
        audit.record("sale.create", "sales_record", sale.id, None,
                     audit.snapshot(sale, ["customer_id", "sold_on", "product_line_id",
                                           "amount", "reference"]))
        db.session.commit()
        flash(_("Sale saved."), "success")
        return redirect(url_for("targets.sales"), code=303)
    return render("targets/sale_form.html", form=form, status=422 if form.errors else 200)


@bp.route("/sales/<int:sale_id>/delete", methods=["GET", "POST"])
def sale_delete(sale_id: int):
    """Confirm, then delete a wrong sale (managers only; audited)."""
    sale = get_sale_or_404(current_user, sale_id)
    if not current_user.has_role(Role.MANAGER):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        audit.record("sale.delete", "sales_record", sale.id,
                     audit.snapshot(sale, ["customer_id", "sold_on", "product_line_id",
                                           "amount", "reference"]), None)
        db.session.delete(sale)
        db.session.commit()
        flash(_("Sale deleted."), "success")
        return redirect(url_for("targets.sales"), code=303)
    return render("confirm.html", form=form,
                  question=_("Delete the sale of %(amount)s to %(name)s on %(day)s?",
                             amount=sale.amount, name=sale.customer.name, day=sale.sold_on),
                  action=_("Delete"), cancel=url_for("targets.sales"))


@bp.route("/sales/import", methods=["GET", "POST"])
def sale_import():
    """Check a CSV/Excel file row by row; import everything (refused if a row is wrong) or,
    explicitly, the good rows only. The file travels in the form, so no server keeps state."""
    if not current_user.has_role(Role.STAFF, Role.MANAGER):
        abort(403)
    form = ImportForm()
    report, error, content_b64, filename = None, None, "", ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        upload = request.files.get("file")
        if upload and upload.filename:
            content = upload.read(MAX_UPLOAD + 1)
            filename = upload.filename.replace("\x00", "")
        else:
            content_b64 = request.form.get("content", "")
            filename = request.form.get("filename", "")  # NUL refused by portal.input_guard
            try:
                content = base64.b64decode(content_b64, validate=True)
            except ValueError:
                content = b""
        if not content:
            error = _("Choose a file.")
        elif len(content) > MAX_UPLOAD:
            error = _("The file is larger than 2 MB.")
        else:
            try:
                report = check_file(filename, content, visible_customers(current_user), _today())
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
    status = 422 if error else 200
    return render("targets/import.html", form=form, report=report, error=error,
                  content=content_b64, filename=filename, status=status)


@bp.route("/sales/export")
def sale_export():
    """The filtered sales as CSV or Excel, in the import's columns."""
    records = db.session.scalars(_sales_query()).all()
    credited = {}
    for chunk in range(0, len(records), 500):
        credited.update(_credited([r.id for r in records[chunk:chunk + 500]]))
    rows = export_rows((r, credited.get(r.id, "")) for r in records)
    if request.args.get("format") == "xlsx":
        response = make_response(to_xlsx(rows))
        response.headers["Content-Type"] = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.headers["Content-Disposition"] = "attachment; filename=sales.xlsx"
    else:
        response = make_response(to_csv(rows))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = "attachment; filename=sales.csv"
    return response


# --- service duties ----------------------------------------------------------------------------

@bp.route("/duties")
def duties():
    """The service duties, and the measured fulfilment of each visible account manager."""
    today = _today()
    period = parse_period(request.args.get("period"), today)
    all_duties = db.session.scalars(select(ServiceDuty).options(selectinload(ServiceDuty.area))
                                    .order_by(ServiceDuty.id)).all()
    page = db.paginate(visible_staff(current_user).order_by(User.display_name, User.id),
                       per_page=10, error_out=False)
    applying = duties_for_people(page.items)
    values = measure_people(applying, period.start, period.end)
    fulfilment = []
    for person_ in page.items:
        measured = [(d, values[(d.id, person_.id)]) for d in applying[person_.id]]
        fulfilment.append((person_, measured, average_fulfilment([v for _d, v in measured])))
    editable = set(db.session.scalars(editable_duties(current_user)
                                      .with_only_columns(ServiceDuty.id)))
    return render("targets/duties.html", duties=all_duties, page=page, fulfilment=fulfilment,
                  period=period, periods=_periods(today), editable=editable,
                  installed=set(DUTY_KINDS),
                  can_add=current_user.has_role(Role.ADMIN) or bool(headed_area_ids(current_user)))


def _duty_form(duty=None) -> DutyForm:
    form = DutyForm(obj=duty)
    form.role.choices = [(r.value, r.label) for r in Role]
    form.kind.choices = kind_choices()
    if duty is not None and request.method == "GET":
        form.tier.data = duty.tier or ""
    return form


def _apply_duty(form: DutyForm, duty: ServiceDuty) -> None:
    for name in ("name", "role", "kind", "parameter", "expected_percent", "description", "active"):
        setattr(duty, name, getattr(form, name).data)
    duty.name_en = form.name_en.data or ""
    duty.description = form.description.data or ""
    duty.tier = form.tier.data or None


DUTY_FIELDS = ["name", "name_en", "role", "area_id", "kind", "tier", "parameter",
               "expected_percent", "active"]


@bp.route("/duties/new", methods=["GET", "POST"])
def duty_create():
    """Add a duty: administrators for every area, managers for the areas they head."""
    areas = headed_area_ids(current_user)
    if not current_user.has_role(Role.ADMIN) and not areas:
        abort(403)
    form = _duty_form()
    if form.validate_on_submit():
        duty = ServiceDuty(area_id=None if current_user.has_role(Role.ADMIN) else areas[0])
        _apply_duty(form, duty)
        db.session.add(duty)
        db.session.flush()
        audit.record("duty.create", "service_duty", duty.id, None, audit.snapshot(duty, DUTY_FIELDS))
        db.session.commit()
        flash(_("Duty saved."), "success")
        return redirect(url_for("targets.duties"), code=303)
    return render("targets/duty_form.html", form=form, duty=None,
                  status=422 if form.errors else 200)


@bp.route("/duties/<int:duty_id>/edit", methods=["GET", "POST"])
def duty_edit(duty_id: int):
    """Change a duty the user may change (everyone sees them; 403 for the others)."""
    duty = get_duty_or_404(current_user, duty_id)
    if db.session.scalar(editable_duties(current_user).where(ServiceDuty.id == duty.id)
                         .with_only_columns(ServiceDuty.id)) is None:
        abort(403)
    form = _duty_form(duty)
    if form.validate_on_submit():
        before = audit.snapshot(duty, DUTY_FIELDS)
        _apply_duty(form, duty)
        audit.record("duty.update", "service_duty", duty.id, before,
                     audit.snapshot(duty, DUTY_FIELDS))
        db.session.commit()
        flash(_("Duty saved."), "success")
        return redirect(url_for("targets.duties"), code=303)
    return render("targets/duty_form.html", form=form, duty=duty,
                  status=422 if form.errors else 200)


# --- home panel --------------------------------------------------------------------------------

@panel("targets/_home_panel.html", order=20)
def home_panel(user: User):
    """This quarter's attainment: one's own, and the team's at-risk people for managers."""
    today = _today()
    period = parse_period(None, today)
    own = attainment_rows([user], period, today)[0] if user.has_role(Role.STAFF) else None
    team = []
    if user.has_role(Role.MANAGER):
        team = attainment_rows(db.session.scalars(managed_staff(user)).all(), period, today)
    if own is None and not team:
        return None
    return {"period": period, "own": own, "at_risk": [r for r in team if r.at_risk],
            "team": team_total(team) if team else None}
