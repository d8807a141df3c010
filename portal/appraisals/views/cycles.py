"""Appraisal cycles (HR): create, edit, open and close them, and their progress."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.appraisals import bp, queries, services, workflow
from portal.appraisals.forms import CycleForm, PrintCycleForm
from portal.appraisals.labels import STATUS_LABELS
from portal.appraisals.queries import get_cycle_or_404, status_counts
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models import Role
from portal.models.appraisals import AppraisalCycle, AppraisalStatus as S, CycleStatus

@bp.route("/cycles")
@audience(Role.HR)
def cycles():
    """Every cycle, newest first, with how far each has come."""
    listing = Listing()
    page = listing.paginate(queries.cycle_list(listing))
    counts, closed = queries.cycle_progress([c.id for c in page.items])
    return render("appraisals/cycles.html", page=page, counts=counts, closed=closed)


def _cycle_form(cycle: AppraisalCycle | None) -> CycleForm:
    """A cycle form with its choices."""
    form = CycleForm(obj=cycle)
    choices = [(0, "—")] + [(t.id, t.label) for t in queries.templates_by_name()]
    form.staff_template_id.choices = choices
    form.manager_template_id.choices = choices
    form.area_ids.choices = [(a.id, f"{a.code} · {a.label}")
                             for a in queries.areas()]
    if cycle is not None and request.method == "GET":
        form.area_ids.data = [a.id for a in cycle.areas]
        form.staff_template_id.data = cycle.staff_template_id or 0
        form.manager_template_id.data = cycle.manager_template_id or 0
    return form


def _check_cycle(form: CycleForm, cycle: AppraisalCycle | None) -> bool:
    """The form's validation plus a unique name."""
    ok = form.validate_on_submit()
    if request.method == "POST" and form.name.data:
        if queries.cycle_name_taken(form.name.data, cycle):
            form.name.errors.append(_("A cycle of this name exists."))
            ok = False
    return ok


def _cycle_values(form: CycleForm) -> dict:
    """The cycle's fields as the form gives them."""
    return {"name": form.name.data, "period_start": form.period_start.data,
            "period_end": form.period_end.data,
            "staff_template_id": form.staff_template_id.data or None,
            "manager_template_id": form.manager_template_id.data or None,
            "areas": queries.areas_by_id(form.area_ids.data)}


@bp.route("/cycles/new", methods=["GET", "POST"])
@audience(Role.HR)
def cycle_create():
    """A new cycle, as a draft."""
    form = _cycle_form(None)
    if _check_cycle(form, None):
        cycle = workflow.save_cycle(None, _cycle_values(form))
        db.session.commit()
        flash(_("Cycle %(name)s created as a draft.", name=cycle.name), "success")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    return render("appraisals/cycle_form.html", form=form, cycle=None,
                  status=422 if form.errors else 200)


@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@audience(Role.HR)
def cycle_edit(cycle_id: int):
    """Change a draft cycle (an opened one is fixed)."""
    cycle = get_cycle_or_404(current_user, cycle_id)
    if cycle.status != CycleStatus.DRAFT:
        abort(403)
    form = _cycle_form(cycle)
    if _check_cycle(form, cycle):
        workflow.save_cycle(cycle, _cycle_values(form))
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("appraisals.cycle_detail", cycle_id=cycle.id), code=303)
    return render("appraisals/cycle_form.html", form=form, cycle=cycle,
                  status=422 if form.errors else 200)


def print_filters(cycle: AppraisalCycle) -> PrintCycleForm:
    """The filters of a cycle's batch print."""
    form = PrintCycleForm()
    form.area_id.choices = [(0, _("All areas"))] + [
        (a.id, f"{a.code} · {a.label}") for a in queries.areas()]
    form.status.choices = [("", _("Every status"))] + [(s.value, STATUS_LABELS[s]) for s in S]
    return form


def cycle_page(cycle: AppraisalCycle, form: PrintCycleForm, status: int = 200):
    """The cycle page: its settings, progress by state, and the batch print form."""
    problems = _opening_problems(cycle) if cycle.status == CycleStatus.DRAFT else []
    return render("appraisals/cycle_detail.html", cycle=cycle, counts=status_counts(cycle.id),
                  print_form=form, problems=problems, statuses=list(S), status=status)


@bp.route("/cycles/<int:cycle_id>")
@audience(Role.HR)
def cycle_detail(cycle_id: int):
    """One cycle: settings, progress by state, batch printing."""
    cycle = get_cycle_or_404(current_user, cycle_id)
    return cycle_page(cycle, print_filters(cycle))


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
@audience(Role.HR)
def cycle_open(cycle_id: int):
    """Open a draft cycle: one appraisal per participant, starting at self-assessment."""
    cycle = get_cycle_or_404(current_user, cycle_id)
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
@audience(Role.HR)
def cycle_close(cycle_id: int):
    """Close an open cycle once every appraisal in it is closed."""
    cycle = get_cycle_or_404(current_user, cycle_id)
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


