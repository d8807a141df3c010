"""Views of the customers module: customers, allocation, visits and visit plans."""
from datetime import date, timedelta

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import visible_users
from portal.concurrency import is_current
from portal.customers import bp
from portal.customers.forms import (BAND_LABELS, METHOD_LABELS, POTENTIAL_LABELS, STATUS_LABELS,
                                    TIER_LABELS, CadenceForm, ConfirmForm, ContactForm,
                                    CustomerForm, ReassignForm, TierForm, VisitForm)
from portal.customers.queries import (assignable_staff, customer_scope, get_customer_or_404,
                                      get_visit_or_404, search_text, visible_customers,
                                      visible_visits, visible_visits_where)
from portal.customers.services import (AllocationError, cadence_months, plan_visits, reassign,
                                       sales_last_12_months, start_ownership, suggest_tier)
from portal.extensions import db
from portal.htmx import render
from portal.home.panels import panel
from portal.models import CustomerType, Role, User
from portal.models.customers import (Customer, CustomerAssignment, CustomerContact,
                                     CustomerStatus, Tier, Visit, VisitCadence, VisitMethod)
from portal.models.sales import SalesRecord

CUSTOMER_FIELDS = ["code", "name", "type_id", "industry", "address", "status", "preferences",
                   "needs", "account_manager_id"]
SORTS = {
    "name": Customer.name, "code": Customer.code, "tier": Customer.tier,
    "owner": User.display_name, "created": Customer.created_at,
}


@bp.app_context_processor
def _labels():
    """The label maps of the module, for its templates."""
    return {"tier_labels": TIER_LABELS, "status_labels": STATUS_LABELS,
            "method_labels": METHOD_LABELS, "potential_labels": POTENTIAL_LABELS,
            "band_labels": BAND_LABELS}


def _is_manager() -> bool:
    return current_user.has_role(Role.MANAGER)


def _require_manager() -> None:
    """Managers only: others may see the page's customers but not make this change."""
    if not _is_manager():
        abort(403)


def _today() -> date:
    return date.today()


# --- customers ---------------------------------------------------------------------------------

def _filtered_customers():
    """The visible customers with the list's search, filters and sort applied."""
    args = request.args
    query = visible_customers(current_user).outerjoin(
        User, Customer.account_manager_id == User.id).options(
        selectinload(Customer.account_manager), selectinload(Customer.type))
    q = search_text(args)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Customer.name).like(like),
                                func.lower(Customer.code).like(like),
                                func.lower(Customer.industry).like(like)))
    if args.get("tier") in {t.value for t in Tier}:
        query = query.where(Customer.tier == Tier(args["tier"]))
    elif args.get("tier") == "none":
        query = query.where(Customer.tier.is_(None))
    if args.get("status") in {s.value for s in CustomerStatus}:
        query = query.where(Customer.status == CustomerStatus(args["status"]))
    if args.get("type", type=int):
        query = query.where(Customer.type_id == args.get("type", type=int))
    if args.get("owner", type=int):
        query = query.where(Customer.account_manager_id == args.get("owner", type=int))
    sort = args.get("sort", "name")
    column = SORTS.get(sort.lstrip("-"), Customer.name)
    return query.order_by(column.desc() if sort.startswith("-") else column, Customer.id)


@bp.route("/")
def index():
    """The customers the user may see, with search, filters, sorting and pagination."""
    page = db.paginate(_filtered_customers(), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    values = sales_last_12_months([c.id for c in page.items], _today())
    # The owners of the customers in scope (one CTE: SQLAlchemy refuses two named alike).
    owners = db.session.scalars(
        select(User).where(User.id.in_(
            select(Customer.account_manager_id).where(customer_scope(current_user))))
        .order_by(User.display_name)).all()
    types = db.session.scalars(select(CustomerType).order_by(CustomerType.code)).all()
    return render("customers/index.html", "customers/_results.html", page=page, values=values,
                  owners=owners, types=types, tiers=list(Tier), statuses=list(CustomerStatus))


EXPORT_HEADER = ["code", "name", "type", "industry", "address", "status", "tier", "potential",
                 "account_manager", "area", "sales_12_months"]


@bp.route("/export")
def export():
    """The filtered customers as CSV or Excel."""
    from portal.targets.imports import table_to_csv, table_to_xlsx

    customers = db.session.scalars(_filtered_customers().options(
        selectinload(Customer.area))).all()
    values = {}
    for chunk in range(0, len(customers), 500):
        values.update(sales_last_12_months([c.id for c in customers[chunk:chunk + 500]], _today()))
    rows = [[c.code, c.name, c.type.code if c.type else "", c.industry, c.address, c.status.value,
             c.tier.value if c.tier else "", c.potential,
             c.account_manager.username if c.account_manager else "", c.area.code,
             values[c.id]] for c in customers]
    if request.args.get("format") == "xlsx":
        response = make_response(table_to_xlsx("customers", EXPORT_HEADER, rows))
        response.headers["Content-Type"] = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.headers["Content-Disposition"] = "attachment; filename=customers.xlsx"
    else:
        response = make_response(table_to_csv(EXPORT_HEADER, rows))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = "attachment; filename=customers.csv"
    return response


def _customer_form_choices(form: CustomerForm) -> None:
    """Fill the select choices of the customer form."""
    form.type_id.choices = [(0, _("— none —"))] + [
        (t.id, t.label) for t in db.session.scalars(
            select(CustomerType).where(CustomerType.active.is_(True)).order_by(CustomerType.code))]
    if _is_manager():
        form.account_manager_id.choices = [
            (u.id, u.display_name) for u in db.session.scalars(assignable_staff(current_user))]
    else:
        del form.account_manager_id


def _code_taken(code: str, customer_id: int | None) -> bool:
    query = select(Customer.id).where(func.lower(Customer.code) == code.lower())
    if customer_id:
        query = query.where(Customer.id != customer_id)
    return db.session.scalar(query) is not None


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a customer: staff for themselves, managers for an account manager of their area."""
    if not current_user.has_role(Role.STAFF, Role.MANAGER):
        abort(403)
    form = CustomerForm()
    _customer_form_choices(form)
    if "account_manager_id" in form and not form.account_manager_id.choices:
        form.account_manager_id.choices = [(0, _("— none —"))]
    ok = form.validate_on_submit()
    if request.method == "POST":
        if form.code.data and not form.code.errors and _code_taken(form.code.data, None):
            form.code.errors.append(_("This code is taken."))
            ok = False
        if "account_manager_id" in form and not form.account_manager_id.data:
            form.account_manager_id.errors.append(_("Choose an account manager of your area."))
            ok = False
        if "account_manager_id" not in form and current_user.area_id is None:
            form.name.errors.append(_("You belong to no area: ask an administrator."))
            ok = False
    if ok:
        owner = (db.session.get(User, form.account_manager_id.data)
                 if "account_manager_id" in form else current_user)
        customer = Customer(area_id=owner.area_id)
        _apply_customer_form(form, customer)
        start_ownership(customer, owner, current_user)
        db.session.add(customer)
        db.session.flush()
        audit.record("customer.create", "customer", customer.id, None,
                     audit.snapshot(customer, CUSTOMER_FIELDS))
        db.session.commit()
        flash(_("Customer %(name)s added.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/form.html", form=form, customer=None,
                  status=422 if form.errors else 200)


def _apply_customer_form(form: CustomerForm, customer: Customer) -> None:
    """Copy the profile fields of the form onto the customer."""
    customer.code = form.code.data
    customer.name = form.name.data
    customer.type_id = form.type_id.data or None
    customer.industry = form.industry.data or ""
    customer.address = form.address.data or ""
    customer.status = CustomerStatus(form.status.data)
    customer.preferences = form.preferences.data or ""
    customer.needs = form.needs.data or ""


@bp.route("/<int:customer_id>")
def detail(customer_id: int):
    """A customer's profile, tier and suggestion, contacts, owners over time, visits, purchases."""
    customer = get_customer_or_404(current_user, customer_id)
    today = _today()
    value = sales_last_12_months([customer.id], today)[customer.id]
    suggestion = suggest_tier(value, customer.potential)
    history = db.session.scalars(
        select(CustomerAssignment).where(CustomerAssignment.customer_id == customer.id)
        .options(selectinload(CustomerAssignment.account_manager),
                 selectinload(CustomerAssignment.assigned_by))
        .order_by(CustomerAssignment.id.desc())).all()
    visits = db.session.scalars(
        select(Visit).where(Visit.customer_id == customer.id)
        .options(selectinload(Visit.account_manager))
        .order_by(func.coalesce(Visit.done_on, Visit.planned_on).desc()).limit(20)).all()
    sales_page = db.paginate(
        select(SalesRecord).where(SalesRecord.customer_id == customer.id)
        .options(selectinload(SalesRecord.product_line))
        .order_by(SalesRecord.sold_on.desc(), SalesRecord.id.desc()),
        per_page=current_app.config["PER_PAGE"], error_out=False)
    by_line = db.session.execute(
        select(SalesRecord.product_line_id, func.sum(SalesRecord.amount), func.count())
        .where(SalesRecord.customer_id == customer.id)
        .group_by(SalesRecord.product_line_id)).all()
    from portal.models import ProductLine
    lines = {p.id: p for p in db.session.scalars(select(ProductLine))}
    return render("customers/detail.html", customer=customer, value=value,
                  suggestion=suggestion, history=history, visits=visits, sales_page=sales_page,
                  by_line=[(lines[i], total, n) for i, total, n in by_line], today=today,
                  is_manager=_is_manager())


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
    if (request.method == "POST" and form.code.data and not form.code.errors
            and _code_taken(form.code.data, customer.id)):
        form.code.errors.append(_("This code is taken."))
        ok = False
    if ok and not is_current(form, customer, form.name):
        ok = False
    if ok:
        before = audit.snapshot(customer, CUSTOMER_FIELDS)
        _apply_customer_form(form, customer)
        audit.record("customer.update", "customer", customer.id, before,
                     audit.snapshot(customer, CUSTOMER_FIELDS))
        db.session.commit()
        flash(_("Changes to %(name)s saved.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/form.html", form=form, customer=customer,
                  status=422 if form.errors else 200)


@bp.route("/<int:customer_id>/tier", methods=["GET", "POST"])
def tier(customer_id: int):
    """The manager sets the tier and the potential; the portal's suggestion is shown beside."""
    customer = get_customer_or_404(current_user, customer_id)
    _require_manager()
    form = TierForm(obj=customer)
    form.tier.choices = [("", _("— not decided —"))] + [(t.value, TIER_LABELS[t]) for t in Tier]
    if request.method == "GET":
        form.tier.data = customer.tier.value if customer.tier else ""
    if form.validate_on_submit():
        before = audit.snapshot(customer, ["tier", "potential"])
        customer.tier = Tier(form.tier.data) if form.tier.data else None
        customer.potential = form.potential.data
        audit.record("customer.tier", "customer", customer.id, before,
                     audit.snapshot(customer, ["tier", "potential"]))
        db.session.commit()
        flash(_("Tier of %(name)s saved.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    value = sales_last_12_months([customer.id], _today())[customer.id]
    return render("customers/tier.html", form=form, customer=customer,
                  suggestion=suggest_tier(value, customer.potential),
                  status=422 if form.errors else 200)


# --- contacts ----------------------------------------------------------------------------------

@bp.route("/<int:customer_id>/contacts/new", methods=["GET", "POST"])
def contact_create(customer_id: int):
    """Add a contact person to a customer."""
    customer = get_customer_or_404(current_user, customer_id)
    form = ContactForm()
    if form.validate_on_submit():
        contact = CustomerContact(customer_id=customer.id)
        form.populate_obj(contact)
        db.session.add(contact)
        db.session.commit()
        flash(_("Contact %(name)s added.", name=contact.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/contact_form.html", form=form, customer=customer, contact=None,
                  status=422 if form.errors else 200)


def _get_contact(customer: Customer, contact_id: int) -> CustomerContact:
    """A contact of this (visible) customer, else 404."""
    return db.first_or_404(select(CustomerContact).where(
        CustomerContact.id == contact_id, CustomerContact.customer_id == customer.id))


@bp.route("/<int:customer_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def contact_edit(customer_id: int, contact_id: int):
    """Edit a contact person."""
    customer = get_customer_or_404(current_user, customer_id)
    contact = _get_contact(customer, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        form.populate_obj(contact)
        db.session.commit()
        flash(_("Contact %(name)s saved.", name=contact.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/contact_form.html", form=form, customer=customer, contact=contact,
                  status=422 if form.errors else 200)


@bp.route("/<int:customer_id>/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
def contact_delete(customer_id: int, contact_id: int):
    """Confirm, then remove a contact person."""
    customer = get_customer_or_404(current_user, customer_id)
    contact = _get_contact(customer, contact_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.delete(contact)
        db.session.commit()
        flash(_("Contact removed."), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("confirm.html", form=form,
                  question=_("Remove the contact %(name)s of %(customer)s?", name=contact.name,
                             customer=customer.name),
                  action=_("Remove"), cancel=url_for("customers.detail", customer_id=customer.id))


# --- allocation --------------------------------------------------------------------------------

ALLOCATION_ERRORS = {
    "outside_area": lambda: _("This account manager is not in the customer's area."),
    "not_staff": lambda: _("Customers can only go to active account managers."),
    "before_current": lambda: _("The move cannot start before the current owner's start."),
    "future": lambda: _("A move takes effect today or on a past day, not in the future."),
}


def _reassign_form() -> ReassignForm:
    form = ReassignForm()
    form.account_manager_id.choices = [(0, _("— choose —"))] + [
        (u.id, u.display_name) for u in db.session.scalars(assignable_staff(current_user))]
    return form


def _move(customers: list[Customer], form: ReassignForm) -> bool:
    """Reassign the customers; on a refusal put the reason beside the field and undo all."""
    new_owner = db.session.get(User, form.account_manager_id.data)
    if new_owner is None:
        form.account_manager_id.errors.append(_("Choose an account manager."))
        return False
    try:
        for customer in customers:
            reassign(customer, new_owner, current_user, form.effective.data, form.note.data or "")
    except AllocationError as error:
        db.session.rollback()
        form.account_manager_id.errors.append(ALLOCATION_ERRORS[str(error)]())
        return False
    return True


@bp.route("/<int:customer_id>/reassign", methods=["GET", "POST"])
def reassign_one(customer_id: int):
    """The manager gives one customer to another account manager of the area."""
    customer = get_customer_or_404(current_user, customer_id)
    _require_manager()
    form = _reassign_form()
    if form.validate_on_submit() and _move([customer], form):
        db.session.commit()
        flash(_("%(name)s reassigned.", name=customer.name), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id), code=303)
    return render("customers/reassign.html", form=form, customer=customer,
                  status=422 if form.errors else 200)


def tier_loads(users: list[User]) -> dict[int, dict]:
    """Each person's customers by tier (and untiered), in one query."""
    loads = {u.id: {"A": 0, "B": 0, "C": 0, "-": 0, "total": 0} for u in users}
    if not users:
        return loads
    rows = db.session.execute(
        select(Customer.account_manager_id, Customer.tier, func.count())
        .where(Customer.account_manager_id.in_(list(loads)))
        .group_by(Customer.account_manager_id, Customer.tier))
    for owner_id, customer_tier, n in rows:
        loads[owner_id][customer_tier.value if customer_tier else "-"] += n
        loads[owner_id]["total"] += n
    return loads


@bp.route("/allocation", methods=["GET", "POST"])
def allocation():
    """The manager moves customers in bulk, with each account manager's load by tier beside."""
    _require_manager()
    form = _reassign_form()
    selected = request.form.getlist("customer_ids", type=int) if request.method == "POST" else []
    if request.method == "POST":
        ok = form.validate_on_submit()
        customers = db.session.scalars(
            visible_customers(current_user).where(Customer.id.in_(selected))).all()
        if not customers:
            form.account_manager_id.errors.append(_("Tick the customers to move."))
            ok = False
        elif len(customers) != len(set(selected)):
            abort(404)
        if ok and _move(customers, form):
            db.session.commit()
            flash(_("%(n)d customers reassigned.", n=len(customers)), "success")
            return redirect(url_for("customers.allocation", **request.args), code=303)
    args = request.args
    query = visible_customers(current_user).options(selectinload(Customer.account_manager))
    if args.get("owner", type=int):
        query = query.where(Customer.account_manager_id == args.get("owner", type=int))
    if args.get("tier") in {t.value for t in Tier}:
        query = query.where(Customer.tier == Tier(args["tier"]))
    q = search_text(args)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Customer.name).like(like),
                                func.lower(Customer.code).like(like)))
    page = db.paginate(query.order_by(Customer.name, Customer.id),
                       per_page=50, error_out=False)
    staff = db.session.scalars(assignable_staff(current_user)).all()
    return render("customers/allocation.html", form=form, page=page, staff=staff,
                  loads=tier_loads(staff), selected=set(selected), tiers=list(Tier),
                  status=422 if form.errors else 200)


# --- visits ------------------------------------------------------------------------------------

@bp.route("/visits")
def visits():
    """Visits with filters: mine or a person's, planned / done / overdue, a customer search."""
    args = request.args
    today = _today()
    query = visible_visits(current_user).options(
        selectinload(Visit.customer), selectinload(Visit.account_manager))
    who = args.get("who", type=int)
    if who:
        query = query.where(Visit.account_manager_id == who)
    state = args.get("state", "")
    if state == "planned":
        query = query.where(Visit.done_on.is_(None), Visit.cancelled.is_(False),
                            Visit.planned_on >= today)
    elif state == "overdue":
        query = query.where(Visit.done_on.is_(None), Visit.cancelled.is_(False),
                            Visit.planned_on < today)
    elif state == "done":
        query = query.where(Visit.done_on.is_not(None))
    if args.get("method") in {m.value for m in VisitMethod}:
        query = query.where(Visit.method == VisitMethod(args["method"]))
    q = search_text(args)
    if q:
        query = query.where(func.lower(Customer.name).like(f"%{q.lower()}%"))
    day = func.coalesce(Visit.done_on, Visit.planned_on)
    sort = args.get("sort", "-date")
    query = query.order_by(day.desc() if sort == "-date" else day, Visit.id)
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    people = db.session.execute(visible_users(current_user).with_only_columns(
        User.id, User.display_name).order_by(User.display_name)).all()  # the picker: two columns
    return render("customers/visits.html", "customers/_visit_results.html", page=page,
                  people=people, today=today, methods=list(VisitMethod),
                  chart=visit_chart(current_user, today))


def visit_chart(user: User, today: date):
    """Visits done per month over the last six months, by method, as chart data."""
    from portal.customers.services import add_months
    from portal.targets.charts import stacked_bars

    first = add_months(today.replace(day=1), -5)
    # Counted per day and method in the database: at most 183 × 4 rows, whatever the visits.
    rows = db.session.execute(
        visible_visits_where(user, Visit.done_on >= first, Visit.done_on <= today)
        .with_only_columns(Visit.done_on, Visit.method, func.count(Visit.id))
        .group_by(Visit.done_on, Visit.method)).all()
    months = [add_months(first, i) for i in range(6)]
    counts = {(m, method): 0 for m in months for method in VisitMethod}
    for done_on, method, n in rows:
        counts[(done_on.replace(day=1), method)] += n
    return stacked_bars(
        [m for m in months],
        [(str(METHOD_LABELS[method]), f"series-{i}", [counts[(m, method)] for m in months])
         for i, method in enumerate(VisitMethod)])


@bp.route("/visits/week")
def week():
    """A person's week of visits, Monday to Sunday."""
    today = _today()
    try:
        start = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        start = today
    start = start - timedelta(days=start.weekday())
    person_id = request.args.get("who", type=int) or current_user.id
    person = db.first_or_404(visible_users(current_user).where(User.id == person_id))
    rows = db.session.scalars(
        visible_visits(current_user).where(
            Visit.account_manager_id == person.id,
            func.coalesce(Visit.done_on, Visit.planned_on) >= start,
            func.coalesce(Visit.done_on, Visit.planned_on) <= start + timedelta(days=6))
        .options(selectinload(Visit.customer))
        .order_by(func.coalesce(Visit.done_on, Visit.planned_on), Visit.id)).all()
    days = [(start + timedelta(days=i), []) for i in range(7)]
    for visit in rows:
        days[((visit.done_on or visit.planned_on) - start).days][1].append(visit)
    people = db.session.scalars(visible_users(current_user).order_by(User.display_name)).all()
    return render("customers/week.html", person=person, days=days, start=start,
                  prev=start - timedelta(days=7), next=start + timedelta(days=7),
                  people=people, today=today)


@bp.route("/visits/overdue")
def overdue():
    """Overdue visits counted per person and per area, for those the user may see."""
    today = _today()
    base = visible_visits_where(current_user, Visit.done_on.is_(None), Visit.cancelled.is_(False),
                                Visit.planned_on < today)
    per_person = db.session.execute(
        base.with_only_columns(Visit.account_manager_id, func.count(), func.min(Visit.planned_on))
        .group_by(Visit.account_manager_id)).all()
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([r[0] for r in per_person]))
        .options(selectinload(User.area)))}
    per_area: dict = {}
    for owner_id, n, _oldest in per_person:
        area = people[owner_id].area
        per_area[area] = per_area.get(area, 0) + n
    return render("customers/overdue.html", today=today,
                  per_person=[(people[o], n, oldest) for o, n, oldest in per_person],
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
        abort(403)
    form = VisitForm()
    if request.method == "GET":
        form.planned_on.data = _today()
    if form.validate_on_submit():
        visit = Visit(customer_id=customer.id, account_manager_id=customer.account_manager_id,
                      created_by_id=current_user.id)
        _visit_form_done(form, visit)
        db.session.add(visit)
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
            form.done_on.data = _today()
    if form.validate_on_submit():
        _visit_form_done(form, visit)
        db.session.commit()
        flash(_("Visit to %(name)s saved.", name=visit.customer.name), "success")
        return redirect(request.args.get("next") if _safe_next() else
                        url_for("customers.detail", customer_id=visit.customer_id), code=303)
    return render("customers/visit_form.html", form=form, customer=visit.customer, visit=visit,
                  status=422 if form.errors else 200)


def _safe_next() -> bool:
    """Whether ?next= is a path of this site (never another host)."""
    target = request.args.get("next", "")
    return target.startswith("/") and not target.startswith("//")


@bp.route("/visits/plan", methods=["POST"])
def plan():
    """Plan the next visit of every visible customer that has none, from its tier's cadence."""
    if not current_user.has_role(Role.STAFF, Role.MANAGER):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        customers = db.session.scalars(visible_customers(current_user)).all()
        n = plan_visits(customers, _today(), current_user)
        db.session.commit()
        flash(_("%(n)d visits planned from the tiers' cadence.", n=n), "success")
    return redirect(url_for("customers.visits", state="planned"), code=303)


@bp.route("/cadence", methods=["GET", "POST"])
def cadence():
    """How often each tier is visited: managers and administrators set it."""
    if not current_user.has_role(Role.MANAGER, Role.ADMIN):
        abort(403)
    months = cadence_months()
    form = CadenceForm(data={"a": months[Tier.A], "b": months[Tier.B], "c": months[Tier.C]}
                       if request.method == "GET" else None)
    if form.validate_on_submit():
        wanted = {Tier.A: form.a.data, Tier.B: form.b.data, Tier.C: form.c.data}
        for t, value in wanted.items():
            row = db.session.get(VisitCadence, t) or VisitCadence(tier=t)
            row.interval_months = value
            db.session.add(row)
        audit.record("visit_cadence.update", "visit_cadence", None,
                     {t.value: months[t] for t in Tier}, {t.value: v for t, v in wanted.items()})
        db.session.commit()
        flash(_("Visit cadence saved."), "success")
        return redirect(url_for("customers.cadence"), code=303)
    return render("customers/cadence.html", form=form, status=422 if form.errors else 200)


# --- home panel --------------------------------------------------------------------------------

@panel("customers/_home_panel.html", order=30)
def home_panel(user: User):
    """Today's and this week's visits and the overdue ones, for account managers and managers."""
    if not user.has_role(Role.STAFF, Role.MANAGER):
        return None
    today = _today()
    start = today - timedelta(days=today.weekday())
    mine = (select(Visit).where(Visit.account_manager_id == user.id, Visit.done_on.is_(None),
                                Visit.cancelled.is_(False))
            .options(selectinload(Visit.customer)))
    # This week's visits and any still open from before (overdue), the oldest first.
    week_visits = db.session.scalars(mine.where(Visit.planned_on <= start + timedelta(days=6))
                                     .order_by(Visit.planned_on).limit(10)).all()
    overdue_count = db.session.scalar(
        visible_visits_where(user, Visit.done_on.is_(None), Visit.cancelled.is_(False),
                             Visit.planned_on < today)
        .with_only_columns(func.count(Visit.id)))
    customers = db.session.scalar(visible_customers(user).with_only_columns(func.count(Customer.id)))
    return {"week_visits": week_visits, "overdue_count": overdue_count, "today": today,
            "customer_count": customers}
