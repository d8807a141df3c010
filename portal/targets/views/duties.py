"""Service duties: the list with each visible account manager's fulfilment, adding and changing."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.models import Role, User
from portal.targets import bp, queries, services
from portal.targets.duties import DUTY_KINDS, duties_for_people, kind_choices, measure_people
from portal.targets.forms import DutyForm

PEOPLE_PER_PAGE = 10


@bp.route("/duties")
def duties():
    """The service duties, and the measured fulfilment of each visible account manager."""
    today = clock.today()
    listing = Listing(filters=("period",))
    period = services.parse_period(listing.get("period"), today)
    page = listing.paginate(queries.visible_staff(current_user)
                            .options(selectinload(User.role_rows))  # which duties apply
                            .order_by(User.display_name, User.id), per_page=PEOPLE_PER_PAGE)
    applying = duties_for_people(page.items)
    values = measure_people(applying, period.start, period.end)
    fulfilment = []
    for person_ in page.items:
        measured = [(d, values[(d.id, person_.id)]) for d in applying[person_.id]]
        fulfilment.append((person_, measured,
                           services.average_fulfilment([v for _d, v in measured])))
    return render("targets/duties.html", duties=queries.all_duties(current_user), page=page,
                  fulfilment=fulfilment, period=period,
                  periods=services.period_choices(today),
                  editable=queries.editable_duty_ids(current_user), installed=set(DUTY_KINDS),
                  can_add=queries.can_add_duties(current_user))


def _duty_form(duty=None) -> DutyForm:
    form = DutyForm(obj=duty)
    form.role.choices = [(r.value, r.label) for r in Role]
    form.kind.choices = kind_choices()
    if duty is not None and request.method == "GET":
        form.tier.data = duty.tier or ""
    return form


@bp.route("/duties/new", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.ADMIN)
def duty_create():
    """Add a duty: administrators for every area, managers for the areas they head."""
    if not queries.can_add_duties(current_user):
        abort(403)  # a manager who heads no area
    form = _duty_form()
    if form.validate_on_submit():
        area_id = (None if current_user.has_role(Role.ADMIN)
                   else queries.headed_area_ids(current_user)[0])
        services.create_duty(form.data, area_id)
        db.session.commit()
        flash(_("Duty saved."), "success")
        return redirect(url_for("targets.duties"), code=303)
    return render("targets/duty_form.html", form=form, duty=None,
                  status=422 if form.errors else 200)


@bp.route("/duties/<int:duty_id>/edit", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.ADMIN)
def duty_edit(duty_id: int):
    """Change a duty the user may change (everyone sees them; 403 for the others)."""
    duty = queries.get_duty_or_404(current_user, duty_id, check_editable=True)
    form = _duty_form(duty)
    if form.validate_on_submit():
        services.update_duty(duty, form.data)
        db.session.commit()
        flash(_("Duty saved."), "success")
        return redirect(url_for("targets.duties"), code=303)
    return render("targets/duty_form.html", form=form, duty=duty,
                  status=422 if form.errors else 200)
