"""Allocation: a manager gives one customer, or many at once, to another account manager."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import people_picker
from portal.customers import bp
from portal.customers.forms import ReassignForm
from portal.customers.queries import (ALLOCATION_FILTERS, allocation_list, assignable_staff,
                                      customers_by_ids, get_customer_or_404, tier_loads)
from portal.customers.services import AllocationError, reassign_all
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.models import Role, User
from portal.models.customers import Customer, Tier

ALLOCATION_ERRORS = {
    "outside_area": lambda: _("This account manager is not in the customer's area."),
    "not_staff": lambda: _("Customers can only go to active account managers."),
    "before_current": lambda: _("The move cannot start before the current owner's start."),
    "future": lambda: _("A move takes effect today or on a past day, not in the future."),
}


def _reassign_form() -> ReassignForm:
    form = ReassignForm()
    people_picker.bind(form.account_manager_id)
    return form


def _move(customers: list[Customer], form: ReassignForm) -> bool:
    """Reassign the customers; on a refusal put the reason beside the field (nothing moved)."""
    new_owner = db.session.get(User, form.account_manager_id.data)
    if new_owner is None:
        form.account_manager_id.errors.append(_("Choose an account manager."))
        return False
    try:
        reassign_all(customers, new_owner, current_user, form.effective.data, form.note.data or "")
    except AllocationError as error:
        form.account_manager_id.errors.append(ALLOCATION_ERRORS[str(error)]())
        return False
    return True


@bp.route("/<int:customer_id>/reassign", methods=["GET", "POST"])
@audience(Role.MANAGER)
def reassign_one(customer_id: int):
    """The manager gives one customer to another account manager of the area."""
    customer = get_customer_or_404(current_user, customer_id)
    form = _reassign_form()
    if form.validate_on_submit() and _move([customer], form):
        db.session.commit()
        flash(_("%(name)s reassigned.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/reassign.html", form=form, customer=customer,
                  status=422 if form.errors else 200)


@bp.route("/allocation", methods=["GET", "POST"])
@audience(Role.MANAGER)
def allocation():
    """The manager moves customers in bulk, with each account manager's load by tier beside."""
    listing = Listing(filters=ALLOCATION_FILTERS)
    form = _reassign_form()
    selected = request.form.getlist("customer_ids", type=int) if request.method == "POST" else []
    if request.method == "POST":
        ok = form.validate_on_submit()
        customers = customers_by_ids(current_user, selected)
        if not customers:
            form.account_manager_id.errors.append(_("Tick the customers to move."))
            ok = False
        elif len(customers) != len(set(selected)):
            abort(404)  # some are not the manager's to see
        if ok and _move(customers, form):
            db.session.commit()
            flash(_("%(n)d customers reassigned.", n=len(customers)), "success")
            return redirect(listing.url(), code=303)
    page = listing.paginate(allocation_list(current_user, listing), per_page=50)
    staff = db.session.scalars(assignable_staff(current_user)).all()
    return render("customers/allocation.html", form=form, page=page, staff=staff,
                  loads=tier_loads(staff), selected=set(selected), tiers=list(Tier),
                  this_url=listing.url(), status=422 if form.errors else 200)
