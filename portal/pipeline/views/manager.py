"""The manager's views: the team's pipeline, stale deals, win rates and losses, the forecast."""
from decimal import Decimal

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.access import visible_users
from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.bar_charts import grouped_bars
from portal.kernel.lists import Listing
from portal.kernel.periods import Period
from portal.models import Area, Role, User, UserRole
from portal.models.pipeline import Opportunity
from portal.pipeline import bp
from portal.pipeline.queries import (closed_by_line, closed_by_owner, closed_people, lines_by_id,
                                     loss_breakdown, product_lines,
                                     stages, stale_query, team_owners, team_pipeline,
                                     team_totals)
from portal.pipeline.services import forecast, forecast_rows, sum_forecasts, win_rates


@bp.route("/team")
def team():
    """Open deals per person and stage, with their amounts and weighted amounts: a page of
    people at a time (HR and admins see the whole company), the totals over everyone, summed
    in SQL; only the page's people are broken down by stage."""
    people, count, amount, weighted = team_totals(current_user)
    totals = {"amount": amount, "weighted": weighted, "count": count}
    listing = Listing(sorts={"name": User.display_name}, default_sort="name")
    page = listing.paginate(listing.order(team_owners(current_user), User.id), total=people)
    table: dict = {person.id: {"stages": {}, "amount": Decimal(0), "weighted": Decimal(0),
                               "count": 0} for person in page.items}
    for owner_id, stage_id, n, stage_amount, stage_weighted in team_pipeline(current_user,
                                                                            list(table)):
        entry = table[owner_id]
        entry["stages"][stage_id] = (n, stage_amount)
        entry["amount"] += Decimal(str(stage_amount or 0))
        entry["weighted"] += Decimal(str(stage_weighted or 0))
        entry["count"] += n
    return render("pipeline/team.html", rows=[(person, table[person.id]) for person in page.items],
                  page=page, totals=totals, stages=[s for s in stages() if s.outcome == "open"])


@bp.route("/stale")
def stale():
    """Open deals without activity for 30 days, or past their expected close date."""
    today = clock.today()
    # Keyset pages in the list's order (closing day, then id; ix_opportunities_close): a manager
    # of 5,000 customers' deals paid 30 ms a page at L on PostgreSQL to count them all.
    page = Listing().keyset(stale_query(current_user, today), Opportunity.expected_close,
                            Opportunity.id, descending=False)
    return render("pipeline/stale.html", deals=page.items, page=page, today=today)


def _period(default_kind: str = "quarter") -> Period:
    today = clock.today()
    return Period.parse(request.args.get("period")) or (
        Period.month_of(today) if default_kind == "month" else Period.quarter_of(today))


@bp.route("/analysis")
def analysis():
    """Win rate and cycle time per person (a page of people at a time, by name) and product
    line; loss reasons and competitors. Counted in SQL; only the page's people are tallied."""
    period = Period.parse(request.args.get("period")) or Period.year_of(clock.today())
    people, count = closed_people(current_user, period.start, period.end)
    listing = Listing(filters=("period",), sorts={"name": User.display_name}, default_sort="name")
    page = listing.paginate(listing.order(people, User.id), total=count)
    by_person = win_rates(closed_by_owner(current_user, period.start, period.end,
                                          [person.id for person in page.items]))
    by_line = win_rates(closed_by_line(current_user, period.start, period.end))
    reasons, winners = loss_breakdown(current_user, period.start, period.end)
    lines = lines_by_id()
    return render("pipeline/analysis.html", period=period, page=page,
                  by_person=[(person, by_person[person.id]) for person in page.items],
                  by_line=[(lines.get(k), v) for k, v in sorted(by_line.items())],
                  reasons=reasons, winners=winners)


def _forecast_query(scope: str, area_id: int | None):
    query = visible_users(current_user).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.STAFF, User.active.is_(True))
    return query.where(User.area_id == area_id) if area_id else query


def _forecast_people(scope: str, area_id: int | None) -> list[User]:
    """The account managers the forecast covers: me, my team, or an area (within what I see)."""
    if scope == "me":
        return [current_user]
    return db.session.scalars(_forecast_query(scope, area_id).order_by(User.display_name)
                              ).unique().all()


def _forecast_people_ids(scope: str, area_id: int | None) -> list[int]:
    """The ids of _forecast_people, without loading 2,000 people for a company-wide total."""
    if scope == "me":
        return [current_user.id]
    return list(dict.fromkeys(db.session.scalars(
        _forecast_query(scope, area_id).with_only_columns(User.id))))


def forecast_context() -> dict:
    """The forecast of the asked period, scope and product line, with its chart."""
    period = _period()
    scope = request.args.get("scope")
    if scope not in ("me", "team"):
        scope = "me" if current_user.has_role(Role.STAFF) and not current_user.has_role(
            Role.MANAGER) else "team"
    area_id = request.args.get("area", type=int)
    line_id = request.args.get("line", type=int)
    ids = _forecast_people_ids(scope, area_id)
    # one bar per person for a team; the total alone for more (a company of 2,000)
    rows = forecast_rows(_forecast_people(scope, area_id), period, line_id) \
        if 1 < len(ids) <= 60 and not line_id else []
    # More than a team: the figures read through the query of ids (the database joins it)
    # rather than with 2,000 ids bound into each of the three statements.
    everyone = ids if len(ids) <= 60 else \
        _forecast_query(scope, area_id).with_only_columns(User.id).distinct()
    total = sum_forecasts(period, [f for _u, f in rows]) if rows else \
        forecast(everyone, period, line_id)
    names = [r[0].display_name for r in rows] or [_("Total")]
    figures = [r[1] for r in rows] or [total]
    chart = grouped_bars(names, [
        (_("Target"), "series-target", [f.target or 0 for f in figures]),
        (_("Sold so far"), "series-sales", [f.attained for f in figures]),
        (_("Forecast"), "series-1", [f.expected for f in figures]),
        (_("Best case"), "series-2", [f.best for f in figures]),
    ], label=lambda name: name[:6])
    areas = db.session.scalars(select(Area).order_by(Area.code)).all() \
        if current_user.has_role(Role.HR, Role.ADMIN) else []
    return {"period": period, "scope": scope, "area_id": area_id, "line_id": line_id,
            "total": total, "rows": rows, "chart": chart, "lines": product_lines(),
            "areas": areas, "today": clock.today()}


@bp.route("/forecast")
def forecast_page():
    return render("pipeline/forecast.html", **forecast_context())
