"""Views of the incentives module."""
from datetime import date
from decimal import Decimal

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.kernel.audience import audience
from portal.extensions import db
from portal.htmx import render
from portal.incentives import bp
from portal.incentives import services as pay
from portal.incentives.forms import (ActivityForm, AwardTypeForm, BasePayForm, CommissionRateForm,
                                     ConfirmForm, DecisionForm, NewRuleVersionForm, NominationForm,
                                     PeriodForm, RuleVersionForm, SettingsForm, WhatIfForm)
from portal.incentives.queries import (frozen_statements, get_nomination_for_hr_or_404,
                                       get_pay_user_or_404, get_rate_or_404, headed_areas,
                                       nominable_people, pay_visible_users, visible_activities,
                                       visible_nominations, winners)
from portal.models import ProductLine, Role, User, utcnow
from portal.models.incentives import (BANDS, AwardType, BandMultiplier, BasePay, CommissionRate,
                                      IncentiveSettings, Nomination, NominationStatus,
                                      PayoutStatement, PayRuleVersion, TeamActivity)

RULE_FIELDS = ["base_bonus", "note"]


def _today() -> date:
    """Today's date (one place, so the default periods follow the calendar)."""
    return date.today()


def _period_from_request() -> tuple[PeriodForm, pay.Period | None]:
    """The period asked for in the query string (default: last month), with its form."""
    form = PeriodForm(request.args)
    if not form.period.data:
        form.period.data = pay.month_key(pay.previous_month(_today()))
    if not form.validate():
        return form, None
    return form, pay.parse_period(form.period.data)


def _note_text(line: pay.Line) -> str:
    """A statement line's note in the reader's language."""
    notes = {
        "no_band": _("No appraisal band for the period: no data."),
        "no_multiplier": _("The rules have no multiplier for this band."),
        "no_sales": _("No sales records are available: no data."),
        "no_attainment": _("The rate depends on attainment, and there is no attainment figure: "
                           "no data."),
        "below_tiers": _("Attainment below the lowest tier: no commission."),
    }
    if line.note.startswith("from "):
        return _("Tier from %(pct)s %% attainment", pct=format_decimal(Decimal(line.note[5:])))
    return notes.get(line.note, "")


def _line_label(line: pay.Line) -> str:
    """A statement line's label in the reader's language."""
    if line.kind == "base":
        return _("Base pay")
    if line.kind == "bonus":
        return _("Performance bonus") + (f" ({line.note})" if line.note in BANDS else "")
    if line.label == "commission":
        return _("Commission")
    return _("Commission: %(line)s", line=_product_line_labels().get(line.product_line_id,
                                                                      line.label))


def _product_line_labels() -> dict[int, str]:
    """Product line names in the reader's language, read once per request."""
    if "product_line_labels" not in g:
        g.product_line_labels = {pl.id: pl.label for pl in db.session.scalars(select(ProductLine))}
    return g.product_line_labels


@bp.app_template_global()
def payout_line_label(line) -> str:
    """Template access to a line's label."""
    return _line_label(line)


@bp.app_template_global()
def payout_line_note(line) -> str:
    """Template access to a line's note."""
    return _note_text(line)


# --- start page ---------------------------------------------------------------------------------

@bp.route("/")
def index():
    """My statements, and for HR the rules, the periods and the settings; awards and activities."""
    today = _today()
    last_month = pay.previous_month(today)
    periods = [pay.month_key(today), pay.month_key(last_month), pay.quarter_key(today),
               pay.quarter_key(last_month)]
    periods = list(dict.fromkeys(periods))
    recent = db.session.scalars(winners(5)).all()
    return render("incentives/index.html", periods=periods, winners=recent,
                  sees_reports=current_user.has_role(Role.MANAGER) and pay.managers_see_reports())


# --- statements ---------------------------------------------------------------------------------

@bp.route("/statements")
def statements():
    """The statements of a period the viewer may read: frozen if approved, else computed live."""
    form, period = _period_from_request()
    if period is None:
        return render("incentives/statements.html", "incentives/_statement_rows.html", form=form,
                      period=None, page=None, rows=[], approval=None, status=422)
    approval = pay.approval_of(period.key)
    per_page = current_app.config["PER_PAGE"]
    if approval is not None:
        page = db.paginate(frozen_statements(current_user, approval.id), per_page=per_page,
                           error_out=False)
        rows = [(s.user, _summary([pay.line_from_json(d) for d in s.lines])) for s in page.items]
    else:
        version = pay.version_in_force(period.start)
        query = pay_visible_users(current_user)
        if version is None:
            query = query.where(False)
        else:
            query = query.where(User.id.in_(
                select(BasePay.user_id).where(BasePay.version_id == version.id)))
        page = db.paginate(query, per_page=per_page, error_out=False)
        inputs = pay.gather_inputs([u.id for u in page.items], period) if page.items else {}
        rows = [(u, _summary(pay.statement_from(inputs[u.id], period).lines))
                for u in page.items if u.id in inputs]
    return render("incentives/statements.html", "incentives/_statement_rows.html", form=form,
                  period=period, page=page, rows=rows, approval=approval)


def _summary(lines) -> pay.Statement:
    """A statement from its lines."""
    return pay.Statement(tuple(lines))


@bp.route("/statements/<int:payee_id>")
def statement(payee_id: int):
    """One person's statement of a period, its lines and sales, and a what-if at an attainment."""
    person = get_pay_user_or_404(current_user, payee_id)
    form, period = _period_from_request()
    what_if_form = WhatIfForm(request.args)
    context = dict(person=person, form=form, what_if_form=what_if_form, period=period,
                   approval=None, statement=None, inputs=None, what_if=None)
    if period is None:
        return render("incentives/statement.html", status=422, **context)
    approval = pay.approval_of(period.key)
    context["approval"] = approval
    if approval is not None:
        frozen = db.session.scalar(select(PayoutStatement).where(
            PayoutStatement.approval_id == approval.id, PayoutStatement.user_id == person.id))
        if frozen is not None:
            context["statement"] = _summary([pay.line_from_json(d) for d in frozen.lines])
            context["frozen_inputs"] = frozen.inputs
        return render("incentives/statement.html", **context)
    inputs = pay.gather_inputs([person.id], period).get(person.id)
    context["inputs"] = inputs
    if inputs is not None:
        context["statement"] = pay.statement_from(inputs, period)
        if not what_if_form.validate():
            return render("incentives/statement.html", status=422, **context)
        if what_if_form.what_if.data is not None:
            context["what_if"] = pay.statement_from(inputs, period,
                                                    Decimal(what_if_form.what_if.data))
    return render("incentives/statement.html", **context)


def _export_rows(period: pay.Period) -> tuple[list[str], list[list]]:
    """The rows of a period's export: one per person the viewer may read, frozen or live."""
    header = [_("Username"), _("Name"), _("Area"), _("Period"), _("Base pay"),
              _("Performance bonus"), _("Commission"), _("Total"), _("Complete")]
    approval = pay.approval_of(period.key)
    rows = []
    if approval is not None:
        people = [(s.user, _summary([pay.line_from_json(d) for d in s.lines]))
                  for s in db.session.scalars(frozen_statements(current_user, approval.id))]
    else:
        users = {u.id: u for u in db.session.scalars(pay_visible_users(current_user))}
        inputs = pay.gather_inputs(list(users), period) if users else {}
        people = [(users[uid], pay.statement_from(i, period)) for uid, i in inputs.items()]
        people.sort(key=lambda p: (p[0].display_name, p[0].id))
    for user, st in people:
        rows.append([user.username, user.display_name, user.area.label if user.area else "",
                     period.key, st.amount_of("base"), st.amount_of("bonus"),
                     st.amount_of("commission"), st.total, _("yes") if st.complete else _("no")])
    return header, rows


@bp.route("/statements/export.csv")
def export_csv():
    """The period's statements the viewer may read, as CSV."""
    form, period = _period_from_request()
    if period is None:
        abort(404)
    header, rows = _export_rows(period)
    return Response(pay.to_csv(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=payouts-{period.key}.csv"})


@bp.route("/statements/export.xlsx")
def export_xlsx():
    """The period's statements the viewer may read, as an Excel workbook."""
    form, period = _period_from_request()
    if period is None:
        abort(404)
    header, rows = _export_rows(period)
    return Response(pay.to_xlsx(f"payouts {period.key}", header, rows),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             f"attachment; filename=payouts-{period.key}.xlsx"})


@bp.route("/approve", methods=["GET", "POST"])
@audience(Role.HR)
def approve():
    """Confirm, then approve a period: its statements are frozen and it is locked."""
    form, period = _period_from_request()
    if period is None:
        abort(404)
    back = url_for("incentives.statements", period=period.key)
    if pay.approval_of(period.key) is not None:
        flash(_("%(period)s is already approved and locked.", period=period.key), "warning")
        return redirect(back, code=303)
    if pay.version_in_force(period.start) is None:
        flash(_("No pay rules are in force for %(period)s.", period=period.key), "error")
        return redirect(back, code=303)
    confirm = ConfirmForm()
    if confirm.validate_on_submit():
        pay.approve_period(period, current_user.id)
        db.session.commit()
        flash(_("%(period)s approved: its statements are final.", period=period.key), "success")
        return redirect(back, code=303)
    return render("confirm.html", form=confirm, action=_("Approve and lock"), cancel=back,
                  question=_("Approve the payouts of %(period)s? The statements are frozen as "
                             "they are now and can no longer change.", period=period.key))


# --- rules (HR) ---------------------------------------------------------------------------------

def _fill_bands(form, version: PayRuleVersion | None) -> None:
    """Put a version's multipliers into the band fields on GET."""
    if request.method != "GET":
        return
    known = {m.band: m.multiplier for m in version.multipliers} if version else {}
    defaults = {"S": Decimal("1.5"), "A": Decimal("1.2"), "B": Decimal("1.0"),
                "C": Decimal("0.5"), "D": Decimal("0")}
    for band in BANDS:
        form[f"band_{band}"].data = known.get(band, defaults[band])


def _apply_bands(form, version: PayRuleVersion) -> dict:
    """Copy the band fields onto a version; answer the multipliers for the audit."""
    current = {m.band: m for m in version.multipliers}
    for band in BANDS:
        value = form[f"band_{band}"].data
        if band in current:
            current[band].multiplier = value
        else:
            version.multipliers.append(BandMultiplier(band=band, multiplier=value))
    return {band: str(form[f"band_{band}"].data) for band in BANDS}


@bp.route("/rules", methods=["GET", "POST"])
@audience(Role.HR)
def rules():
    """The versions of the pay rules, and a form to start a new one."""
    form = NewRuleVersionForm()
    latest = db.session.scalar(select(PayRuleVersion)
                               .order_by(PayRuleVersion.effective_from.desc()).limit(1))
    if request.method == "GET" and latest is not None:
        form.base_bonus.data = latest.base_bonus
    _fill_bands(form, latest)
    ok = form.validate_on_submit()
    if request.method == "POST" and form.effective_from.data and not form.effective_from.errors:
        start = pay.parse_period(form.effective_from.data).start
        if db.session.scalar(select(PayRuleVersion.id)
                             .where(PayRuleVersion.effective_from == start)):
            form.effective_from.errors.append(_("Rules already start in this month."))
            ok = False
        locked_to = pay.latest_approved_end()
        if locked_to is not None and start <= locked_to:
            form.effective_from.errors.append(
                _("Payouts up to %(day)s are approved: new rules must start after.",
                  day=locked_to.isoformat()))
            ok = False
    if ok:
        start = pay.parse_period(form.effective_from.data).start
        before = pay.version_in_force(start)
        version = PayRuleVersion(effective_from=start, base_bonus=form.base_bonus.data,
                                 note=form.note.data or "")
        bands = _apply_bands(form, version)
        if form.copy_previous.data and before is not None:
            version.base_pays = [BasePay(user_id=b.user_id, monthly=b.monthly)
                                 for b in before.base_pays]
            version.commission_rates = [
                CommissionRate(product_line_id=r.product_line_id, min_attainment=r.min_attainment,
                               rate_percent=r.rate_percent) for r in before.commission_rates]
        db.session.add(version)
        db.session.flush()
        audit.record("pay_rules.create", "pay_rule_version", version.id, None,
                     {"effective_from": start, "base_bonus": version.base_bonus, "bands": bands})
        db.session.commit()
        flash(_("New pay rules from %(month)s created.", month=form.effective_from.data),
              "success")
        return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)
    versions = db.session.scalars(select(PayRuleVersion)
                                  .order_by(PayRuleVersion.effective_from.desc())).all()
    return render("incentives/rules.html", form=form, versions=versions,
                  status=422 if form.errors else 200)


def _get_version_or_404(rule_version_id: int) -> PayRuleVersion:
    """A version of the rules with its parts, for HR."""
    return db.first_or_404(
        select(PayRuleVersion).where(PayRuleVersion.id == rule_version_id).options(
            selectinload(PayRuleVersion.multipliers),
            selectinload(PayRuleVersion.base_pays).selectinload(BasePay.user),
            selectinload(PayRuleVersion.commission_rates)
            .selectinload(CommissionRate.product_line)))


def _pay_forms(version: PayRuleVersion, base_form=None, rate_form=None):
    """The base-pay and commission forms of a version page, with their choices."""
    base_form = base_form or BasePayForm(formdata=None)
    people = db.session.scalars(select(User).where(User.active)
                                .order_by(User.display_name, User.id)).all()
    base_form.user_id.choices = [(u.id, f"{u.display_name} ({u.username})") for u in people]
    rate_form = rate_form or CommissionRateForm(formdata=None)
    lines = db.session.scalars(select(ProductLine).where(ProductLine.active)
                               .order_by(ProductLine.code)).all()
    rate_form.product_line_id.choices = [(pl.id, pl.label) for pl in lines]
    return base_form, rate_form


def _render_version(version, form, base_form=None, rate_form=None, status=200):
    """The page of one version of the rules."""
    base_form, rate_form = _pay_forms(version, base_form, rate_form)
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


def _refuse_if_locked(version: PayRuleVersion) -> None:
    """403 on any change to rules an approved period was computed under."""
    if version.locked_at is not None:
        abort(403)


@bp.route("/rules/<int:rule_version_id>", methods=["GET", "POST"])
@audience(Role.HR)
def rule_detail(rule_version_id: int):
    """One version of the rules: base bonus and multipliers, base pays, commission rates."""
    version = _get_version_or_404(rule_version_id)
    form = RuleVersionForm(obj=version)
    _fill_bands(form, version)
    if request.method == "POST":
        _refuse_if_locked(version)
    if form.validate_on_submit():
        before = {"base_bonus": version.base_bonus, "note": version.note,
                  "bands": {m.band: str(m.multiplier) for m in version.multipliers}}
        version.base_bonus = form.base_bonus.data
        version.note = form.note.data or ""
        bands = _apply_bands(form, version)
        audit.record("pay_rules.update", "pay_rule_version", version.id, before,
                     {"base_bonus": version.base_bonus, "note": version.note, "bands": bands})
        db.session.commit()
        flash(_("Pay rules saved."), "success")
        return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)
    return _render_version(version, form, status=422 if form.errors else 200)


@bp.route("/rules/<int:rule_version_id>/base-pay", methods=["POST"])
@audience(Role.HR)
def base_pay(rule_version_id: int):
    """Set one person's monthly base pay under a version."""
    version = _get_version_or_404(rule_version_id)
    _refuse_if_locked(version)
    base_form = BasePayForm()
    _pay_forms(version, base_form)
    if not base_form.validate_on_submit():
        return _render_version(version, _stored_version_form(version), base_form=base_form,
                               status=422)
    row = next((b for b in version.base_pays if b.user_id == base_form.user_id.data), None)
    before = {"monthly": row.monthly} if row else None
    if row is None:
        row = BasePay(user_id=base_form.user_id.data, monthly=base_form.monthly.data)
        version.base_pays.append(row)
    else:
        row.monthly = base_form.monthly.data
    db.session.flush()
    audit.record("base_pay.set", "base_pay", row.id, before, {"monthly": row.monthly,
                                                              "user_id": row.user_id})
    db.session.commit()
    flash(_("Base pay saved."), "success")
    return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)


@bp.route("/rules/<int:rule_version_id>/commission", methods=["POST"])
@audience(Role.HR)
def commission_add(rule_version_id: int):
    """Add (or change) one tier of a product line's commission under a version."""
    version = _get_version_or_404(rule_version_id)
    _refuse_if_locked(version)
    rate_form = CommissionRateForm()
    _pay_forms(version, rate_form=rate_form)
    if not rate_form.validate_on_submit():
        return _render_version(version, _stored_version_form(version), rate_form=rate_form,
                               status=422)
    threshold = rate_form.min_attainment.data or Decimal("0")
    row = next((r for r in version.commission_rates
                if r.product_line_id == rate_form.product_line_id.data
                and r.min_attainment == threshold), None)
    before = {"rate_percent": row.rate_percent} if row else None
    if row is None:
        row = CommissionRate(product_line_id=rate_form.product_line_id.data,
                             min_attainment=threshold, rate_percent=rate_form.rate_percent.data)
        version.commission_rates.append(row)
    else:
        row.rate_percent = rate_form.rate_percent.data
    db.session.flush()
    audit.record("commission_rate.set", "commission_rate", row.id, before,
                 {"product_line_id": row.product_line_id, "min_attainment": threshold,
                  "rate_percent": row.rate_percent})
    db.session.commit()
    flash(_("Commission rate saved."), "success")
    return redirect(url_for("incentives.rule_detail", rule_version_id=version.id), code=303)


@bp.route("/rates/<int:commission_rate_id>/delete", methods=["GET", "POST"])
@audience(Role.HR)
def commission_delete(commission_rate_id: int):
    """Confirm, then remove one commission tier."""
    rate = get_rate_or_404(commission_rate_id)
    version = rate.version
    back = url_for("incentives.rule_detail", rule_version_id=version.id)
    if version.locked_at is not None:
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        audit.record("commission_rate.delete", "commission_rate", rate.id,
                     {"product_line_id": rate.product_line_id,
                      "min_attainment": rate.min_attainment,
                      "rate_percent": rate.rate_percent}, None)
        db.session.delete(rate)
        db.session.commit()
        flash(_("Commission rate removed."), "success")
        return redirect(back, code=303)
    return render("confirm.html", form=form, action=_("Remove"), cancel=back,
                  question=_("Remove the rate of %(rate)s %% on %(line)s from %(pct)s %% "
                             "attainment?", rate=rate.rate_percent, line=rate.product_line.label,
                             pct=rate.min_attainment))


@bp.route("/settings", methods=["GET", "POST"])
@audience(Role.HR)
def settings():
    """HR's settings: whether managers may read their reports' statements."""
    row = db.session.scalar(select(IncentiveSettings).limit(1))
    form = SettingsForm(obj=row)
    if form.validate_on_submit():
        if row is None:
            row = IncentiveSettings(managers_see_reports=False)
            db.session.add(row)
            db.session.flush()
        before = {"managers_see_reports": row.managers_see_reports}
        row.managers_see_reports = form.managers_see_reports.data
        audit.record("incentive_settings.update", "incentive_settings", row.id, before,
                     {"managers_see_reports": row.managers_see_reports})
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("incentives.settings"), code=303)
    return render("incentives/settings.html", form=form, status=422 if form.errors else 200)


# --- awards -------------------------------------------------------------------------------------

@bp.route("/awards")
def awards():
    """Winners for everyone; nominations for those who made them; HR's pending decisions."""
    page = db.paginate(winners(), per_page=current_app.config["PER_PAGE"], error_out=False)
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
        kind = AwardType(name=form.name.data, name_en=form.name_en.data or "",
                         for_team=form.for_team.data)
        db.session.add(kind)
        db.session.commit()
        flash(_("Award %(name)s added.", name=kind.label), "success")
        return redirect(url_for("incentives.award_types"), code=303)
    kinds = db.session.scalars(select(AwardType).order_by(AwardType.id)).all()
    return render("incentives/award_types.html", form=form, kinds=kinds,
                  status=422 if form.errors else 200)


@bp.route("/awards/nominate", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def nominate():
    """Nominate a person one manages (or a team one heads) for an award, with the reason."""
    form = NominationForm()
    kinds = db.session.scalars(select(AwardType).where(AwardType.active)
                               .order_by(AwardType.id)).all()
    form.award_type_id.choices = [(k.id, k.label) for k in kinds]
    form.nominee_id.choices = [(0, _("— none —"))] + [
        (u.id, u.display_name) for u in nominable_people(current_user)]
    form.area_id.choices = [(0, _("— none —"))] + [
        (a.id, a.label) for a in headed_areas(current_user)]
    if request.method == "GET" and not form.period.data:
        form.period.data = str(_today().year)
    ok = form.validate_on_submit()
    if request.method == "POST" and ok:
        kind = next(k for k in kinds if k.id == form.award_type_id.data)
        if kind.for_team and not form.area_id.data:
            form.area_id.errors.append(_("A team award goes to a team: choose one."))
            ok = False
        if not kind.for_team and not form.nominee_id.data:
            form.nominee_id.errors.append(_("Choose the person you nominate."))
            ok = False
    if ok:
        kind = next(k for k in kinds if k.id == form.award_type_id.data)
        nomination = Nomination(
            award_type_id=kind.id, period=form.period.data, reason=form.reason.data,
            nominee_id=None if kind.for_team else form.nominee_id.data,
            area_id=form.area_id.data if kind.for_team else None,
            nominated_by_id=current_user.id)
        db.session.add(nomination)
        db.session.commit()
        flash(_("Nomination sent to HR."), "success")
        return redirect(url_for("incentives.awards"), code=303)
    return render("incentives/nominate.html", form=form, status=422 if form.errors else 200)


@bp.route("/awards/nominations/<int:nomination_id>", methods=["GET", "POST"])
@audience(Role.HR)
def decide(nomination_id: int):
    """HR's decision on a nomination: award it or decline it."""
    nomination = get_nomination_for_hr_or_404(current_user, nomination_id)
    form = DecisionForm()
    if form.validate_on_submit():
        if nomination.status != NominationStatus.PENDING:
            abort(403)
        nomination.status = NominationStatus(form.decision.data)
        nomination.decision_note = form.decision_note.data or ""
        nomination.decided_by_id = current_user.id
        nomination.decided_at = utcnow()
        audit.record("nomination.decide", "nomination", nomination.id, {"status": "pending"},
                     {"status": nomination.status})
        db.session.commit()
        flash(_("Decision saved."), "success")
        return redirect(url_for("incentives.awards"), code=303)
    return render("incentives/decide.html", form=form, nomination=nomination,
                  status=422 if form.errors else 200)


# --- team activities ----------------------------------------------------------------------------

@bp.route("/activities")
def activities():
    """The team-building activities of the areas the viewer sees."""
    page = db.paginate(visible_activities(current_user),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    can_log = current_user.has_role(Role.HR) or bool(headed_areas(current_user))
    return render("incentives/activities.html", "incentives/_activity_rows.html", page=page,
                  can_log=can_log)


@bp.route("/activities/new", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def activity_create():
    """Log a team-building activity of an area one heads (HR: any area)."""
    form = ActivityForm()
    form.area_id.choices = [(a.id, a.label) for a in headed_areas(current_user)]
    if not form.area_id.choices:
        abort(403)
    if form.validate_on_submit():
        activity = TeamActivity(area_id=form.area_id.data, held_on=form.held_on.data,
                                title=form.title.data, place=form.place.data or "",
                                participants=form.participants.data, cost=form.cost.data,
                                notes=form.notes.data or "", created_by_id=current_user.id)
        db.session.add(activity)
        db.session.commit()
        flash(_("Activity logged."), "success")
        return redirect(url_for("incentives.activities"), code=303)
    return render("incentives/activity_form.html", form=form, status=422 if form.errors else 200)
