"""Customers: the list and its export, a customer's profile, its edit and its tier."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import people_picker, spreadsheets
from portal.care.queries import care_activities
from portal.concurrency import is_current
from portal.customers import bp
from portal.customers.imports import export_columns
from portal.customers.forms import (POTENTIAL_LABELS, STATUS_LABELS, TIER_LABELS, CustomerForm,
                                    TierForm)
from portal.customers.queries import (CUSTOMER_FILTERS, CUSTOMER_SORTS, assignment_history,
                                      customer_list, customer_sales, customer_types,
                                      get_customer_or_404, recent_visits, sales_by_product_line)
from portal.customers.services import (PROFILE_FIELDS, code_taken, create_customer,
                                       sales_last_12_months, set_tier, suggest_tier,
                                       update_customer)
from portal.exports import services as exports
from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.models import Role, User
from portal.models.care import CARE_LABELS
from portal.models.customers import Customer, CustomerStatus, Tier


def _listing() -> Listing:
    return Listing(filters=CUSTOMER_FILTERS, sorts=CUSTOMER_SORTS, default_sort="name")


@bp.route("/")
def index():
    """The customers the user may see, with search, filters, sorting and pagination."""
    listing = _listing()
    owner = people_picker.person_filter(listing, "owner", _("Account manager"),
                                        "customers.owners_seen")
    page = listing.paginate(customer_list(current_user, listing))
    values = sales_last_12_months([c.id for c in page.items], clock.today())
    export_args = {k: v for k, v in listing.args.items() if k not in ("page", "per_page")}
    return render("customers/index.html", "customers/_results.html", page=page, values=values,
                  owner=owner, types=customer_types(),
                  tiers=list(Tier), statuses=list(CustomerStatus), export_args=export_args)


@exports.register("customers")
def customers_export(viewer: User) -> exports.Export:
    """The filtered customers (request.args), headers and coded values in the current language,
    read a chunk of customers at a time."""
    today = clock.today()
    query = customer_list(viewer, _listing())
    ids = list(db.session.scalars(query.with_only_columns(Customer.id,
                                                           maintain_column_froms=True)))

    def rows():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            customers = {c.id: c for c in db.session.scalars(
                select(Customer).where(Customer.id.in_(chunk)).options(
                    selectinload(Customer.area), selectinload(Customer.type),
                    selectinload(Customer.account_manager)))}
            values = sales_last_12_months(chunk, today)
            for cid in chunk:
                c = customers[cid]
                owner = c.account_manager
                yield [c.code, c.name, c.type.label if c.type else "", c.industry, c.address,
                       str(STATUS_LABELS.get(c.status, c.status.value)),
                       c.tier.value if c.tier else "",
                       str(POTENTIAL_LABELS.get(c.potential, c.potential)),
                       owner.display_name if owner else "", owner.username if owner else "",
                       c.area.label if c.area else "", values[cid]]

    stem = "-".join([_("customers"), spreadsheets.scope_name(viewer), today.isoformat()])
    return exports.Export(stem, _("Customers"), export_columns(), rows(), lambda: len(ids))


@bp.route("/export")
def export():
    """The filtered customers as CSV or Excel: written in the request, or as a queued job with
    a progress page when there are more than EXPORT_QUEUE_ROWS."""
    return exports.respond(current_user, "customers", request.args.get("format", "csv"))


def _customer_form_choices(form: CustomerForm) -> None:
    """Fill the select choices of the customer form; only managers choose the owner."""
    form.type_id.choices = [(0, _("— none —"))] + [
        (t.id, t.label) for t in customer_types(active_only=True)]
    if current_user.has_role(Role.MANAGER):
        people_picker.bind(form.account_manager_id)
    else:
        del form.account_manager_id


def _profile(form: CustomerForm) -> dict:
    """The profile fields the form holds."""
    return {name: form[name].data for name in PROFILE_FIELDS}


def _code_is_free(form: CustomerForm, customer_id: int | None) -> bool:
    """False (with the reason beside the field) when another customer has the typed code."""
    if form.code.data and not form.code.errors and code_taken(form.code.data, customer_id):
        form.code.errors.append(_("This code is taken."))
        return False
    return True


@bp.route("/new", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def create():
    """Add a customer: staff for themselves, managers for an account manager of their area."""
    form = CustomerForm()
    _customer_form_choices(form)
    ok = form.validate_on_submit()
    if request.method == "POST":
        ok = _code_is_free(form, None) and ok
        if "account_manager_id" in form and not form.account_manager_id.data:
            form.account_manager_id.errors.append(_("Choose an account manager of your area."))
            ok = False
        if "account_manager_id" not in form and current_user.area_id is None:
            form.name.errors.append(_("You belong to no area: ask an administrator."))
            ok = False
    if ok:
        owner = (db.session.get(User, form.account_manager_id.data)
                 if "account_manager_id" in form else current_user)
        customer = create_customer(_profile(form), owner, current_user)
        db.session.commit()
        flash(_("Customer %(name)s added.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/form.html", form=form, customer=None,
                  status=422 if form.errors else 200)


@bp.route("/<int:customer_id>")
def detail(customer_id: int):
    """A customer's profile, tier and suggestion, contacts, owners over time, visits, purchases."""
    customer = get_customer_or_404(current_user, customer_id)
    today = clock.today()
    value = sales_last_12_months([customer.id], today)[customer.id]
    listing = Listing()  # the purchases' pages
    return render("customers/detail.html", customer=customer, value=value,
                  suggestion=suggest_tier(value, customer.potential),
                  history=assignment_history(customer), visits=recent_visits(customer),
                  sales_page=listing.paginate(customer_sales(customer)),
                  by_line=sales_by_product_line(customer), today=today,
                  care=care_activities(customer.id), care_labels=CARE_LABELS,
                  is_manager=current_user.has_role(Role.MANAGER))


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
def edit(customer_id: int):
    """Edit a customer's profile (the owner and the tier have their own forms)."""
    customer = get_customer_or_404(current_user, customer_id)
    form = CustomerForm(obj=customer)
    if request.method == "GET":
        form.type_id.data = customer.type_id or 0
        form.status.data = customer.status.value
    _customer_form_choices(form)
    if "account_manager_id" in form:
        del form.account_manager_id
    ok = form.validate_on_submit()
    if request.method == "POST":
        ok = _code_is_free(form, customer.id) and ok
    if ok and is_current(form, customer, form.name):
        update_customer(customer, _profile(form))
        db.session.commit()
        flash(_("Changes to %(name)s saved.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/form.html", form=form, customer=customer,
                  status=422 if form.errors else 200)


@bp.route("/<int:customer_id>/tier", methods=["GET", "POST"])
@audience(Role.MANAGER)
def tier(customer_id: int):
    """The manager sets the tier and the potential; the portal's suggestion is shown beside."""
    customer = get_customer_or_404(current_user, customer_id)
    form = TierForm(obj=customer)
    form.tier.choices = [("", _("— not decided —"))] + [(t.value, TIER_LABELS[t]) for t in Tier]
    if request.method == "GET":
        form.tier.data = customer.tier.value if customer.tier else ""
    if form.validate_on_submit():
        set_tier(customer, Tier(form.tier.data) if form.tier.data else None, form.potential.data)
        db.session.commit()
        flash(_("Tier of %(name)s saved.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    value = sales_last_12_months([customer.id], clock.today())[customer.id]
    return render("customers/tier.html", form=form, customer=customer,
                  suggestion=suggest_tier(value, customer.potential),
                  status=422 if form.errors else 200)
