"""Appraisal templates (HR): weighted indicators and rating bands."""
from decimal import Decimal

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.appraisals import bp, queries, services, workflow
from portal.appraisals.forms import IndicatorForm, TemplateForm
from portal.appraisals.queries import get_indicator_or_404, get_template_or_404, template_in_use
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models import Role
from portal.models.appraisals import AppraisalTemplate, IndicatorKind

@bp.route("/templates")
@audience(Role.HR)
def templates():
    """Every template with its total weight."""
    page = Listing().paginate(queries.template_list())
    return render("appraisals/templates.html", page=page, total_weight=services.total_weight)


def _thresholds_text(values) -> str:
    """Thresholds as the forms show them: '110, 100, 90, 80'."""
    return ", ".join(f"{Decimal(str(v)).normalize():f}" for v in values or [])


def _as_numbers(text: str) -> list:
    """Thresholds typed in a form as JSON numbers (ints where whole)."""
    return [int(v) if v == v.to_integral_value() else float(v)
            for v in services.parse_thresholds(text)]


@bp.route("/templates/new", methods=["GET", "POST"])
@audience(Role.HR)
def template_create():
    """A new template; indicators are added on its page."""
    form = TemplateForm()
    if form.validate_on_submit():
        template = workflow.save_template(None, _template_values(form))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/template_form.html", form=form, template=None,
                  status=422 if form.errors else 200)


def _template_values(form: TemplateForm) -> dict:
    """The template's fields as the form gives them."""
    return {"name": form.name.data, "name_en": form.name_en.data or "",
            "description": form.description.data or "",
            "rating_thresholds": _as_numbers(form.rating_thresholds.data)}


def _editable(template: AppraisalTemplate) -> None:
    """Refuse (403) changes to a template an opened cycle uses: copy it instead."""
    if template_in_use(template.id):
        abort(403)


@bp.route("/templates/<int:template_id>")
@audience(Role.HR)
def template_detail(template_id: int):
    """A template: its indicators by section, the total weight, the rating bands."""
    template = get_template_or_404(current_user, template_id)
    return render("appraisals/template_detail.html", template=template,
                  total=services.total_weight(template.indicators),
                  in_use=template_in_use(template.id), thresholds_text=_thresholds_text,
                  copy_form=ConfirmForm())


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@audience(Role.HR)
def template_edit(template_id: int):
    """Change a template's name and rating bands."""
    template = get_template_or_404(current_user, template_id)
    _editable(template)
    form = TemplateForm(obj=template)
    if request.method == "GET":
        form.rating_thresholds.data = _thresholds_text(template.rating_thresholds)
    if form.validate_on_submit():
        workflow.save_template(template, _template_values(form))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/template_form.html", form=form, template=template,
                  status=422 if form.errors else 200)


@bp.route("/templates/<int:template_id>/copy", methods=["POST"])
@audience(Role.HR)
def template_copy(template_id: int):
    """An editable copy of a template (for one an opened cycle fixed)."""
    template = get_template_or_404(current_user, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = workflow.copy_template(template, _("%(name)s (copy)", name=template.name))
    db.session.commit()
    return redirect(url_for("appraisals.template_detail", template_id=copy.id), code=303)


def _indicator_values(form: IndicatorForm) -> dict:
    """The indicator's fields as the form gives them (no source or thresholds if qualitative)."""
    quantitative = form.kind.data == IndicatorKind.QUANTITATIVE
    return {"section": form.section.data, "section_en": form.section_en.data or "",
            "name": form.name.data, "name_en": form.name_en.data or "",
            "kind": IndicatorKind(form.kind.data),
            "source": form.source.data if quantitative else None,
            "weight": form.weight.data,
            "score_thresholds": (_as_numbers(form.score_thresholds.data) if quantitative
                                 else None),
            "position": form.position.data or 0}


@bp.route("/templates/<int:template_id>/indicators/new", methods=["GET", "POST"])
@audience(Role.HR)
def indicator_create(template_id: int):
    """Add an indicator to a template."""
    template = get_template_or_404(current_user, template_id)
    _editable(template)
    form = IndicatorForm()
    if request.method == "GET":
        form.position.data = (max((i.position for i in template.indicators), default=0) + 10)
    if form.validate_on_submit():
        workflow.save_indicator(template, None, _indicator_values(form))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/indicator_form.html", form=form, template=template, indicator=None,
                  status=422 if form.errors else 200)


@bp.route("/templates/<int:template_id>/indicators/<int:indicator_id>/edit",
          methods=["GET", "POST"])
@audience(Role.HR)
def indicator_edit(template_id: int, indicator_id: int):
    """Change an indicator of a template no opened cycle uses."""
    template = get_template_or_404(current_user, template_id)
    indicator = get_indicator_or_404(template, indicator_id)
    _editable(template)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.source.data = indicator.source or ""
        form.score_thresholds.data = _thresholds_text(indicator.score_thresholds)
    if form.validate_on_submit():
        workflow.save_indicator(template, indicator, _indicator_values(form))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/indicator_form.html", form=form, template=template,
                  indicator=indicator, status=422 if form.errors else 200)


@bp.route("/templates/<int:template_id>/indicators/<int:indicator_id>/delete",
          methods=["GET", "POST"])
@audience(Role.HR)
def indicator_delete(template_id: int, indicator_id: int):
    """Confirm, then remove an indicator from a template no opened cycle uses."""
    template = get_template_or_404(current_user, template_id)
    indicator = get_indicator_or_404(template, indicator_id)
    _editable(template)
    form = ConfirmForm()
    if form.validate_on_submit():
        workflow.delete_indicator(indicator)
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("confirm.html", form=form, action=_("Remove the indicator"),
                  question=_("Remove %(name)s from the template?", name=indicator.name),
                  cancel=url_for("appraisals.template_detail", template_id=template.id))
