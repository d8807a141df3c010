"""Views of customer care: campaigns (new, progress), care tasks (record a contact)."""
import secrets

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import customer_picker, people_picker
from portal.access import customer_scope
from portal.care import bp, services
from portal.care.forms import AnswerForm, CampaignForm, ContactForm, EventForm, InviteForm
from portal.care.queries import (campaign_tasks, chooseable_customers,
                                 get_campaign_or_404, get_event_or_404, get_invitation_or_404,
                                 get_task_or_404, my_open_tasks, progress, visible_campaigns,
                                 visible_events)
from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.downloads import download
from portal.kernel.lists import Listing
from portal.models import CustomerType, Role
from portal.models.care import CARE_LABELS, CareCampaign, CareEvent, CareMethod, EventKind, Rsvp
from portal.models.customers import Customer
from portal.spreadsheets import csv_bytes


@bp.app_template_filter("care_label")
def _care_label(member) -> str:
    return str(CARE_LABELS.get(member, member))


@bp.route("/")
def index():
    """My open care tasks and the campaigns I may see."""
    campaigns = db.session.scalars(visible_campaigns(current_user)
                                   .order_by(CareCampaign.due_on.desc()).limit(50)).all()
    events = db.session.scalars(visible_events(current_user)
                                .order_by(CareEvent.held_on.desc()).limit(50)).all()
    return render("care/index.html", tasks=my_open_tasks(current_user), campaigns=campaigns,
                  events=events,
                  may_create=current_user.has_role(Role.MANAGER))


def _fill(form: CampaignForm) -> None:
    form.type_ids.choices = [(t.id, t.label) for t in db.session.scalars(
        select(CustomerType).order_by(CustomerType.code))]
    people_picker.bind(form.owner_ids)
    customer_picker.bind(form.customer_ids)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@audience(Role.MANAGER)
def campaign_new():
    """A campaign over customers chosen by tier, type, owner or by hand: one care task each."""
    form = CampaignForm()
    _fill(form)
    if request.method == "GET":
        form.token.data = secrets.token_hex(16)
    ok = form.validate_on_submit()
    if ok and not (form.tiers.data or form.type_ids.data or form.owner_ids.data
                   or form.customer_ids.data):
        form.tiers.errors.append(_("Choose the customers: a tier, a type, an owner or by hand."))
        ok = False
    if ok:
        customers = services.select_customers(
            chooseable_customers(current_user), form.tiers.data, form.type_ids.data,
            form.owner_ids.data, form.customer_ids.data)
        selection = ", ".join(
            [*(form.tiers.data or []),
             *(dict(form.type_ids.choices)[i] for i in form.type_ids.data or []),
             *(p.display_name for p in form.owner_ids.chosen()),
             *(c.name for c in form.customer_ids.chosen())])
        campaign, created = services.create_campaign(
            current_user, form.title.data, form.message.data or "", form.due_on.data,
            customers, selection, (form.token.data or "")[:64])
        db.session.commit()
        if created:
            flash(_("Campaign created: %(n)d care tasks.", n=len(campaign.tasks)), "success")
        return redirect(url_for("care.campaign", campaign_id=campaign.id), code=303)
    return render("care/campaign_form.html", form=form,
                  status=422 if request.method == "POST" else 200)


@bp.route("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    """A campaign: progress per person and its care tasks I may see, a page at a time."""
    item = get_campaign_or_404(current_user, campaign_id)
    page = Listing().paginate(campaign_tasks(current_user, item.id))
    return render("care/campaign.html", campaign=item, progress=progress(item.id),
                  tasks=page.items, page=page)


@bp.route("/tasks/<int:care_task_id>", methods=["GET", "POST"])
def task(care_task_id: int):
    """A care task: record whom I contacted, how, when and what they said."""
    item = get_task_or_404(current_user, care_task_id)
    form = ContactForm(obj=item)
    if request.method == "GET":
        form.method.data = item.method.value if item.method else CareMethod.CALL.value
        form.contacted_on.data = item.contacted_on or clock.today()
    ok = form.validate_on_submit()
    if ok and form.contacted_on.data > clock.today():
        form.contacted_on.errors.append(_("A contact cannot be in the future."))
        ok = False
    if ok:
        services.record_contact(item, form.contact_name.data, CareMethod(form.method.data),
                                form.response.data or "", form.contacted_on.data)
        db.session.commit()
        flash(_("Care contact recorded."), "success")
        return redirect(url_for("care.campaign", campaign_id=item.campaign_id), code=303)
    db.session.rollback()
    return render("care/task.html", task=item, form=form,
                  status=422 if request.method == "POST" else 200)


# --- customer events ---------------------------------------------------------------------------

@bp.route("/events/new", methods=["GET", "POST"])
@audience(Role.MANAGER)
def event_new():
    """A customer event of my area: kind, title, date, place, capacity."""
    form = EventForm()
    if form.validate_on_submit():
        event = CareEvent(kind=EventKind(form.kind.data), title=form.title.data,
                          held_on=form.held_on.data, place=form.place.data or "",
                          capacity=form.capacity.data, created_by_id=current_user.id,
                          area_id=current_user.area_id)
        db.session.add(event)
        db.session.commit()
        return redirect(url_for("care.event", event_id=event.id), code=303)
    return render("care/event_form.html", form=form,
                  status=422 if request.method == "POST" else 200)


def _event_page(event: CareEvent, invite_form: InviteForm | None = None, status: int = 200):
    if invite_form is None:
        invite_form = InviteForm(formdata=None)
        customer_picker.bind(invite_form.customer_id)
    invited = [i.customer_id for i in event.invitations]
    # The invited few checked against the scope's rule row by row (chooseable_customers is the
    # customers module's scope; as a list on PostgreSQL it made this an area-sized probe).
    mine = set(db.session.scalars(select(Customer.id).where(
        Customer.id.in_(invited), customer_scope(current_user)))) if invited else set()
    return render("care/event.html", event=event, invite_form=invite_form,
                  answer_form=AnswerForm(formdata=None), seats=services.seats_taken(event),
                  mine=mine, may_follow_up=current_user.has_role(Role.MANAGER)
                  and event.followed_up_at is None, status=status)


@bp.route("/events/<int:event_id>")
def event(event_id: int):
    """An event: its invitations with RSVP and attendance, the invite form, the follow-up."""
    return _event_page(get_event_or_404(current_user, event_id))


@bp.route("/events/<int:event_id>/invite", methods=["POST"])
def event_invite(event_id: int):
    """Invite one of my customers (once; not past the capacity)."""
    item = get_event_or_404(current_user, event_id)
    form = InviteForm()
    customer_picker.bind(form.customer_id)
    ok = form.validate_on_submit()
    if ok and not form.customer_id.data:
        form.customer_id.errors.append(_("Choose the customer."))
        ok = False
    if ok:
        try:
            if services.invite(item, form.customer_id.data, form.contact_name.data or "",
                               current_user.id) is None:
                form.customer_id.errors.append(_("This customer is invited already."))
                ok = False
        except services.EventFull:
            form.customer_id.errors.append(_("The event is full."))
            ok = False
    if not ok:
        db.session.rollback()
        return _event_page(get_event_or_404(current_user, event_id), form, status=422)
    db.session.commit()
    return redirect(url_for("care.event", event_id=item.id), code=303)


@bp.route("/invitations/<int:invitation_id>", methods=["POST"])
def invitation_answer(invitation_id: int):
    """Record the RSVP and the attendance of one of my customers."""
    invitation = get_invitation_or_404(current_user, invitation_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.record_answer(invitation, Rsvp(form.rsvp.data), bool(form.attended.data))
            db.session.commit()
        except services.EventFull:
            db.session.rollback()
            flash(_("The event is full."), "error")
    else:
        flash(_("The answer was not understood."), "error")
    return redirect(url_for("care.event", event_id=invitation.event_id), code=303)


@bp.route("/events/<int:event_id>/follow-up", methods=["POST"])
@audience(Role.MANAGER)
def event_follow_up(event_id: int):
    """After the event: a follow-up task per attending customer for its account manager, once."""
    item = get_event_or_404(current_user, event_id)
    made = services.follow_up(item, clock.today())
    db.session.commit()
    flash(_("%(n)d follow-up tasks made.", n=made), "success")
    return redirect(url_for("care.event", event_id=item.id), code=303)


@bp.route("/events/<int:event_id>/guests.csv")
def event_guests(event_id: int):
    """The guest list as CSV."""
    item = get_event_or_404(current_user, event_id)
    header = [_("Customer"), _("Contact person"), _("Account manager"), _("RSVP"), _("Attended")]
    filename = f"{_('Guest list')}-{item.title}-{item.held_on.isoformat()}.csv"
    return download(csv_bytes(header, services.guest_rows(item)), filename)
