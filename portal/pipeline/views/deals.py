"""The deals: my board, the list, one deal, its edit, moves, activities, won and lost."""
from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import customer_picker, people_picker
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.intel import services as intel
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.models import Role
from portal.models.pipeline import OPEN, Opportunity, PipelineStage
from portal.pipeline import bp
from portal.pipeline.forms import (ActivityForm, LoseForm, MoveForm, OpportunityForm, WinForm)
from portal.pipeline.labels import EVENT_LABELS
from portal.pipeline.queries import (LIST_FILTERS, LIST_SORTS, board, can_change, competitors,
                                     get_opportunity_or_404, loss_reasons,
                                     opportunity_visits,
                                     opportunity_list, product_lines,
                                     report_scope, stages)
from portal.pipeline.services import (PipelineError, add_activity, create_opportunity, link_visit,
                                      lose, move,
                                      update_opportunity, win)
from portal.customers.queries import get_customer_or_404


@bp.route("/")
def index():
    """A board by stage: my deals, or (for a manager) one report's."""
    # The owner typed and searched (a select of thousands for HR): "who" resolves it.
    chosen = Listing(filters=("owner",))
    who = people_picker.person_filter(chosen, "owner", _("Account manager"),
                                      "customers.owners_seen", placeholder=_("Me"))
    owner_id = chosen.get("owner", type=int)
    if owner_id and not report_scope(current_user, owner_id):
        abort(404)
    columns = board(current_user, owner_id, clock.today())
    return render("pipeline/board.html", "pipeline/_board.html", stages=stages(), columns=columns,
                  who=who, owner_id=owner_id,
                  move_form=MoveForm(), today=clock.today())


def _listing() -> Listing:
    return Listing(filters=LIST_FILTERS, sorts=LIST_SORTS, default_sort="close")


@bp.route("/list")
def deals():
    listing = _listing()
    who = people_picker.person_filter(listing, "owner", _("Account manager"),
                                      "customers.owners_seen")
    # Keyset pages in the default order (closing day, then id; ix_opportunities_close): the
    # company's 40,000 deals are not sorted and counted whole for each page.
    page = listing.pages(opportunity_list(current_user, listing), Opportunity.expected_close,
                         Opportunity.id)
    return render("pipeline/list.html", "pipeline/_results.html", page=page, stages=stages(False),
                  who=who, lines=product_lines())


def _choices(form: OpportunityForm) -> None:
    customer_picker.bind(form.customer_id)
    form.stage_id.choices = [(s.id, s.label) for s in stages() if s.outcome == OPEN]
    lines = [(0, _("— none —"))] + [(p.id, p.label) for p in product_lines()]
    for entry in form.lines:
        entry.product_line_id.choices = lines
    form.competitor_ids.choices = [(c.id, c.name) for c in competitors()]


def _values(form: OpportunityForm) -> dict:
    return {"title": form.title.data, "stage_id": form.stage_id.data,
            "probability": form.probability.data, "expected_close": form.expected_close.data,
            "source": form.source.data or "", "next_step": form.next_step.data or "",
            "next_step_on": form.next_step_on.data, "notes": form.notes.data or "",
            "other_competitors": form.other_competitors.data or ""}


def _chosen_competitors(form):
    wanted = set(form.competitor_ids.data or [])
    return [c for c in competitors() if c.id in wanted]


@bp.route("/new", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def create():
    """A new deal (from a customer's page or a recommendation: prefilled)."""
    form = OpportunityForm()
    _choices(form)
    customer = None
    if request.method == "GET":
        if request.args.get("customer_id", type=int):
            customer = get_customer_or_404(current_user, request.args.get("customer_id", type=int))
            form.customer_id.data = customer.id
            line = request.args.get("line_id", type=int)
            if line:
                form.lines[0].product_line_id.data = line
                form.title.data = _("%(line)s for %(customer)s", customer=customer.name,
                                    line=next((p.label for p in product_lines() if p.id == line),
                                              ""))
        form.expected_close.data = clock.today() + timedelta(days=60)
    if form.validate_on_submit():
        customer = get_customer_or_404(current_user, form.customer_id.data)
        values = _values(form)
        values.update(customer_id=customer.id,
                      owner_id=customer.account_manager_id or current_user.id)
        if values["stage_id"] not in {s.id for s in stages() if s.outcome == OPEN}:
            abort(400)
        opp = create_opportunity(values, form.chosen_lines(), _chosen_competitors(form),
                                 current_user)
        db.session.commit()
        flash(_("Opportunity %(title)s added.", title=opp.title), "success")
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    return render("pipeline/form.html", form=form, opportunity=None,
                  status=422 if form.errors else 200)


@bp.route("/<int:opportunity_id>")
def detail(opportunity_id: int):
    opp = get_opportunity_or_404(current_user, opportunity_id)
    linked, free = opportunity_visits(opp)
    # Lost to a competitor: offer to tell the area what was learned (market intelligence).
    post_url = (intel.post_url_for_lost_opportunity(
        opp.customer_id, opp.won_by.name, opp.lines[0].product_line_id if opp.lines else None)
        if opp.stage.outcome == "lost" and opp.won_by is not None else None)
    return render("pipeline/detail.html", opp=opp, can_change=can_change(current_user, opp),
                  activity_form=ActivityForm(), move_form=MoveForm(), stages=stages(),
                  event_labels=EVENT_LABELS, linked=linked, free=free, intel_post_url=post_url)


@bp.route("/<int:opportunity_id>/visits", methods=["POST"])
@audience(Role.STAFF, Role.MANAGER)
def link_visit_view(opportunity_id: int):
    """Link one of the customer's visits to this deal."""
    opp = _changeable(opportunity_id)
    _linked, free = opportunity_visits(opp)
    visit = next((v for v in free if v.id == request.form.get("visit_id", type=int)), None)
    if visit is None:
        abort(400)
    link_visit(opp, visit, current_user)
    db.session.commit()
    flash(_("Visit linked."), "success")
    return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)


def _changeable(opportunity_id: int):
    opp = get_opportunity_or_404(current_user, opportunity_id)
    if not can_change(current_user, opp):
        abort(403)
    return opp


@bp.route("/<int:opportunity_id>/edit", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def edit(opportunity_id: int):
    opp = _changeable(opportunity_id)
    form = OpportunityForm(obj=opp if request.method == "GET" else None)
    if request.method == "GET":
        for entry, line in zip(form.lines, opp.lines):
            entry.product_line_id.data, entry.amount.data = line.product_line_id, line.amount
        form.competitor_ids.data = [c.id for c in opp.competitors]
    _choices(form)
    form.customer_id.data = opp.customer_id
    if opp.stage.outcome != OPEN:
        form.stage_id.choices = [(opp.stage_id, opp.stage.label)]
    if form.validate_on_submit():
        values = _values(form)
        if opp.stage.outcome != OPEN:
            values["stage_id"] = opp.stage_id
        elif values["stage_id"] not in {s.id for s in stages() if s.outcome == OPEN}:
            abort(400)
        if values["probability"] is None:
            values["probability"] = db.session.get(PipelineStage, values["stage_id"]).probability
        update_opportunity(opp, values, form.chosen_lines(), _chosen_competitors(form),
                           current_user)
        db.session.commit()
        flash(_("Changes to %(title)s saved.", title=opp.title), "success")
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    return render("pipeline/form.html", form=form, opportunity=opp,
                  status=422 if form.errors else 200)


@bp.route("/<int:opportunity_id>/stage", methods=["POST"])
@audience(Role.STAFF, Role.MANAGER)
def move_stage(opportunity_id: int):
    """Move a deal: from the board's buttons, its drag and drop (htmx), or the plain form."""
    opp = _changeable(opportunity_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    stage = db.session.get(PipelineStage, form.stage_id.data)
    if stage is None or not stage.active:
        abort(400)
    if stage.outcome != OPEN and opp.stage.outcome == OPEN:
        target = url_for("pipeline.win" if stage.outcome == "won" else "pipeline.lose",
                         opportunity_id=opp.id)
        if is_htmx():
            response = redirect(target, code=303)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target, code=303)
    try:
        moved = move(opp, stage, current_user)
    except PipelineError as error:
        db.session.rollback()
        flash(str(error), "error")
        moved = False
    else:
        db.session.commit()
    if moved:
        flash(_("%(title)s moved to %(stage)s.", title=opp.title, stage=stage.label), "success")
    if is_htmx():
        return render("pipeline/_board.html", stages=stages(),
                      columns=board(current_user, opp.owner_id if opp.owner_id != current_user.id
                                    else None, clock.today()),
                      move_form=MoveForm(), today=clock.today(),
                      owner_id=opp.owner_id if opp.owner_id != current_user.id else None)
    back = request.form.get("back")
    if back == "detail":
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    return redirect(url_for("pipeline.index",
                            owner=opp.owner_id if opp.owner_id != current_user.id else None),
                    code=303)


@bp.route("/<int:opportunity_id>/activity", methods=["POST"])
@audience(Role.STAFF, Role.MANAGER)
def activity(opportunity_id: int):
    opp = _changeable(opportunity_id)
    form = ActivityForm()
    if form.validate_on_submit():
        add_activity(opp, form.note.data, current_user)
        db.session.commit()
        flash(_("Activity recorded."), "success")
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    linked, free = opportunity_visits(opp)
    return render("pipeline/detail.html", opp=opp, can_change=True, activity_form=form,
                  move_form=MoveForm(), stages=stages(), event_labels=EVENT_LABELS, status=422,
                  linked=linked, free=free)


@bp.route("/<int:opportunity_id>/win", methods=["GET", "POST"], endpoint="win")
@audience(Role.STAFF, Role.MANAGER)
def win_view(opportunity_id: int):
    """Won: the sales to record, prefilled from the deal's lines; made exactly once."""
    opp = _changeable(opportunity_id)
    if opp.stage.outcome != OPEN:
        flash(_("This opportunity is already closed: its sales were not recorded again."),
              "warning")
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    form = WinForm()
    if request.method == "GET":
        while len(form.sales.entries) < max(1, len(opp.lines)):
            form.sales.append_entry()
        for entry, line in zip(form.sales, opp.lines):
            entry.product_line_id.data, entry.amount.data = line.product_line_id, line.amount
            entry.sold_on.data = clock.today()
            entry.reference.data = f"OPP-{opp.id}"
    lines = [(0, _("— none —"))] + [(p.id, p.label) for p in product_lines()]
    for entry in form.sales:
        entry.product_line_id.choices = lines
    if form.validate_on_submit():
        try:
            made = win(opp, form.chosen(), current_user)
        except PipelineError as error:
            db.session.rollback()
            flash(str(error), "warning")
            return redirect(url_for("pipeline.detail", opportunity_id=opportunity_id), code=303)
        db.session.commit()
        flash(_("Won! %(n)d sale(s) recorded.", n=len(made)), "success")
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    return render("pipeline/win.html", form=form, opp=opp, status=422 if form.errors else 200)



@bp.route("/<int:opportunity_id>/lose", methods=["GET", "POST"], endpoint="lose")
@audience(Role.STAFF, Role.MANAGER)
def lose_view(opportunity_id: int):
    opp = _changeable(opportunity_id)
    if opp.stage.outcome != OPEN:
        flash(_("This opportunity is already closed."), "warning")
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    form = LoseForm()
    form.loss_reason_id.choices = [(0, _("— choose —"))] + [(r.id, r.label)
                                                            for r in loss_reasons()]
    form.won_by_id.choices = [(0, _("— unknown —"))] + [(c.id, c.name) for c in competitors()]
    if form.validate_on_submit():
        try:
            lose(opp, form.loss_reason_id.data, form.note.data or "", form.won_by_id.data or None,
                 current_user)
        except PipelineError as error:
            db.session.rollback()
            flash(str(error), "warning")
            return redirect(url_for("pipeline.detail", opportunity_id=opportunity_id), code=303)
        db.session.commit()
        flash(_("Marked as lost."), "success")
        return redirect(url_for("pipeline.detail", opportunity_id=opp.id), code=303)
    return render("pipeline/lose.html", form=form, opp=opp, status=422 if form.errors else 200)

