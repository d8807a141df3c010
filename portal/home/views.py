"""The home page: the dashboards of the reader's roles, then the modules' other panels."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.dashboards import charts
from portal.dashboards.queries import hr_dashboard, manager_dashboard, staff_dashboard
from portal.extensions import db
from portal.home import bp
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.panels import panel_named, panels_for
from portal.models import Role, User
from portal.navigation import module_label

#: Each role's dashboard: its template, its builder, and the module panels it takes the place of.
DASHBOARDS = [
    (Role.STAFF, "dashboards/_staff.html", staff_dashboard,
     {"tasks/_home_panel.html", "customers/_home_panel.html", "targets/_home_panel.html",
      "one_on_ones/_home_panel.html", "complaints/_home_panel.html",
      "training/_home_panel.html"}),
    (Role.MANAGER, "dashboards/_manager.html", manager_dashboard,
     {"targets/_home_panel.html", "complaints/_home_panel.html", "training/_home_panel.html",
      "one_on_ones/_home_panel.html"}),
    (Role.HR, "dashboards/_hr.html", hr_dashboard,
     {"appraisals/_home_panel.html", "training/_home_panel.html"}),
]


@bp.route("/")
def index():
    """What the reader needs today: a dashboard per role held, then the remaining panels."""
    # The area, the manager and the reports joined in.
    me = db.session.scalar(
        select(User).where(User.id == current_user.id)
        .options(joinedload(User.area), joinedload(User.manager),
                 selectinload(User.reports).options(joinedload(User.area)))
    )
    today = clock.today()
    dashboards, covered = [], set()
    for role, template, build, replaces in DASHBOARDS:
        if current_user.has_role(role):
            dashboards.append((template, build(current_user, today)))
            covered |= replaces
    return render("home/index.html", me=me, dashboards=dashboards, now_utc=clock.utcnow(),
                  panels=panels_for(skip=covered), module_label=module_label)


@bp.route("/panels/<panel_name>")
def panel(panel_name):
    """One module's home panel, fetched by htmx once the home page is shown; empty when the
    module has nothing for the reader (htmx then removes the placeholder). Without htmx, the
    panel on a page of its own."""
    found = panel_named(panel_name)
    if found is None:
        abort(404)
    context = found.build(current_user)
    return render("home/panel.html", "home/_panel.html", panel=found, context=context)


@bp.app_template_global("dash_meter")
def dash_meter(value, **kwargs):
    """The geometry of a percentage meter (portal.dashboards.charts.meter)."""
    return charts.meter(value, **kwargs)


@bp.app_template_global("dash_spark")
def dash_spark(values):
    """The geometry of a mood sparkline (portal.dashboards.charts.sparkline)."""
    return charts.sparkline(values)


bp.add_app_template_global(charts.appraisal_segments, "dash_appraisal_segments")
bp.add_app_template_global(charts.appraisal_legend, "dash_appraisal_legend")
