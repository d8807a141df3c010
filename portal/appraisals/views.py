"""Views of the appraisal module: appraisals and their workflow, cycles, templates, printing."""
import io
from decimal import Decimal

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import manages
from portal.kernel.audience import audience
from portal.appraisals import bp, printing, services, workflow
from portal.appraisals.forms import (AcknowledgeForm, CommentForm, ConfirmForm, CycleForm,
                                     FeedbackForm, IndicatorForm, PrintCycleForm, ReopenForm,
                                     TemplateForm)
from portal.appraisals.queries import (appraisal_list, get_appraisal_or_404, get_cycle_or_404,
                                       get_indicator_or_404, get_job_or_404, get_template_or_404,
                                       status_counts, template_in_use)
from portal.concurrency import is_current
from portal.extensions import db
from portal.htmx import render
from portal.models import Area, Role
from portal.appraisals.labels import (CYCLE_STATUS_LABELS, JOB_STATE_LABELS, KIND_LABELS,
                                      SOURCE_LABELS, STATUS_LABELS)
from portal.models.appraisals import (Appraisal, AppraisalCycle, AppraisalStatus as S,
                                      AppraisalTemplate, CycleStatus, IndicatorKind,
                                      PrintJobState, TemplateIndicator)

hr_only = audience(Role.HR)
TEMPLATE_FIELDS = ["name", "name_en", "description", "rating_thresholds"]
INDICATOR_FIELDS = ["section", "section_en", "name", "name_en", "kind", "source", "weight",
                    "score_thresholds", "position"]
CYCLE_FIELDS = ["name", "period_start", "period_end", "staff_template_id", "manager_template_id"]


@bp.app_context_processor
def _labels():
    """The labels of the module's states and kinds, for every template."""
    return {"appraisal_status_labels": STATUS_LABELS, "cycle_status_labels": CYCLE_STATUS_LABELS,
            "indicator_kind_labels": KIND_LABELS, "figure_source_labels": SOURCE_LABELS,
            "print_job_labels": JOB_STATE_LABELS}


def _locale() -> str:
    """The reader's language, as the print jobs record it."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


# --- appraisals ------------------------------------------------------------------------------

@bp.route("/")
def index():
    """The appraisals the reader may see, with search, filters, sorting and pagination."""
    args = request.args
    query = appraisal_list(current_user, q=args.get("q", "").strip(),
                           cycle_id=args.get("cycle", type=int),
                           status=args.get("status", "") if args.get("status") in set(S) else "",
                           area_id=args.get("area", type=int), sort=args.get("sort", "-cycle"))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    cycles = db.session.scalars(select(AppraisalCycle).where(AppraisalCycle.status != "draft")
                                .order_by(AppraisalCycle.period_start.desc())).all()
    areas = db.session.scalars(select(Area).order_by(Area.code)).all()
    return render("appraisals/index.html", "appraisals/_results.html", page=page, cycles=cycles,
                  areas=areas, statuses=list(S))


def _roles(appraisal: Appraisal) -> set[str]:
    """The parts the reader plays in this appraisal (person, manager, hr)."""
    return services.actor_role(appraisal, current_user, manages(current_user, appraisal.user_id))


def _step(appraisal: Appraisal, status: S, role: str) -> None:
    """Refuse (403) unless the appraisal is at this step and the reader takes it in this role."""
    if appraisal.locked or appraisal.status != status or role not in _roles(appraisal):
        abort(403)


@bp.route("/<int:appraisal_id>")
def detail(appraisal_id: int):
    """One appraisal: indicators with self and manager scores side by side, comments, steps."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    roles = _roles(appraisal)
    return render("appraisals/detail.html", appraisal=appraisal, roles=roles,
                  rows=_rows(appraisal), formula=services.FORMULA,
                  **_shown(appraisal, roles))


def _shown(appraisal: Appraisal, roles: set[str]) -> dict:
    """What of the drafts the reader may see (services.shown_parts), for the templates."""
    show_self, show_manager = services.shown_parts(appraisal.status, roles)
    return {"show_self": show_self, "show_manager": show_manager}


def _rows(appraisal: Appraisal):
    """The score rows in the template's order, with the score that counts and its weighted part."""
    rows = sorted(appraisal.scores, key=lambda r: (r.indicator.position, r.indicator.id))
    return [(r, services.effective_score(r),
             services.weighted_score(services.effective_score(r), r.indicator.weight))
            for r in rows]


def _score_step(appraisal_id: int, status: S, role: str, field: str, scored, save, template):
    """The shared shape of the self-assessment and the manager review."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    _step(appraisal, status, role)
    rows = _rows(appraisal)
    ids = [r.indicator_id for r, _s, _w in rows if scored(r)]
    form = CommentForm(data={"comment": getattr(appraisal, f"{field}_comment"),
                             "row_version": appraisal.row_version}
                       if request.method == "GET" else None)
    errors, values = {}, {r.indicator_id: getattr(r, f"{field}_score") for r, _s, _w in rows}
    if request.method == "POST":
        submit = request.form.get("action") == "submit"
        values = {i: request.form.get(f"score-{i}", "") for i in ids}
        scores, errors = services.parse_scores(request.form, ids, required=submit)
        if form.validate_on_submit() and not errors and is_current(form, appraisal, form.comment):
            save(appraisal, scores, form.comment.data or "", submit)
            db.session.commit()
            flash(_("Submitted.") if submit else _("Saved."), "success")
            return redirect(url_for("appraisals.detail", appraisal_id=appraisal.id)
                            if submit else request.path, code=303)
    return render(template, appraisal=appraisal, rows=rows, scored_ids=set(ids), values=values,
                  errors=errors, form=form, formula=services.FORMULA,
                  **_shown(appraisal, {role}), status=422 if errors or form.errors else 200)


@bp.route("/<int:appraisal_id>/self", methods=["GET", "POST"])
def self_assessment(appraisal_id: int):
    """The person scores the qualitative indicators and comments; submitting starts the review."""
    return _score_step(appraisal_id, S.SELF_ASSESSMENT, "person", "self",
                       lambda r: r.indicator.kind == IndicatorKind.QUALITATIVE,
                       workflow.save_self, "appraisals/self.html")


@bp.route("/<int:appraisal_id>/review", methods=["GET", "POST"])
def review(appraisal_id: int):
    """The manager scores beside the person's own scores (and figures without data)."""
    return _score_step(appraisal_id, S.MANAGER_REVIEW, "manager", "manager",
                       lambda r: r.indicator.kind == IndicatorKind.QUALITATIVE
                       or r.figure_score is None,
                       workflow.save_review, "appraisals/review.html")


@bp.route("/<int:appraisal_id>/feedback", methods=["GET", "POST"])
def feedback(appraisal_id: int):
    """The manager records the feedback talk and the improvement plan."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    _step(appraisal, S.FEEDBACK, "manager")
    form = FeedbackForm(obj=appraisal)
    if form.validate_on_submit() and is_current(form, appraisal, form.improvement_plan):
        submit = request.form.get("action") == "submit"
        if submit and not (form.feedback_talk_on.data and form.improvement_plan.data):
            if not form.feedback_talk_on.data:
                form.feedback_talk_on.errors.append(_("Give the date of the talk."))
            if not form.improvement_plan.data:
                form.improvement_plan.errors.append(_("Write the improvement plan."))
        else:
            workflow.save_feedback(appraisal, form.feedback_talk_on.data,
                                   form.improvement_plan.data or "", submit)
            db.session.commit()
            flash(_("Submitted.") if submit else _("Saved."), "success")
            return redirect(url_for("appraisals.detail", appraisal_id=appraisal.id)
                            if submit else request.path, code=303)
    return render("appraisals/feedback.html", appraisal=appraisal, form=form,
                  rows=_rows(appraisal), **_shown(appraisal, {"manager"}),
                  status=422 if form.errors else 200)


@bp.route("/<int:appraisal_id>/acknowledge", methods=["GET", "POST"])
def acknowledge(appraisal_id: int):
    """The person acknowledges the review, agreeing or not, with a comment."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    _step(appraisal, S.ACKNOWLEDGEMENT, "person")
    form = AcknowledgeForm()
    if form.validate_on_submit():
        workflow.acknowledge(appraisal, form.agrees.data == "yes", form.comment.data or "")
        db.session.commit()
        flash(_("Thank you: your acknowledgement is recorded."), "success")
        return redirect(url_for("appraisals.detail", appraisal_id=appraisal.id), code=303)
    return render("appraisals/acknowledge.html", appraisal=appraisal, form=form,
                  rows=_rows(appraisal), **_shown(appraisal, {"person"}),
                  status=422 if form.errors else 200)


@bp.route("/<int:appraisal_id>/close", methods=["GET", "POST"])
@hr_only
def close(appraisal_id: int):
    """HR closes an acknowledged appraisal; it is locked from then on."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    _step(appraisal, S.ACKNOWLEDGED, "hr")
    form = ConfirmForm()
    if form.validate_on_submit():
        workflow.close(appraisal, current_user)
        db.session.commit()
        flash(_("The appraisal is closed and locked."), "success")
        return redirect(url_for("appraisals.detail", appraisal_id=appraisal.id), code=303)
    return render("confirm.html", form=form, action=_("Close the appraisal"),
                  question=_("Close the appraisal of %(name)s? It will be locked; only HR can "
                             "reopen it, with a reason.", name=appraisal.user.display_name),
                  cancel=url_for("appraisals.detail", appraisal_id=appraisal.id))


@bp.route("/<int:appraisal_id>/reopen", methods=["GET", "POST"])
@hr_only
def reopen(appraisal_id: int):
    """HR reopens a closed appraisal to an earlier step, with a reason (audited)."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    if appraisal.status != S.CLOSED:
        abort(403)
    form = ReopenForm()
    form.target.choices = [(s.value, STATUS_LABELS[s]) for s in services.REOPEN_TO]
    if form.validate_on_submit():
        workflow.reopen(appraisal, S(form.target.data), form.reason.data)
        db.session.commit()
        flash(_("The appraisal is reopened."), "success")
        return redirect(url_for("appraisals.detail", appraisal_id=appraisal.id), code=303)
    return render("appraisals/reopen.html", appraisal=appraisal, form=form,
                  status=422 if form.errors else 200)


# --- printing --------------------------------------------------------------------------------

def _start(job) -> object:
    """Commit the new job, start its worker outside this request, and go to its progress page."""
    db.session.commit()
    printing.start_worker(job.id)
    return redirect(url_for("appraisals.job", job_id=job.id), code=303)


@bp.route("/<int:appraisal_id>/print", methods=["POST"])
def print_form(appraisal_id: int):
    """Print one form (anyone who may see the appraisal): a job rendered outside the request."""
    appraisal = get_appraisal_or_404(current_user, appraisal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = printing.create_job(current_user, [appraisal.id], _locale())
    return _start(job)


@bp.route("/cycles/<int:cycle_id>/print", methods=["POST"])
@hr_only
def cycle_print(cycle_id: int):
    """Print every form of a cycle (filtered by area and status) as one PDF."""
    cycle = get_cycle_or_404(cycle_id)
    form = _print_form(cycle)
    if not form.validate_on_submit():
        return _cycle_page(cycle, form, status=422)
    query = (select(Appraisal.id).join(Appraisal.user).where(Appraisal.cycle_id == cycle.id)
             .order_by(Appraisal.area_id, Appraisal.id))
    if form.area_id.data:
        query = query.where(Appraisal.area_id == form.area_id.data)
    if form.status.data:
        query = query.where(Appraisal.status == form.status.data)
    ids = list(db.session.scalars(query))
    if not ids:
        form.status.errors.append(_("No form matches these filters."))
        return _cycle_page(cycle, form, status=422)
    job = printing.create_job(current_user, ids, _locale(), cycle_id=cycle.id)
    return _start(job)


@bp.route("/print-jobs/<int:job_id>")
def job(job_id: int):
    """A print job's progress; htmx polls the progress block until it is done."""
    job = get_job_or_404(current_user, job_id)
    if printing.take_over_if_orphaned(job):
        db.session.refresh(job)
    return render("appraisals/job.html", "appraisals/_job.html", job=job)


@bp.route("/print-jobs/<int:job_id>/download")
def job_download(job_id: int):
    """The finished PDF of a print job."""
    job = get_job_or_404(current_user, job_id)
    if job.state != PrintJobState.DONE or not job.pdf:
        abort(404)
    name = f"appraisal-{job.cycle_id or 'form'}-{job.id}.pdf"
    return send_file(io.BytesIO(job.pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=name, max_age=0)


# --- cycles (HR) -------------------------------------------------------------------------------

@bp.route("/cycles")
@hr_only
def cycles():
    """Every cycle, newest first, with how far each has come."""
    query = select(AppraisalCycle).order_by(AppraisalCycle.period_start.desc(),
                                            AppraisalCycle.id.desc())
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(func.lower(AppraisalCycle.name).like(f"%{q.lower()}%"))
    page = db.paginate(query.options(selectinload(AppraisalCycle.areas)),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    ids = [c.id for c in page.items]
    counts = dict(db.session.execute(
        select(Appraisal.cycle_id, func.count(Appraisal.id)).where(Appraisal.cycle_id.in_(ids))
        .group_by(Appraisal.cycle_id)).all()) if ids else {}
    closed = dict(db.session.execute(
        select(Appraisal.cycle_id, func.count(Appraisal.id))
        .where(Appraisal.cycle_id.in_(ids), Appraisal.status == S.CLOSED)
        .group_by(Appraisal.cycle_id)).all()) if ids else {}
    return render("appraisals/cycles.html", page=page, counts=counts, closed=closed)


def _cycle_form(cycle: AppraisalCycle | None) -> CycleForm:
    """A cycle form with its choices."""
    form = CycleForm(obj=cycle)
    templates = db.session.scalars(select(AppraisalTemplate).order_by(AppraisalTemplate.name))
    choices = [(0, "—")] + [(t.id, t.label) for t in templates]
    form.staff_template_id.choices = choices
    form.manager_template_id.choices = choices
    form.area_ids.choices = [(a.id, f"{a.code} · {a.label}")
                             for a in db.session.scalars(select(Area).order_by(Area.code))]
    if cycle is not None and request.method == "GET":
        form.area_ids.data = [a.id for a in cycle.areas]
        form.staff_template_id.data = cycle.staff_template_id or 0
        form.manager_template_id.data = cycle.manager_template_id or 0
    return form


def _check_cycle(form: CycleForm, cycle: AppraisalCycle | None) -> bool:
    """The form's validation plus a unique name."""
    ok = form.validate_on_submit()
    if request.method == "POST" and form.name.data:
        query = select(AppraisalCycle.id).where(AppraisalCycle.name == form.name.data)
        if cycle is not None:
            query = query.where(AppraisalCycle.id != cycle.id)
        if db.session.scalar(query) is not None:
            form.name.errors.append(_("A cycle of this name exists."))
            ok = False
    return ok


def _apply_cycle(form: CycleForm, cycle: AppraisalCycle) -> None:
    """Copy the form onto the cycle."""
    cycle.name = form.name.data
    cycle.period_start = form.period_start.data
    cycle.period_end = form.period_end.data
    cycle.staff_template_id = form.staff_template_id.data or None
    cycle.manager_template_id = form.manager_template_id.data or None
    cycle.areas = list(db.session.scalars(select(Area).where(Area.id.in_(form.area_ids.data or []))))


@bp.route("/cycles/new", methods=["GET", "POST"])
@hr_only
def cycle_create():
    """A new cycle, as a draft."""
    form = _cycle_form(None)
    if _check_cycle(form, None):
        cycle = AppraisalCycle(status=CycleStatus.DRAFT)
        _apply_cycle(form, cycle)
        db.session.add(cycle)
        db.session.flush()
        audit.record("appraisal_cycle.create", "appraisal_cycle", cycle.id, None,
                     audit.snapshot(cycle, CYCLE_FIELDS))
        db.session.commit()
        flash(_("Cycle %(name)s created as a draft.", name=cycle.name), "success")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    return render("appraisals/cycle_form.html", form=form, cycle=None,
                  status=422 if form.errors else 200)


@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@hr_only
def cycle_edit(cycle_id: int):
    """Change a draft cycle (an opened one is fixed)."""
    cycle = get_cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.DRAFT:
        abort(403)
    form = _cycle_form(cycle)
    if _check_cycle(form, cycle):
        before = audit.snapshot(cycle, CYCLE_FIELDS)
        _apply_cycle(form, cycle)
        audit.record("appraisal_cycle.update", "appraisal_cycle", cycle.id, before,
                     audit.snapshot(cycle, CYCLE_FIELDS))
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    return render("appraisals/cycle_form.html", form=form, cycle=cycle,
                  status=422 if form.errors else 200)


def _print_form(cycle: AppraisalCycle) -> PrintCycleForm:
    """The filters of a cycle's batch print."""
    form = PrintCycleForm()
    form.area_id.choices = [(0, _("All areas"))] + [
        (a.id, f"{a.code} · {a.label}") for a in db.session.scalars(select(Area).order_by(Area.code))]
    form.status.choices = [("", _("Every status"))] + [(s.value, STATUS_LABELS[s]) for s in S]
    return form


def _cycle_page(cycle: AppraisalCycle, form: PrintCycleForm, status: int = 200):
    """The cycle page: its settings, progress by state, and the batch print form."""
    problems = _opening_problems(cycle) if cycle.status == CycleStatus.DRAFT else []
    return render("appraisals/cycle_detail.html", cycle=cycle, counts=status_counts(cycle.id),
                  print_form=form, problems=problems, statuses=list(S), status=status)


@bp.route("/cycles/<int:cycle_id>")
@hr_only
def cycle_detail(cycle_id: int):
    """One cycle: settings, progress by state, batch printing."""
    cycle = get_cycle_or_404(cycle_id)
    return _cycle_page(cycle, _print_form(cycle))


def _opening_problems(cycle: AppraisalCycle) -> list[str]:
    """Why a draft cycle cannot open yet (templates whose weights do not total 100, no one)."""
    problems = []
    for template in filter(None, (cycle.staff_template, cycle.manager_template)):
        total = services.total_weight(template.indicators)
        if total != services.TOTAL_WEIGHT:
            problems.append(_("The weights of template %(name)s total %(total)s, not 100.",
                              name=template.label, total=total))
    if not workflow.participants(cycle):
        problems.append(_("Nobody takes part: check the areas and templates."))
    return problems


@bp.route("/cycles/<int:cycle_id>/open", methods=["GET", "POST"])
@hr_only
def cycle_open(cycle_id: int):
    """Open a draft cycle: one appraisal per participant, starting at self-assessment."""
    cycle = get_cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.DRAFT:
        abort(403)
    problems = _opening_problems(cycle)
    form = ConfirmForm()
    if not problems and form.validate_on_submit():
        count = workflow.open_cycle(cycle)
        db.session.commit()
        flash(_("Cycle opened: %(n)d appraisals created.", n=count), "success")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    if problems:
        for problem in problems:
            flash(problem, "error")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    return render("confirm.html", form=form, action=_("Open the cycle"),
                  question=_("Open %(name)s? Each participant gets an appraisal and the "
                             "templates' indicators are fixed.", name=cycle.name),
                  cancel=url_for("appraisals.cycle_detail", cycle_id=cycle.id))


@bp.route("/cycles/<int:cycle_id>/close", methods=["GET", "POST"])
@hr_only
def cycle_close(cycle_id: int):
    """Close an open cycle once every appraisal in it is closed."""
    cycle = get_cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.OPEN:
        abort(403)
    still_open = sum(n for s, n in status_counts(cycle.id).items() if s != S.CLOSED)
    if still_open:
        flash(_("%(n)d appraisals are not closed yet.", n=still_open), "error")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    form = ConfirmForm()
    if form.validate_on_submit():
        workflow.close_cycle(cycle)
        db.session.commit()
        flash(_("The cycle is closed."), "success")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    return render("confirm.html", form=form, action=_("Close the cycle"),
                  question=_("Close %(name)s?", name=cycle.name),
                  cancel=url_for("appraisals.cycle_detail", cycle_id=cycle.id))


# --- templates (HR) ----------------------------------------------------------------------------

@bp.route("/templates")
@hr_only
def templates():
    """Every template with its total weight."""
    query = select(AppraisalTemplate).order_by(AppraisalTemplate.name)
    page = db.paginate(query.options(selectinload(AppraisalTemplate.indicators)),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render("appraisals/templates.html", page=page, total_weight=services.total_weight)


def _thresholds_text(values) -> str:
    """Thresholds as the forms show them: '110, 100, 90, 80'."""
    return ", ".join(f"{Decimal(str(v)).normalize():f}" for v in values or [])


def _as_numbers(text: str) -> list:
    """Thresholds typed in a form as JSON numbers (ints where whole)."""
    return [int(v) if v == v.to_integral_value() else float(v)
            for v in services.parse_thresholds(text)]


@bp.route("/templates/new", methods=["GET", "POST"])
@hr_only
def template_create():
    """A new template; indicators are added on its page."""
    form = TemplateForm()
    if form.validate_on_submit():
        template = AppraisalTemplate(name=form.name.data, name_en=form.name_en.data or "",
                                     description=form.description.data or "",
                                     rating_thresholds=_as_numbers(form.rating_thresholds.data))
        db.session.add(template)
        db.session.flush()
        audit.record("appraisal_template.create", "appraisal_template", template.id, None,
                     audit.snapshot(template, TEMPLATE_FIELDS))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/template_form.html", form=form, template=None,
                  status=422 if form.errors else 200)


def _editable(template: AppraisalTemplate) -> None:
    """Refuse (403) changes to a template an opened cycle uses: copy it instead."""
    if template_in_use(template.id):
        abort(403)


@bp.route("/templates/<int:template_id>")
@hr_only
def template_detail(template_id: int):
    """A template: its indicators by section, the total weight, the rating bands."""
    template = get_template_or_404(template_id)
    return render("appraisals/template_detail.html", template=template,
                  total=services.total_weight(template.indicators),
                  in_use=template_in_use(template.id), thresholds_text=_thresholds_text,
                  copy_form=ConfirmForm())


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@hr_only
def template_edit(template_id: int):
    """Change a template's name and rating bands."""
    template = get_template_or_404(template_id)
    _editable(template)
    form = TemplateForm(obj=template)
    if request.method == "GET":
        form.rating_thresholds.data = _thresholds_text(template.rating_thresholds)
    if form.validate_on_submit():
        before = audit.snapshot(template, TEMPLATE_FIELDS)
        template.name, template.name_en = form.name.data, form.name_en.data or ""
        template.description = form.description.data or ""
        template.rating_thresholds = _as_numbers(form.rating_thresholds.data)
        audit.record("appraisal_template.update", "appraisal_template", template.id, before,
                     audit.snapshot(template, TEMPLATE_FIELDS))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/template_form.html", form=form, template=template,
                  status=422 if form.errors else 200)


@bp.route("/templates/<int:template_id>/copy", methods=["POST"])
@hr_only
def template_copy(template_id: int):
    """An editable copy of a template (for one an opened cycle fixed)."""
    template = get_template_or_404(template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = AppraisalTemplate(name=_("%(name)s (copy)", name=template.name),
                             name_en=f"{template.name_en} (copy)" if template.name_en else "",
                             description=template.description,
                             rating_thresholds=list(template.rating_thresholds))
    copy.indicators = [TemplateIndicator(**{f: getattr(i, f) for f in INDICATOR_FIELDS})
                       for i in template.indicators]
    db.session.add(copy)
    db.session.flush()
    audit.record("appraisal_template.create", "appraisal_template", copy.id, None,
                 {"copied_from": template.id})
    db.session.commit()
    return redirect(url_for("appraisals.template_detail", template_id=copy.id), code=303)


def _apply_indicator(form: IndicatorForm, indicator: TemplateIndicator) -> None:
    """Copy the form onto the indicator."""
    quantitative = form.kind.data == IndicatorKind.QUANTITATIVE
    indicator.section, indicator.section_en = form.section.data, form.section_en.data or ""
    indicator.name, indicator.name_en = form.name.data, form.name_en.data or ""
    indicator.kind = IndicatorKind(form.kind.data)
    indicator.source = form.source.data if quantitative else None
    indicator.weight = form.weight.data
    indicator.score_thresholds = (_as_numbers(form.score_thresholds.data) if quantitative
                                  else None)
    indicator.position = form.position.data or 0


@bp.route("/templates/<int:template_id>/indicators/new", methods=["GET", "POST"])
@hr_only
def indicator_create(template_id: int):
    """Add an indicator to a template."""
    template = get_template_or_404(template_id)
    _editable(template)
    form = IndicatorForm()
    if request.method == "GET":
        form.position.data = (max((i.position for i in template.indicators), default=0) + 10)
    if form.validate_on_submit():
        indicator = TemplateIndicator(template=template)
        _apply_indicator(form, indicator)
        db.session.add(indicator)
        db.session.flush()
        audit.record("appraisal_indicator.create", "appraisal_indicator", indicator.id, None,
                     audit.snapshot(indicator, INDICATOR_FIELDS))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/indicator_form.html", form=form, template=template, indicator=None,
                  status=422 if form.errors else 200)


@bp.route("/templates/<int:template_id>/indicators/<int:indicator_id>/edit",
          methods=["GET", "POST"])
@hr_only
def indicator_edit(template_id: int, indicator_id: int):
    """Change an indicator of a template no opened cycle uses."""
    template = get_template_or_404(template_id)
    indicator = get_indicator_or_404(template, indicator_id)
    _editable(template)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.source.data = indicator.source or ""
        form.score_thresholds.data = _thresholds_text(indicator.score_thresholds)
    if form.validate_on_submit():
        before = audit.snapshot(indicator, INDICATOR_FIELDS)
        _apply_indicator(form, indicator)
        audit.record("appraisal_indicator.update", "appraisal_indicator", indicator.id, before,
                     audit.snapshot(indicator, INDICATOR_FIELDS))
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("appraisals/indicator_form.html", form=form, template=template,
                  indicator=indicator, status=422 if form.errors else 200)


@bp.route("/templates/<int:template_id>/indicators/<int:indicator_id>/delete",
          methods=["GET", "POST"])
@hr_only
def indicator_delete(template_id: int, indicator_id: int):
    """Confirm, then remove an indicator from a template no opened cycle uses."""
    template = get_template_or_404(template_id)
    indicator = get_indicator_or_404(template, indicator_id)
    _editable(template)
    form = ConfirmForm()
    if form.validate_on_submit():
        audit.record("appraisal_indicator.delete", "appraisal_indicator", indicator.id,
                     audit.snapshot(indicator, INDICATOR_FIELDS), None)
        db.session.delete(indicator)
        db.session.commit()
        return redirect(url_for("appraisals.template_detail", template_id=template.id), code=303)
    return render("confirm.html", form=form, action=_("Remove the indicator"),
                  question=_("Remove %(name)s from the template?", name=indicator.name),
                  cancel=url_for("appraisals.template_detail", template_id=template.id))
