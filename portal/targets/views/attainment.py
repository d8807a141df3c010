"""Attainment per person, team and product line; one person's year; the home panel."""
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal import spreadsheets
from portal.access import get_user_or_404, manages
from portal.extensions import db
from portal.kernel.panels import panel
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.downloads import download
from portal.kernel.lists import Listing
from portal.kernel.periods import Period
from portal.models import Role, User
from portal.targets import bp, queries, services
from portal.kernel.bar_charts import grouped_bars, horizontal_percent_bars
from portal.targets.duties import duties_for, measure
from portal.targets.figures import percent


def _monthly_chart(series):
    """Target and sales bars per month of a monthly_series."""
    return grouped_bars([m for m, _t, _s in series], [
        (_("Target"), "series-target", [t for _m, t, _s in series]),
        (_("Sales"), "series-sales", [s for _m, _t, s in series])])


@bp.route("/")
def index():
    """Attainment per person, team and product line for a period, with at-risk flags and charts."""
    today = clock.today()
    listing = Listing(filters=("period", "area"))
    period = services.parse_period(listing.get("period"), today)
    query = queries.attainment_people(current_user, listing.get("area", type=int))
    page = listing.paginate(query.options(selectinload(User.area))
                            .order_by(User.display_name, User.id))
    rows = services.attainment_rows(page.items, period, today)
    # Everyone's figures (not only this page's) read through the scope's query of ids: the
    # database joins it, instead of being sent 2,000 ids in every statement.
    everyone = query.with_only_columns(User.id) if page.total else None
    chart_months = services.quarter_of_month(period)
    # One pass over the sales of the chart's months (they cover the period) for all three.
    sales = (services.sales_breakdown(everyone, chart_months.start, chart_months.end)
             if everyone is not None else [])
    team = services.team_figures(everyone, period, sales) if page.total > 1 else None
    lines = {p.id: p for p in queries.product_lines()}
    by_line = ([(lines[k], t, s) for k, t, s in services.product_line_rows(everyone, period, sales)]
               if everyone is not None else [])
    by_type = _type_rows(everyone, period, lines, sales)
    series = (services.monthly_series(everyone, chart_months.start, chart_months.end, sales)
              if everyone is not None else [])
    threshold = services.at_risk_threshold()
    people_chart = horizontal_percent_bars([(r.user.display_name, r.pro_rated) for r in rows],
                                           threshold)
    return render("targets/index.html", "targets/_results.html", period=period, rows=rows,
                  team=team, by_line=by_line, monthly=_monthly_chart(series),
                  by_type=[r for r in by_type if r[0] is None],
                  by_line_type=[r for r in by_type if r[0] is not None],
                  people_chart=people_chart, page=page, periods=services.period_choices(today),
                  threshold=threshold, areas=queries.areas() if page.total > 1 else [],
                  can_set=bool(current_user.has_role(Role.MANAGER)))


def _type_rows(user_ids, period: Period, lines=None, breakdown=None) -> list[tuple]:
    """(product line or None, customer type or None, target, sales, attainment) rows."""
    if user_ids is None:
        return []
    lines = lines or {p.id: p for p in queries.product_lines()}
    types = {t.id: t for t in queries.customer_types()}
    return [(lines.get(line) if line else None, types.get(kind) if kind else None, target, sold,
             percent(sold, target))
            for line, kind, target, sold in services.customer_type_rows(user_ids, period, breakdown)]


@bp.route("/attainment/export")
def attainment_export():
    """The attainment page's figures as CSV or Excel: per person, product line, customer type and
    product line × customer type, for the period and area shown."""
    today = clock.today()
    listing = Listing(filters=("period", "area"))
    period = services.parse_period(listing.get("period"), today)
    query = queries.attainment_people(current_user, listing.get("area", type=int))
    people = db.session.scalars(query.options(selectinload(User.area))
                                .order_by(User.display_name, User.id)).all()
    everyone = [p.id for p in people]
    lines = {p.id: p for p in queries.product_lines()}
    rows = [[_("Account manager"), p.display_name, p.area.label if p.area else "", "",
             r.target, r.sales, r.percent] for p, r in zip(
                 people, services.attainment_rows(people, period, today))]
    if everyone:
        rows += [[_("Product line"), lines[k].label, "", "", t, s, percent(s, t)]
                 for k, t, s in services.product_line_rows(everyone, period)]
        for line, kind, target, sold, pct in _type_rows(everyone, period, lines):
            rows.append([_("Customer type") if line is None else _("Product line × customer type"),
                         line.label if line else "", "",
                         kind.label if kind else _("No type"), target, sold, pct])
    header = [_("Breakdown"), _("Name or product line"), _("Area"), _("Customer type"),
              _("Target"), _("Sales"), _("Attainment %")]
    stem = f"attainment-{period.key}"
    if request.args.get("format") == "xlsx":
        return download(spreadsheets.xlsx_bytes(_("Attainment"), header, rows), f"{stem}.xlsx")
    return download(spreadsheets.csv_bytes(header, rows), f"{stem}.csv")


@bp.route("/people/<int:user_id>")
def person(user_id: int):
    """One person's attainment by month over a year, targets, and service duties' fulfilment."""
    user = get_user_or_404(current_user, user_id)
    today = clock.today()
    period = services.parse_period(request.args.get("period"), today)
    year = Period.year_of(period.start)
    series = services.monthly_series([user.id], year.start, year.end)
    row = services.attainment_rows([user], period, today)[0]
    duties = [(d, measure(d, user.id, period.start, period.end)) for d in duties_for(user.id)]
    return render("targets/person.html", user=user, period=period,
                  periods=services.period_choices(today), chart=_monthly_chart(series), row=row,
                  targets=queries.person_targets(current_user, user.id, year), duties=duties,
                  can_change=manages(current_user, user.id))


@panel("targets/_home_panel.html", order=20)
def home_panel(user: User):
    """This quarter's attainment: one's own, and the team's at-risk people for managers."""
    today = clock.today()
    period = Period.quarter_of(today)
    own = services.attainment_rows([user], period, today)[0] if user.has_role(Role.STAFF) else None
    team = []
    if user.has_role(Role.MANAGER):
        team = services.attainment_rows(db.session.scalars(queries.managed_staff(user)).all(),
                                        period, today)
    if own is None and not team:
        return None
    return {"period": period, "own": own, "at_risk": [r for r in team if r.at_risk],
            "team": services.team_total(team) if team else None}
