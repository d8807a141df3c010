"""Views of the complaints module: list, intake, detail with timeline and moves, overdue, figures."""
from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit, customer_picker, people_picker
from portal.access import heads_department, manages
from portal.complaints import bp, services
from portal.complaints.forms import (ComplaintForm, DepartmentOwnerForm, HandoffForm, NoteForm,
                                     OwnerForm, StatusForm)
from portal.complaints.labels import MOVE_LABELS
from portal.complaints.labels import label as complaint_label
from portal.complaints.queries import (SORTS, complaint_list, department_people,
                                       get_complaint_or_404, handoff_departments,
                                       intake_customers, overdue_counts, overdue_list,
                                       visible_areas, visible_complaints)
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.formats import hours, join_list
from portal.kernel.lists import Listing
from portal.models import Role
from portal.models.customers import Customer
from portal.models.departments import Department
from portal.models.feedback import (Complaint, ComplaintEvent, ComplaintStatus, Severity)


@bp.app_template_filter("complaint_label")
def _complaint_label_filter(member) -> str:
    """`{{ complaint.status|complaint_label }}`: an enum's name in the reader's language."""
    return complaint_label(member)


@bp.app_template_global()
def complaint_overdue(complaint) -> bool:
    """Whether a complaint is open past its deadline (for the lists' badges)."""
    return services.is_overdue(complaint)


def may_change(complaint: Complaint) -> bool:
    """The owner, the account manager and their managers act on a complaint; others only read."""
    me = current_user.id
    if me in (complaint.owner_id, complaint.account_manager_id):
        return True
    if complaint.area is not None and complaint.area.head_id == me:
        return True
    if heads_department(current_user, complaint.department_id):
        return True
    return any(uid and manages(current_user, uid)
               for uid in (complaint.owner_id, complaint.account_manager_id))


def _get_changeable(complaint_id: int) -> Complaint:
    """A complaint the person may see (else 404) and change (else 403)."""
    complaint = get_complaint_or_404(current_user, complaint_id)
    if not may_change(complaint):
        abort(403)
    return complaint


@bp.route("/")
def index():
    """Complaints I may see, with search, filters (status, severity, owner, area, overdue), sort."""
    listing = Listing(filters=("status", "severity", "owner", "area", "overdue"), sorts=SORTS,
                      default_sort="-received")
    owner = (people_picker.person_filter(listing, "owner", _("Owner"), "complaints.owner")
             if _sees_others() else None)
    page = listing.pages(complaint_list(current_user, listing, now=clock.utcnow()),
                         Complaint.received_at, Complaint.id)
    areas = db.session.scalars(visible_areas(current_user)).all() if _sees_others() else []
    return render("complaints/index.html", "complaints/_results.html", page=page, owner=owner,
                  areas=areas, statuses=list(ComplaintStatus), severities=list(Severity),
                  may_file=_may_file())


def _sees_others() -> bool:
    return current_user.has_role(Role.MANAGER, Role.HR, Role.ADMIN)


def _may_file() -> bool:
    """Account managers and area managers take complaints in."""
    return current_user.has_role(Role.STAFF, Role.MANAGER)


def _local_to_utc(moment: datetime) -> datetime:
    """A naive business-local time as naive UTC."""
    return moment.replace(tzinfo=services.business_zone()).astimezone(UTC).replace(tzinfo=None)


@bp.route("/new", methods=["GET", "POST"])
@audience(Role.STAFF, Role.MANAGER)
def create():
    """Take a complaint in; its deadline follows from the severity, its owner from the customer."""
    form = ComplaintForm()
    # Typed and searched: an area has thousands of customers; the chosen one is loaded alone.
    customer_picker.bind(form.customer_id)
    people_picker.bind(form.owner_id)
    if request.method == "GET" and request.args.get("customer", type=int):
        form.customer_id.data = request.args.get("customer", type=int)
    ok = form.validate_on_submit()
    if request.method == "POST":
        customer = db.session.scalar(intake_customers(current_user).where(
            Customer.id == form.customer_id.data)) if form.customer_id.data else None
        if customer is None:
            if not form.customer_id.errors:  # the picker says already what it could not find
                form.customer_id.errors.append(_("Choose the customer."))
            ok = False
        received = _local_to_utc(form.received_at.data) if form.received_at.data else clock.utcnow()
        if received > clock.utcnow():
            form.received_at.errors.append(_("A complaint cannot be received in the future."))
            ok = False
        owner_id = form.owner_id.data or (customer.account_manager_id if customer else None)
        if ok and not owner_id:
            form.owner_id.errors.append(_("The customer has no account manager: choose an owner."))
            ok = False
    if ok:
        owner = form.owner_id.person() if form.owner_id.data else customer.account_manager
        severity = Severity(form.severity.data)
        complaint = Complaint(
            customer_id=customer.id, account_manager_id=customer.account_manager_id,
            owner_id=owner.id, area_id=owner.area_id or customer.area_id,
            channel=form.channel.data, category=form.category.data, severity=severity,
            subject=form.subject.data, description=form.description.data,
            received_at=received, due_at=services.due_at(received, severity),
            created_by_id=current_user.id)
        complaint.events.append(ComplaintEvent(kind="created", to_status="new",
                                               author_id=current_user.id))
        db.session.add(complaint)
        db.session.commit()
        flash(_("Complaint recorded; it is due by %(due)s.",
                due=_format_datetime(complaint.due_at)), "success")
        return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)
    deadlines = join_list(_("%(severity)s: %(hours)s", severity=complaint_label(s),
                             hours=hours(services.deadline_hours(s))) for s in reversed(Severity))
    return render("complaints/form.html", form=form, deadlines=deadlines,
                  status=422 if form.errors else 200)


def _format_datetime(moment: datetime) -> str:
    from flask_babel import format_datetime
    return format_datetime(moment, "short")


def _detail(complaint: Complaint, status_form: StatusForm | None = None,
            note_form: NoteForm | None = None, status: int = 200,
            handoff_form: HandoffForm | None = None, owner_form: OwnerForm | None = None):
    """The detail page with its forms."""
    changeable = may_change(complaint)
    if owner_form is None and changeable and current_user.has_role(Role.MANAGER):
        owner_form = OwnerForm(formdata=None)
        people_picker.bind(owner_form.owner_id)
        owner_form.owner_id.data = complaint.owner_id
    dept_form = None
    if changeable and handoff_form is None:
        handoff_form = HandoffForm(formdata=None)
        _handoff_choices(handoff_form)
    if complaint.department_id and heads_department(current_user, complaint.department_id):
        dept_form = DepartmentOwnerForm(formdata=None)
        _dept_choices(dept_form, complaint)
        dept_form.owner_id.data = complaint.owner_id
    return render("complaints/detail.html", complaint=complaint, changeable=changeable,
                  handoff_form=handoff_form, dept_form=dept_form,
                  moves=sorted(services.allowed_moves(complaint.status)) if changeable else [],
                  move_labels=MOVE_LABELS, status_form=status_form or StatusForm(formdata=None),
                  failed_move=status_form.to_status.data if status_form else None,
                  note_form=note_form or NoteForm(formdata=None), owner_form=owner_form,
                  overdue=services.is_overdue(complaint), status=status)


@bp.route("/<int:complaint_id>")
def detail(complaint_id: int):
    """A complaint: facts, deadline, timeline, and the moves allowed from its status."""
    return _detail(get_complaint_or_404(current_user, complaint_id))


@bp.route("/<int:complaint_id>/status", methods=["POST"])
def move(complaint_id: int):
    """Move a complaint to another status; only the allowed moves pass, each with what it needs."""
    complaint = _get_changeable(complaint_id)
    form = StatusForm()
    ok = form.validate_on_submit()
    try:
        target = ComplaintStatus(form.to_status.data)
    except ValueError:
        target = None
    if target is None or target not in services.allowed_moves(complaint.status):
        form.to_status.errors = [_("A complaint that is %(status)s cannot move there.",
                                   status=complaint_label(complaint.status))]
        ok = False
    elif target == ComplaintStatus.RESOLVED and not form.resolution.data:
        form.resolution.errors.append(_("Say how the complaint was resolved."))
        ok = False
    elif target == ComplaintStatus.CLOSED and not 1 <= (form.satisfaction.data or 0) <= 5:
        form.satisfaction.errors.append(_("Ask the customer for a rating from 1 to 5."))
        ok = False
    elif target == ComplaintStatus.REOPENED and not form.note.data:
        form.note.errors.append(_("Say why the complaint is reopened."))
        ok = False
    if not ok:
        db.session.rollback()
        return _detail(complaint, status_form=form, status=422)
    before = {"status": complaint.status.value, "satisfaction": complaint.satisfaction}
    event = services.change_status(complaint, target, current_user.id, note=form.note.data or "",
                                   resolution=form.resolution.data or "",
                                   satisfaction=form.satisfaction.data or None)
    services.announce_move(complaint, event, current_user.id)
    if target in (ComplaintStatus.CLOSED, ComplaintStatus.REOPENED):
        audit.record(f"complaint.{target.value}", "complaint", complaint.id, before,
                     {"status": complaint.status.value, "satisfaction": complaint.satisfaction})
    db.session.commit()
    flash(_("The complaint is now %(status)s.", status=complaint_label(target)), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)


@bp.route("/<int:complaint_id>/notes", methods=["POST"])
def note(complaint_id: int):
    """Add an update to the timeline (htmx swaps the timeline; plain forms redirect)."""
    complaint = _get_changeable(complaint_id)
    form = NoteForm()
    if not form.validate_on_submit():
        if is_htmx():
            return render("complaints/_timeline.html", complaint=complaint, note_form=form,
                          changeable=True, status=422)
        return _detail(complaint, note_form=form, status=422)
    complaint.events.append(ComplaintEvent(kind="note", note=form.note.data,
                                           author_id=current_user.id))
    db.session.commit()
    if is_htmx():
        return render("complaints/_timeline.html", complaint=complaint,
                      note_form=NoteForm(formdata=None), changeable=True)
    return redirect(url_for("complaints.detail", complaint_id=complaint.id, _anchor="timeline"),
                    code=303)


@bp.route("/<int:complaint_id>/owner", methods=["POST"])
@audience(Role.MANAGER)
def reassign(complaint_id: int):
    """A manager hands the complaint to someone of their team (the deadline stays)."""
    complaint = _get_changeable(complaint_id)
    form = OwnerForm()
    people_picker.bind(form.owner_id)
    if not form.validate_on_submit():
        return _detail(complaint, status=422, owner_form=form)
    new_owner = form.owner_id.person()
    if services.reassign(complaint, new_owner, current_user.id, follow_area=True):
        db.session.commit()
        flash(_("%(name)s now owns the complaint.", name=new_owner.display_name), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)


def _handoff_choices(form: HandoffForm) -> None:
    form.department_id.choices = [(0, _("— choose —"))] + [
        (d.id, d.label) for d in db.session.scalars(handoff_departments())]


def _dept_choices(form: DepartmentOwnerForm, complaint: Complaint) -> dict:
    people = {u.id: u for u in db.session.scalars(department_people(complaint.department_id))}
    form.owner_id.choices = [(u.id, u.display_name) for u in people.values()]
    return people


@bp.route("/<int:complaint_id>/handoff", methods=["POST"])
def handoff(complaint_id: int):
    """Hand the complaint to a department with the reason: the deadline keeps running, the
    account manager keeps seeing it, the timeline says so; its head assigns it within."""
    complaint = _get_changeable(complaint_id)
    form = HandoffForm()
    _handoff_choices(form)
    ok = form.validate_on_submit()
    if ok and not form.department_id.data:
        form.department_id.errors.append(_("Choose the department."))
        ok = False
    if not ok:
        db.session.rollback()
        return _detail(complaint, handoff_form=form, status=422)
    department = db.session.get(Department, form.department_id.data)
    before = {"department_id": complaint.department_id, "owner_id": complaint.owner_id}
    event = services.hand_off(complaint, department, current_user.id, form.reason.data)
    audit.record("complaint.handoff", "complaint", complaint.id, before,
                 {"department_id": department.id, "owner_id": complaint.owner_id})
    services.announce_move(complaint, event, current_user.id)
    db.session.commit()
    flash(_("The complaint was handed to %(department)s.", department=department.label),
          "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)


@bp.route("/<int:complaint_id>/department-owner", methods=["POST"])
def assign_in_department(complaint_id: int):
    """The department head assigns the complaint to someone of the department."""
    complaint = get_complaint_or_404(current_user, complaint_id)
    if not heads_department(current_user, complaint.department_id):
        abort(403)
    form = DepartmentOwnerForm()
    people = _dept_choices(form, complaint)
    if not form.validate_on_submit():
        db.session.rollback()
        return _detail(complaint, status=422)
    new_owner = people[form.owner_id.data]
    if services.reassign(complaint, new_owner, current_user.id):
        db.session.commit()
        flash(_("%(name)s now owns the complaint.", name=new_owner.display_name), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)


@bp.route("/overdue")
def overdue():
    """Open complaints past their deadline: counts per person (a page of people, `people=`)
    and per area, then the list."""
    now = clock.utcnow()
    per_page = current_app.config["PER_PAGE"]
    people_page = max(1, request.args.get("people", 1, type=int))
    per_person, people, per_area = overdue_counts(current_user, now, people_page, per_page)
    page = Listing().paginate(overdue_list(current_user, now))
    return render("complaints/overdue.html", per_person=per_person, per_area=per_area, page=page,
                  people=people, people_page=people_page,
                  people_pages=max(1, -(-people // per_page)))


@bp.route("/figures")
def figures():
    """Monthly figures of the last 12 months: received, closed, on time %, average days."""
    areas = db.session.scalars(visible_areas(current_user)).all()
    area_id = request.args.get("area", type=int)
    if area_id not in {a.id for a in areas}:
        area_id = None
    today = clock.today()
    months = services.last_months(today, 12)
    since, _until = services.utc_bounds(services.month_start(months[0]), today)
    scoped = visible_complaints(current_user).where(
        (Complaint.received_at >= since) | (Complaint.closed_at >= since))
    if area_id:
        scoped = scoped.where(Complaint.area_id == area_id)
    table = services.month_figures(scoped.with_only_columns(
        Complaint.received_at, Complaint.closed_at, Complaint.due_at, Complaint.status), months)
    departments = services.department_figures(
        scoped.with_only_columns(Complaint.id))
    return render("complaints/figures.html", table=table, areas=areas, area_id=area_id,
                  departments=departments,
                  peak=max((f.received for f in table), default=0))


from portal.complaints import panels  # noqa: E402,F401
