"""The admins' lists: stages (order, default probability, meaning), competitors, loss reasons."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.models import Role
from portal.models.pipeline import OUTCOMES, Competitor, LossReason, PipelineStage
from portal.pipeline import bp
from portal.pipeline.forms import NameForm, StageForm
from portal.pipeline.labels import OUTCOME_LABELS
from portal.pipeline.queries import competitors, loss_reasons, stages


def _stage_form(obj=None) -> StageForm:
    form = StageForm(obj=obj)
    form.outcome.choices = [(o, OUTCOME_LABELS[o]) for o in OUTCOMES]
    return form


def _page(stage_form=None, name_form=None, status=200):
    return render("pipeline/settings.html", stages=stages(False), stage_form=stage_form or
                  _stage_form(), name_form=name_form or NameForm(),
                  competitors=competitors(False), reasons=loss_reasons(False), status=status)


@bp.route("/settings")
@audience(Role.ADMIN)
def settings():
    return _page()


@bp.route("/settings/stages", methods=["POST"])
@audience(Role.ADMIN)
def stage_save():
    """Add a stage, or change one (its id in the form)."""
    stage_id = request.form.get("id", type=int)
    stage = db.session.get(PipelineStage, stage_id) if stage_id else None
    if stage_id and stage is None:
        abort(404)
    form = _stage_form()
    if not form.validate_on_submit():
        return _page(stage_form=form, status=422)
    before = audit.snapshot(stage, ["name", "probability", "position", "outcome"]) if stage else None
    if stage is None:
        stage = PipelineStage()
        db.session.add(stage)
    stage.name, stage.name_en = form.name.data, form.name_en.data or ""
    stage.probability, stage.outcome = form.probability.data, form.outcome.data
    stage.position = form.position.data if form.position.data is not None else stage.position or 0
    if request.form.get("active") is not None:
        stage.active = request.form.get("active") == "1"
    db.session.flush()
    audit.record("pipeline_stage.save", "pipeline_stage", stage.id, before,
                 audit.snapshot(stage, ["name", "probability", "position", "outcome"]))
    db.session.commit()
    flash(_("Stage %(name)s saved.", name=stage.label), "success")
    return redirect(url_for("pipeline.settings"), code=303)


@bp.route("/settings/<list_kind>", methods=["POST"])
@audience(Role.ADMIN)
def list_add(list_kind: str):
    """Add a competitor or a loss reason, or switch one on or off (`toggle` = its id)."""
    model = {"competitors": Competitor, "reasons": LossReason}.get(list_kind)
    if model is None:
        abort(404)
    toggle = request.form.get("toggle", type=int)
    if toggle:
        row = db.session.get(model, toggle) or abort(404)
        row.active = not row.active
        db.session.commit()
        return redirect(url_for("pipeline.settings"), code=303)
    form = NameForm()
    if not form.validate_on_submit():
        return _page(name_form=form, status=422)
    if db.session.scalar(select(model.id).where(model.name == form.name.data)):
        form.name.errors.append(_("This name is taken."))
        return _page(name_form=form, status=422)
    db.session.add(model(name=form.name.data))
    db.session.commit()
    flash(_("%(name)s added.", name=form.name.data), "success")
    return redirect(url_for("pipeline.settings"), code=303)
