"""Partials other pages include with one line (htmx loads them): recommendations on a customer's
page, a report's stale deals in a one-on-one, the forecast and attainment by customer type on the
targets page and the manager's dashboard, and that attainment's export."""
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from portal import spreadsheets
from portal.customers.queries import get_customer_or_404
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.downloads import download
from portal.kernel.periods import Period
from portal.models import CustomerType
from portal.extensions import db
from portal.pipeline import bp
from portal.pipeline.queries import lines_by_id, recommendations, report_scope, stale_opportunities
from portal.pipeline.services import attainment_by_customer_type, forecast
from portal.pipeline.views.manager import _forecast_people_ids, forecast_context
from portal.targets.services import percent


@bp.route("/customers/<int:customer_id>/recommendations")
def recommendations_panel(customer_id: int):
    """Product lines similar customers buy and this one does not, with the reason."""
    customer = get_customer_or_404(current_user, customer_id)
    total, rows = recommendations(customer)
    lines = lines_by_id()
    return render("pipeline/_recommendations.html", customer=customer, total=total,
                  rows=[(lines[k], n) for k, n in rows])


@bp.route("/people/<int:user_id>/stale")
def person_stale(user_id: int):
    """A person's stale deals, as talking points (one-on-one page)."""
    if not report_scope(current_user, user_id):
        abort(404)
    today = clock.today()
    return render("pipeline/_talking_points.html",
                  deals=stale_opportunities(current_user, today, owner_id=user_id), today=today)


@bp.route("/forecast/panel")
def forecast_panel():
    """The forecast as a panel (targets page, manager's dashboard)."""
    return render("pipeline/_forecast_panel.html", **forecast_context())


def _type_rows(period: Period):
    ids = _forecast_people_ids("team" if not request.args.get("me") else "me",
                               request.args.get("area", type=int))
    rows = attainment_by_customer_type(ids, period)
    lines = lines_by_id()
    types = {t.id: t for t in db.session.scalars(db.select(CustomerType))}
    return [(lines.get(line) if line else None, types.get(type_id), target, sold,
             percent(sold, target)) for line, type_id, target, sold in rows]


@bp.route("/attainment-by-type")
def attainment_by_type():
    """Attainment by customer type and by product line × customer type (targets page)."""
    period = Period.parse(request.args.get("period")) or Period.quarter_of(clock.today())
    return render("pipeline/_by_type.html", period=period, rows=_type_rows(period))


def export_columns() -> list[spreadsheets.Column]:
    """The by-type export's columns in the reader's language (codes beside the names, so the
    file can be matched back)."""
    C = spreadsheets.Column
    return [C(_("Period"), "text", 10), C(_("Product line")), C(_("Product line code")),
            C(_("Customer type")), C(_("Customer type code")), C(_("Target"), "money"),
            C(_("Sales"), "money"), C(_("Attainment (%)"), "number")]


@bp.route("/attainment-by-type/export")
def attainment_by_type_export():
    period = Period.parse(request.args.get("period")) or Period.quarter_of(clock.today())
    rows = [[period.key, line.label if line else "", line.code if line else "",
             kind.label if kind else _("No type"), kind.code if kind else "",
             target, sold, pct] for line, kind, target, sold, pct in _type_rows(period)]
    stem = "-".join([_("Attainment by customer type"), spreadsheets.scope_name(current_user),
                     period.key])
    if request.args.get("format") == "xlsx":
        return download(spreadsheets.xlsx_bytes(_("Attainment"), export_columns(), rows),
                        f"{stem}.xlsx")
    return download(spreadsheets.csv_bytes(export_columns(), rows), f"{stem}.csv")


__all__ = ["_", "forecast"]
