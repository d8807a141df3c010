"""The start page, payout statements of a period (frozen once approved, else computed live),
their exports, and the approval that freezes a period."""
from decimal import Decimal

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import spreadsheets
from portal.extensions import db
from portal.htmx import render
from portal.incentives import bp
from portal.incentives import services as pay
from portal.incentives.forms import PeriodForm, WhatIfForm
from portal.incentives.queries import (frozen_statements, get_pay_user_or_404, payees,
                                       pay_visible_users, winners)
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.downloads import download
from portal.kernel.formats import percent
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.kernel.periods import Period
from portal.models import ProductLine, Role
from portal.models.incentives import BANDS


def _period_from_request() -> tuple[PeriodForm, Period | None]:
    """The period asked for in the query string (default: last month), with its form."""
    form = PeriodForm(request.args)
    if not form.period.data:
        form.period.data = pay.default_period(clock.today()).key
    if not form.validate():
        return form, None
    period = pay.parse_period(form.period.data)
    if period is None:  # well formed, but a year the calendar does not cover (0001, 9999)
        form.period.errors.append(PeriodForm.OUT_OF_RANGE)
    return form, period


def _note_text(line: pay.Line) -> str:
    """A statement line's note in the reader's language."""
    notes = {
        "no_band": _("No appraisal band for the period: no data."),
        "no_multiplier": _("The rules have no multiplier for this band."),
        "no_sales": _("No sales records are available: no data."),
        "no_attainment": _("The rate depends on attainment, and there is no attainment figure: "
                           "no data."),
        "below_tiers": _("Attainment below the lowest tier: no commission."),
    }
    if line.note.startswith("from "):
        return _("Tier from %(pct)s attainment", pct=percent(Decimal(line.note[5:])))
    return notes.get(line.note, "")


def _line_label(line: pay.Line) -> str:
    """A statement line's label in the reader's language."""
    if line.kind == "base":
        return _("Base pay")
    if line.kind == "bonus":
        return _("Performance bonus") + (f" ({line.note})" if line.note in BANDS else "")
    if line.label == "commission":
        return _("Commission")
    return _("Commission: %(line)s", line=_product_line_labels().get(line.product_line_id,
                                                                      line.label))


def _product_line_labels() -> dict[int, str]:
    """Product line names in the reader's language, read once per request."""
    if "product_line_labels" not in g:
        g.product_line_labels = {pl.id: pl.label for pl in db.session.scalars(select(ProductLine))}
    return g.product_line_labels


@bp.app_template_global()
def payout_line_label(line) -> str:
    """Template access to a line's label."""
    return _line_label(line)


@bp.app_template_global()
def payout_line_note(line) -> str:
    """Template access to a line's note."""
    return _note_text(line)


# --- start page ---------------------------------------------------------------------------------

@bp.route("/")
def index():
    """My statements, and for HR the rules, the periods and the settings; awards and activities."""
    periods = [p.key for p in pay.recent_periods(clock.today())]
    recent = db.session.scalars(winners(5)).all()
    return render("incentives/index.html", periods=periods, winners=recent,
                  sees_reports=current_user.has_role(Role.MANAGER) and pay.managers_see_reports())


# --- statements ---------------------------------------------------------------------------------

@bp.route("/statements")
def statements():
    """The statements of a period the viewer may read: frozen if approved, else computed live."""
    form, period = _period_from_request()
    if period is None:
        return render("incentives/statements.html", "incentives/_statement_rows.html", form=form,
                      period=None, page=None, rows=[], approval=None, status=422)
    listing = Listing(filters=("period",))
    approval = pay.approval_of(period.key)
    if approval is not None:
        page = listing.paginate(frozen_statements(current_user, approval.id))
        rows = [(s.user, pay.frozen_statement(s)) for s in page.items]
    else:
        page = listing.paginate(payees(current_user, pay.version_in_force(period.start)))
        rows = pay.live_statements(page.items, period)
    return render("incentives/statements.html", "incentives/_statement_rows.html", form=form,
                  period=period, page=page, rows=rows, approval=approval)


@bp.route("/statements/<int:payee_id>")
def statement(payee_id: int):
    """One person's statement of a period, its lines and sales, and a what-if at an attainment."""
    person = get_pay_user_or_404(current_user, payee_id)
    form, period = _period_from_request()
    what_if_form = WhatIfForm(request.args)
    context = dict(person=person, form=form, what_if_form=what_if_form, period=period,
                   approval=None, statement=None, inputs=None, what_if=None)
    if period is None:
        return render("incentives/statement.html", status=422, **context)
    approval = pay.approval_of(period.key)
    context["approval"] = approval
    if approval is not None:
        frozen = pay.frozen_statement_of(approval, person.id)
        if frozen is not None:
            context["statement"] = pay.frozen_statement(frozen)
            context["frozen_inputs"] = frozen.inputs
        return render("incentives/statement.html", **context)
    inputs = pay.gather_inputs([person.id], period).get(person.id)
    context["inputs"] = inputs
    if inputs is not None:
        context["statement"] = pay.statement_from(inputs, period)
        if not what_if_form.validate():
            return render("incentives/statement.html", status=422, **context)
        if what_if_form.what_if.data is not None:
            context["what_if"] = pay.statement_from(inputs, period,
                                                    Decimal(what_if_form.what_if.data))
    return render("incentives/statement.html", **context)


def _export_rows(period: Period) -> tuple[list[str], list[list]]:
    """The rows of a period's export: one per person the viewer may read, frozen or live."""
    C = spreadsheets.Column
    header = [C(_("Username"), "text", 14), C(_("Name"), "text", 14), C(_("Area"), "text", 14),
              C(_("Period"), "text", 10), C(_("Base pay"), "money"),
              C(_("Performance bonus"), "money"), C(_("Commission"), "money"),
              C(_("Total"), "money"), C(_("Complete"), "text", 8)]
    approval = pay.approval_of(period.key)
    if approval is not None:
        people = [(s.user, pay.frozen_statement(s))
                  for s in db.session.scalars(frozen_statements(current_user, approval.id))]
    else:
        people = pay.live_statements(db.session.scalars(pay_visible_users(current_user)).all(),
                                     period)
    rows = [[user.username, user.display_name, user.area.label if user.area else "", period.key,
             st.amount_of("base"), st.amount_of("bonus"), st.amount_of("commission"), st.total,
             _("yes") if st.complete else _("no")] for user, st in people]
    return header, rows


@bp.route("/statements/export.csv")
def export_csv():
    """The period's statements the viewer may read, as CSV (personal: never cached)."""
    form, period = _period_from_request()
    if period is None:
        abort(404)
    header, rows = _export_rows(period)
    return download(pay.to_csv(header, rows), f"payouts-{period.key}.csv", private=True)


@bp.route("/statements/export.xlsx")
def export_xlsx():
    """The period's statements the viewer may read, as an Excel workbook (never cached)."""
    form, period = _period_from_request()
    if period is None:
        abort(404)
    header, rows = _export_rows(period)
    return download(pay.to_xlsx(f"payouts {period.key}", header, rows),
                    f"payouts-{period.key}.xlsx", private=True)


@bp.route("/approve", methods=["GET", "POST"])
@audience(Role.HR)
def approve():
    """Confirm, then approve a period: its statements are frozen and it is locked."""
    form, period = _period_from_request()
    if period is None:
        abort(404)
    back = url_for("incentives.statements", period=period.key)
    if pay.approval_of(period.key) is not None:
        flash(_("%(period)s is already approved and locked.", period=period.key), "warning")
        return redirect(back, code=303)
    if pay.version_in_force(period.start) is None:
        flash(_("No pay rules are in force for %(period)s.", period=period.key), "error")
        return redirect(back, code=303)
    confirm = ConfirmForm()
    if confirm.validate_on_submit():
        pay.approve_period(period, current_user.id)
        db.session.commit()
        flash(_("%(period)s approved: its statements are final.", period=period.key), "success")
        return redirect(back, code=303)
    return render("confirm.html", form=confirm, action=_("Approve and lock"), cancel=back,
                  question=_("Approve the payouts of %(period)s? The statements are frozen as "
                             "they are now and can no longer change.", period=period.key))
