"""The manager's target grid, one cell at a time, approval, changes of approved targets, and
the grid as a spreadsheet to fill in and import back (portal/targets/grid_sheet.py)."""
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wsgi import wrap_file

from portal import spreadsheets
from portal.access import manages
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.downloads import download
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import count_rows
from portal.kernel.periods import Period, month_start, months_between
from portal.models import CustomerType, ProductLine, Role, User
from portal.spreadsheets import flow
from portal.targets import bp, grid_sheet, queries, services
from portal.targets.forms import TargetChangeForm


def _dimensions():
    """The product line and customer type the grid edits (None: overall), from the request."""
    return queries.grid_dimensions(request.values.get("line", type=int),
                                   request.values.get("ctype", type=int))


@bp.route("/grid", methods=["GET", "POST"])
@audience(Role.MANAGER)
def grid():
    """The manager's grid of the team's monthly targets for a quarter or year.

    Each cell saves itself with htmx; without JavaScript the whole grid is one form. A wrong
    cell refuses the whole form (422, typed values kept, nothing saved).
    """
    today = clock.today()
    period = services.quarter_of_month(services.parse_period(request.values.get("period"), today))
    line_id, type_id = _dimensions()
    months = months_between(period.start, period.end)
    people = db.session.scalars(queries.managed_staff(current_user)
                                .order_by(User.display_name)).all()
    targets = queries.grid_targets([p.id for p in people], months, line_id, type_id)
    errors, typed = {}, {}
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        for person_ in people:
            for month in months:
                key = f"cell-{person_.id}-{month:%Y%m}"
                if key not in request.form:
                    continue
                typed[(person_.id, month)] = request.form[key]
                error = services.save_cell(person_.id, month, line_id, type_id,
                                           request.form[key], targets.get((person_.id, month)))
                if error:
                    errors[(person_.id, month)] = error
        if errors:
            db.session.rollback()
            targets = queries.grid_targets([p.id for p in people], months, line_id, type_id)
        else:
            db.session.commit()
            flash(_("Targets saved."), "success")
            return redirect(url_for("targets.grid", period=period.key, line=line_id,
                                    ctype=type_id), code=303)
    return render("targets/grid.html", period=period, months=months, people=people,
                  targets=targets, errors=errors, typed=typed, line_id=line_id, type_id=type_id,
                  lines=queries.product_lines(), types=queries.customer_types(),
                  periods=[p for p in services.period_choices(today) if p.kind != "month"],
                  form=ConfirmForm(), status=422 if errors else 200)


@bp.route("/grid/cell", methods=["POST"])
@audience(Role.MANAGER)
def grid_cell():
    """Save one cell of the grid (htmx) and answer the cell, 422 with the message when wrong."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user_id = request.form.get("user_id", type=int)
    try:
        month = month_start(date.fromisoformat(request.form.get("month", "")))
    except ValueError:
        abort(404)
    if not user_id or not manages(current_user, user_id):
        abort(404)
    line_id, type_id = _dimensions()
    existing = queries.grid_targets([user_id], [month], line_id, type_id).get((user_id, month))
    # Inside the grid's form htmx sends every cell; this one is named after its person and month.
    text = request.form.get(f"cell-{user_id}-{month:%Y%m}", request.form.get("value", ""))
    error = services.save_cell(user_id, month, line_id, type_id, text, existing)
    if error:
        db.session.rollback()
    else:
        db.session.commit()
    target = queries.grid_targets([user_id], [month], line_id, type_id).get((user_id, month))
    if not is_htmx():
        return redirect(url_for("targets.grid", period=request.form.get("period"),
                                line=line_id, ctype=type_id), code=303)
    return render("targets/_cell.html", person_id=user_id, month=month, target=target,
                  error=error, value=text, line_id=line_id, type_id=type_id,
                  status=422 if error else 200)


@bp.route("/approve", methods=["GET", "POST"])
@audience(Role.MANAGER)
def approve():
    """Confirm, then approve and lock the team's draft targets of a period (audited)."""
    period = services.parse_period(request.values.get("period"), clock.today())
    drafts = queries.team_drafts(current_user, period)
    form = ConfirmForm()
    if form.validate_on_submit():
        approved = services.approve_targets(db.session.scalars(drafts).all(), current_user)
        db.session.commit()
        flash(_("%(n)d targets approved and locked.", n=approved), "success")
        return redirect(url_for("targets.grid", period=period.key), code=303)
    return render("confirm.html", form=form,
                  question=_("Approve the %(n)d draft targets of your team for %(period)s? "
                             "Approved targets are locked; changing one later is recorded in "
                             "the audit log.", n=count_rows(drafts), period=period.key),
                  action=_("Approve"), cancel=url_for("targets.grid", period=period.key))


@bp.route("/<int:target_id>/change", methods=["GET", "POST"])
@audience(Role.MANAGER)
def change(target_id: int):
    """A manager changes an approved (locked) target, giving the reason; audited."""
    target = queries.get_target_or_404(current_user, target_id, check_manager=True)
    form = TargetChangeForm()
    if request.method == "GET":
        form.amount.data = str(target.amount)
    if form.validate_on_submit():
        services.change_approved_target(target, form.amount.amount, form.reason.data)
        db.session.commit()
        flash(_("Target changed; the change is in the audit log."), "success")
        return redirect(url_for("targets.person", user_id=target.user_id,
                                period=f"{target.month:%Y-%m}"), code=303)
    return render("targets/change.html", form=form, target=target,
                  status=422 if form.errors else 200)


# --- the grid as a spreadsheet: export to fill in, import back -------------------------------

@bp.route("/grid/export")
@audience(Role.MANAGER)
def grid_export():
    """The grid of a period (and product line / customer type) as Excel or CSV to fill in:
    people by username and name, a column per month, the targets as they are."""
    today = clock.today()
    period = services.quarter_of_month(services.parse_period(request.args.get("period"), today))
    line_id, type_id = _dimensions()
    months = months_between(period.start, period.end)
    people = db.session.scalars(queries.managed_staff(current_user)
                                .order_by(User.display_name)).all()
    targets = queries.grid_targets([p.id for p in people], months, line_id, type_id)
    line = db.session.get(ProductLine, line_id) if line_id else None
    ctype = db.session.get(CustomerType, type_id) if type_id else None
    rows = grid_sheet.export_rows(people, months, line, ctype, targets)
    columns = grid_sheet.export_columns(months)
    stem = "-".join([_("targets"), spreadsheets.scope_name(current_user), period.key])
    if request.args.get("format") == "xlsx":
        body = spreadsheets.xlsx_file(_("Team targets"), columns, rows)
        return download(wrap_file(request.environ, body), f"{stem}.xlsx")
    return download(wrap_file(request.environ, spreadsheets.csv_file(columns, rows)),
                    f"{stem}.csv")


@bp.route("/grid/import", methods=["GET", "POST"])
@audience(Role.MANAGER)
def grid_import():
    """Check a filled-in grid row by row (new, changed, unchanged targets; wrong rows), keep it
    on the server, then import all rows (refused if one is wrong) or the good rows only."""
    step = flow.check_step(
        ConfirmForm(), current_user, grid_sheet.KIND,
        lambda filename, content, sheet: grid_sheet.check_file(
            filename, content, current_user, sheet=sheet),
        answer_job=_imported_already)
    if step.answer is not None:
        return step.answer
    if step.confirmed:
        result = grid_sheet.import_rows(step.report, only_good=step.only_good)
        step.finish(result)
        db.session.commit()
        flash(_("%(n)d targets added, %(c)d changed, %(s)d unchanged; %(r)d rows left "
                "out.", n=result["new"], c=result["changed"], s=result["unchanged"],
                r=result["rejected"]), "success")
        return redirect(url_for("targets.grid", period=_period_key(step.report)), code=303)
    return render("targets/grid_import.html", **step.page)


def _imported_already(job_id: int):
    """A kept grid file sent again after its import: back to the grid."""
    flash(_("This file was imported already."), "warning")
    return redirect(url_for("targets.grid"), code=303)


def _period_key(report) -> str:
    """The quarter of the file's first month, for the grid shown after the import."""
    return Period.quarter_of(report.months[0]).key
