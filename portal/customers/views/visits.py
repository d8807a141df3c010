"""Visits: the list and its chart, a person's week, overdue counts, plan and record a visit, the
visit plans from the tiers' cadence."""
from datetime import date, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import people_picker
from portal.access import visible_users
from portal.customers import bp
from portal.customers.forms import METHOD_LABELS, CadenceForm, VisitForm
from portal.customers.queries import (VISIT_FILTERS, VISIT_SORTS, get_customer_or_404,
                                      get_visit_or_404, overdue_by_person, visible_customers,
                                      visit_list, visit_list_key, visits_done_per_month,
                                      week_visits)
from portal.customers.services import cadence_months, new_visit, plan_visits, save_cadence
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.kernel.urls import redirect_next
from portal.models import Role, User
from portal.models.customers import Tier, Visit, VisitMethod
from portal.kernel.bar_charts import stacked_bars


@bp.route("/visits")
def visits():
    """Visits with filters: mine or a person's, planned / done / overdue, a customer search."""
    today = clock.today()
    listing = Listing(filters=VISIT_FILTERS, sorts=VISIT_SORTS, default_sort="-date")
    who = people_picker.person_filter(listing, "who", _("Account manager"), "people.visible")
    page = listing.pages(visit_list(current_user, listing, today),
                         visit_list_key(current_user, listing), Visit.id, nullable=True)
    return render("customers/visits.html", "customers/_visit_results.html", page=page,
                  who=who, today=today, methods=list(VisitMethod),
                  # the chart sits outside the results: not drawn for htmx's filtering and paging
                  chart=None if is_htmx() else visit_chart(current_user, today))


def visit_chart(user: User, today: date):
    """Visits done per month over the last six months, by method, as chart data."""
    months, counts = visits_done_per_month(user, today)
    return stacked_bars(
        months,
        [(str(METHOD_LABELS[method]), f"series-{i}", [counts[(m, method)] for m in months])
         for i, method in enumerate(VisitMethod)])


@bp.route("/visits/week")
def week():
    """A person's week of visits, Monday to Sunday."""
    today = clock.today()
    try:
        start = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        start = today
    start = start - timedelta(days=start.weekday())
    chosen = Listing(filters=("who", "start"))
    who = people_picker.person_filter(chosen, "who", _("Account manager"), "people.visible",
                                      placeholder=current_user.display_name)
    person_id = chosen.get("who", type=int) or current_user.id
    person = db.first_or_404(visible_users(current_user).where(User.id == person_id))
    days = [(start + timedelta(days=i), []) for i in range(7)]
    for visit in week_visits(current_user, person, start):
        days[((visit.done_on or visit.planned_on) - start).days][1].append(visit)
    return render("customers/week.html", person=person, days=days, start=start,
                  prev=start - timedelta(days=7), next=start + timedelta(days=7),
                  who=who, today=today)


@bp.route("/visits/overdue")
def overdue():
    """Overdue visits counted per person and per area, for those the user may see."""
    today = clock.today()
    per_person = overdue_by_person(current_user, today)
    per_area: dict = {}
    for person, n, _oldest in per_person:
        per_area[person.area] = per_area.get(person.area, 0) + n
    return render("customers/overdue.html", today=today, per_person=per_person,
                  per_area=sorted(per_area.items(), key=lambda kv: -kv[1]))


def _visit_form_done(form: VisitForm, visit: Visit) -> None:
    visit.planned_on = form.planned_on.data
    visit.done_on = form.done_on.data
    visit.method = VisitMethod(form.method.data)
    visit.purpose = form.purpose.data or ""
    visit.notes = form.notes.data or ""
    visit.next_follow_up = form.next_follow_up.data
    visit.cancelled = form.cancelled.data


@bp.route("/<int:customer_id>/visits/new", methods=["GET", "POST"])
def visit_create(customer_id: int):
    """Plan a visit to a customer, or record one done."""
    customer = get_customer_or_404(current_user, customer_id)
    if customer.account_manager_id is None:
        abort(403)  # a visit belongs to the customer's account manager: there is none
    form = VisitForm()
    if request.method == "GET":
        form.planned_on.data = clock.today()
    if form.validate_on_submit():
        _visit_form_done(form, new_visit(customer, current_user))
        db.session.commit()
        flash(_("Visit to %(name)s saved.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/visit_form.html", form=form, customer=customer, visit=None,
                  status=422 if form.errors else 200)


@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
def visit_edit(visit_id: int):
    """Record a planned visit as done (method, notes, next follow-up), move it or cancel it."""
    visit = get_visit_or_404(current_user, visit_id)
    form = VisitForm(obj=visit)
    if request.method == "GET":
        form.method.data = visit.method.value
        if visit.done_on is None and request.args.get("done"):
            form.done_on.data = clock.today()
    if form.validate_on_submit():
        _visit_form_done(form, visit)
        db.session.commit()
        flash(_("Visit to %(name)s saved.", name=visit.customer.name), "success")
        return redirect_next(url_for("customers.detail", customer_id=visit.customer_id))
    return render("customers/visit_form.html", form=form, customer=visit.customer, visit=visit,
                  status=422 if form.errors else 200)


@bp.route("/visits/plan", methods=["POST"])
@audience(Role.STAFF, Role.MANAGER)
def plan():
    """Plan the next visit of every visible customer that has none, from its tier's cadence."""
    form = ConfirmForm()
    if form.validate_on_submit():
        customers = db.session.scalars(visible_customers(current_user)).all()
        n = plan_visits(customers, clock.today(), current_user)
        db.session.commit()
        flash(_("%(n)d visits planned from the tiers' cadence.", n=n), "success")
    return redirect(url_for("customers.visits", state="planned"), code=303)


@bp.route("/cadence", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.ADMIN)
def cadence():
    """How often each tier is visited: managers and administrators set it."""
    months = cadence_months()
    form = CadenceForm(data={"a": months[Tier.A], "b": months[Tier.B], "c": months[Tier.C]}
                       if request.method == "GET" else None)
    if form.validate_on_submit():
        save_cadence({Tier.A: form.a.data, Tier.B: form.b.data, Tier.C: form.c.data})
        db.session.commit()
        flash(_("Visit cadence saved."), "success")
        return redirect(url_for("customers.cadence"), code=303)
    return render("customers/cadence.html", form=form, status=422 if form.errors else 200)
