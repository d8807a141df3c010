"""HR's pay rules: their versions, each version's base bonus and band multipliers, base pays
and commission rates, and the module's settings. The rules (which month a version may start,
what a locked version refuses) and the audit entries live in portal.incentives.services."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import people_picker
from portal.extensions import db
from portal.htmx import render
from portal.incentives import bp
from portal.incentives import services as pay
from portal.incentives.forms import (BasePayForm, CommissionRateForm, NewRuleVersionForm,
                                     RuleVersionForm, SettingsForm)
from portal.incentives.queries import (active_product_lines, get_rate_or_404, get_version_or_404,
                                       rule_versions)
from portal.kernel.audience import audience
from portal.kernel.formats import percent
from portal.kernel.forms import ConfirmForm
from portal.models import Role
from portal.models.incentives import BANDS, PayRuleVersion


def _fill_bands(form, version: PayRuleVersion | None) -> None:
    """Put a version's multipliers (or the defaults) into the band fields on GET."""
    if request.method != "GET":
        return
    for band, value in pay.multipliers_of(version).items():
        form[f"band_{band}"].data = value


def _bands(form) -> dict:
    """The band fields of a form: band → multiplier."""
    return {band: form[f"band_{band}"].data for band in BANDS}


def _editable_or_403(version: PayRuleVersion) -> None:
    """403 on any change to rules an approved period was computed under."""
    try:
        pay.check_version_editable(version)
    except pay.PeriodLocked:
        abort(403)


@bp.route("/rules", methods=["GET", "POST"])
@audience(Role.HR)
def rules():
    """The versions of the pay rules, and a form to start a new one."""
    form = NewRuleVersionForm()
    latest = db.session.scalars(rule_versions(current_user).limit(1)).first()
    if request.method == "GET" and latest is not None:
        form.base_bonus.data = latest.base_bonus
    _fill_bands(form, latest)
    ok = form.validate_on_submit()
    start = None
    if request.method == "POST" and form.effective_from.data and not form.effective_from.errors:
        start = pay.parse_period(form.effective_from.data).start
        problems = pay.new_version_errors(start)
        form.effective_from.errors.extend(problems)
        ok = ok and not problems
    if ok:
        version = pay.create_rule_version(start, form.base_bonus.data, form.note.data,
                                          _bands(form), form.copy_previous.data)
        db.session.commit()
        flash(_("New pay rules from %(month)s created.", month=form.effective_from.data),
              "success")
        return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)
    versions = db.session.scalars(rule_versions(current_user)).all()
    return render("incentives/rules.html", form=form, versions=versions,
                  status=422 if form.errors else 200)


def _pay_forms(base_form=None, rate_form=None):
    """The base-pay and commission forms of a version page, with their choices."""
    base_form = base_form or BasePayForm(formdata=None)
    people_picker.bind(base_form.user_id)
    rate_form = rate_form or CommissionRateForm(formdata=None)
    rate_form.product_line_id.choices = [(pl.id, pl.label) for pl in active_product_lines()]
    return base_form, rate_form


def _render_version(version, form, base_form=None, rate_form=None, status=200):
    """The page of one version of the rules."""
    base_form, rate_form = _pay_forms(base_form, rate_form)
    return render("incentives/rule_detail.html", version=version, form=form,
                  base_form=base_form, rate_form=rate_form, status=status,
                  base_pays=sorted(version.base_pays, key=lambda b: b.user.display_name))


def _stored_version_form(version: PayRuleVersion) -> RuleVersionForm:
    """The header form showing the version as stored (beside another form's errors)."""
    form = RuleVersionForm(formdata=None, obj=version)
    for band in BANDS:
        form[f"band_{band}"].data = next(
            (m.multiplier for m in version.multipliers if m.band == band), None)
    return form


@bp.route("/rules/<int:rule_version_id>", methods=["GET", "POST"])
@audience(Role.HR)
def rule_detail(rule_version_id: int):
    """One version of the rules: base bonus and multipliers, base pays, commission rates."""
    version = get_version_or_404(current_user, rule_version_id)
    form = RuleVersionForm(obj=version)
    _fill_bands(form, version)
    if request.method == "POST":
        _editable_or_403(version)
    if form.validate_on_submit():
        pay.update_rule_version(version, form.base_bonus.data, form.note.data, _bands(form))
        db.session.commit()
        flash(_("Pay rules saved."), "success")
        return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)
    return _render_version(version, form, status=422 if form.errors else 200)


@bp.route("/rules/<int:rule_version_id>/base-pay", methods=["POST"])
@audience(Role.HR)
def base_pay(rule_version_id: int):
    """Set one person's monthly base pay under a version."""
    version = get_version_or_404(current_user, rule_version_id)
    _editable_or_403(version)
    base_form = BasePayForm()
    _pay_forms(base_form)
    if not base_form.validate_on_submit():
        return _render_version(version, _stored_version_form(version), base_form=base_form,
                               status=422)
    pay.set_base_pay(version, base_form.user_id.data, base_form.monthly.data)
    db.session.commit()
    flash(_("Base pay saved."), "success")
    return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)


@bp.route("/rules/<int:rule_version_id>/commission", methods=["POST"])
@audience(Role.HR)
def commission_add(rule_version_id: int):
    """Add (or change) one tier of a product line's commission under a version."""
    version = get_version_or_404(current_user, rule_version_id)
    _editable_or_403(version)
    rate_form = CommissionRateForm()
    _pay_forms(rate_form=rate_form)
    if not rate_form.validate_on_submit():
        return _render_version(version, _stored_version_form(version), rate_form=rate_form,
                               status=422)
    pay.set_commission_rate(version, rate_form.product_line_id.data,
                            rate_form.min_attainment.data, rate_form.rate_percent.data)
    db.session.commit()
    flash(_("Commission rate saved."), "success")
    return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)


@bp.route("/rates/<int:commission_rate_id>/delete", methods=["GET", "POST"])
@audience(Role.HR)
def commission_delete(commission_rate_id: int):
    """Confirm, then remove one commission tier."""
    rate = get_rate_or_404(current_user, commission_rate_id)
    back = url_for("incentives.rule_detail", rule_version_id=rate.version.id)
    _editable_or_403(rate.version)
    form = ConfirmForm()
    if form.validate_on_submit():
        pay.delete_commission_rate(rate)
        db.session.commit()
        flash(_("Commission rate removed."), "success")
        return redirect(back, code=303)
    return render("confirm.html", form=form, action=_("Remove"), cancel=back,
                  question=_("Remove the rate of %(rate)s on %(line)s from %(pct)s "
                             "attainment?", rate=percent(rate.rate_percent),
                             line=rate.product_line.label, pct=percent(rate.min_attainment)))


@bp.route("/settings", methods=["GET", "POST"])
@audience(Role.HR)
def settings():
    """HR's settings: whether managers may read their reports' statements."""
    form = SettingsForm(obj=pay.settings_row())
    if form.validate_on_submit():
        pay.save_settings(form.managers_see_reports.data)
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("incentives.settings"), code=303)
    return render("incentives/settings.html", form=form, status=422 if form.errors else 200)
