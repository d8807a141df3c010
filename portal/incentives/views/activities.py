"""Team-building activities of the areas the viewer sees, logged by the areas' heads and HR."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import render
from portal.incentives import bp
from portal.incentives import services as pay
from portal.incentives.forms import ActivityForm
from portal.incentives.queries import headed_areas, visible_activities
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.models import Role


@bp.route("/activities")
def activities():
    """The team-building activities of the areas the viewer sees."""
    page = Listing().paginate(visible_activities(current_user))
    can_log = current_user.has_role(Role.HR) or bool(headed_areas(current_user))
    return render("incentives/activities.html", "incentives/_activity_rows.html", page=page,
                  can_log=can_log)


@bp.route("/activities/new", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def activity_create():
    """Log a team-building activity of an area one heads (HR: any area)."""
    form = ActivityForm()
    form.area_id.choices = [(a.id, a.label) for a in headed_areas(current_user)]
    if not form.area_id.choices:  # a manager who heads no area: nothing to log for
        abort(403)
    if form.validate_on_submit():
        pay.log_activity(form.area_id.data, form.held_on.data, form.title.data, form.place.data,
                         form.participants.data, form.cost.data, form.notes.data,
                         current_user.id)
        db.session.commit()
        flash(_("Activity logged."), "success")
        return redirect(url_for("incentives.activities"), code=303)
    return render("incentives/activity_form.html", form=form, status=422 if form.errors else 200)
