"""The appraisals: the list, one appraisal, and the steps of its workflow."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import manages
from portal.appraisals import bp, services, workflow
from portal.appraisals.forms import AcknowledgeForm, CommentForm, FeedbackForm, ReopenForm
from portal.appraisals.labels import STATUS_LABELS
from portal.appraisals.queries import (DEFAULT_SORT, LIST_FILTERS, SORTS, appraisal_list, areas,
                                       get_appraisal_or_404, open_cycles)
from portal.concurrency import is_current
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models import Role
from portal.models.appraisals import Appraisal, AppraisalStatus as S, IndicatorKind

@bp.route("/")
def index():
    """The appraisals the reader may see, with search, filters, sorting and pagination."""
    listing = Listing(filters=LIST_FILTERS, sorts=SORTS, default_sort=DEFAULT_SORT)
    page = listing.paginate(appraisal_list(current_user, listing))
    return render("appraisals/index.html", "appraisals/_results.html", page=page,
                  cycles=open_cycles(), areas=areas(), statuses=list(S))


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
@audience(Role.HR)
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
@audience(Role.HR)
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


