"""Awards: the winners for everyone, nominations by managers, HR's kinds of award and decisions."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import people_picker
from portal.extensions import db
from portal.htmx import render
from portal.incentives import bp
from portal.incentives import services as pay
from portal.incentives.forms import AwardTypeForm, DecisionForm, NominationForm
from portal.incentives.queries import (award_types as award_kinds, get_nomination_or_404,
                                       headed_areas, visible_nominations, winners)
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.models import Role


@bp.route("/awards")
def awards():
    """Winners for everyone; nominations for those who made them; HR's pending decisions."""
    page = Listing().paginate(winners())
    nominations = []
    if current_user.has_role(Role.HR, Role.MANAGER):
        nominations = db.session.scalars(visible_nominations(current_user).limit(50)).all()
    return render("incentives/awards.html", page=page, nominations=nominations)


@bp.route("/awards/types", methods=["GET", "POST"])
@audience(Role.HR)
def award_types():
    """The kinds of award, and a form to add one."""
    form = AwardTypeForm()
    if form.validate_on_submit():
        kind = pay.add_award_type(form.name.data, form.name_en.data, form.for_team.data)
        db.session.commit()
        flash(_("Award %(name)s added.", name=kind.label), "success")
        return redirect(url_for("incentives.award_types"), code=303)
    return render("incentives/award_types.html", form=form, kinds=award_kinds(),
                  status=422 if form.errors else 200)


@bp.route("/awards/nominate", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def nominate():
    """Nominate a person one manages (or a team one heads) for an award, with the reason."""
    form = NominationForm()
    kinds = award_kinds(active_only=True)
    form.award_type_id.choices = [(k.id, k.label) for k in kinds]
    people_picker.bind(form.nominee_id)
    form.area_id.choices = [(0, _("— none —"))] + [
        (a.id, a.label) for a in headed_areas(current_user)]
    if request.method == "GET" and not form.period.data:
        form.period.data = str(clock.today().year)
    if form.validate_on_submit():
        kind = next(k for k in kinds if k.id == form.award_type_id.data)
        problems = pay.nomination_errors(kind, form.nominee_id.data, form.area_id.data)
        for name, message in problems.items():
            form[name].errors.append(message)
        if not problems:
            pay.nominate(kind, form.period.data, form.reason.data, form.nominee_id.data,
                         form.area_id.data, current_user.id)
            db.session.commit()
            flash(_("Nomination sent to HR."), "success")
            return redirect(url_for("incentives.awards"), code=303)
    return render("incentives/nominate.html", form=form, status=422 if form.errors else 200)


@bp.route("/awards/nominations/<int:nomination_id>", methods=["GET", "POST"])
@audience(Role.HR)
def decide(nomination_id: int):
    """HR's decision on a nomination: award it or decline it."""
    nomination = get_nomination_or_404(current_user, nomination_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            pay.decide_nomination(nomination, form.decision.data, form.decision_note.data,
                                  current_user.id)
        except pay.AlreadyDecided:
            abort(403)
        db.session.commit()
        flash(_("Decision saved."), "success")
        return redirect(url_for("incentives.awards"), code=303)
    return render("incentives/decide.html", form=form, nomination=nomination,
                  status=422 if form.errors else 200)
