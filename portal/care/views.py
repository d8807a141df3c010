"""Views of customer care: campaigns (new, progress), care tasks (record a contact)."""
import secrets

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.care import bp, services
from portal.care.forms import CampaignForm, ContactForm
from portal.care.queries import (campaign_owners, campaign_tasks, chooseable_customers,
                                 get_campaign_or_404, get_task_or_404, my_open_tasks, progress,
                                 visible_campaigns)
from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.models import CustomerType, Role
from portal.models.care import CARE_LABELS, CareCampaign, CareMethod
from portal.models.customers import Customer


@bp.app_template_filter("care_label")
def _care_label(member) -> str:
    return str(CARE_LABELS.get(member, member))


@bp.route("/")
def index():
    """My open care tasks and the campaigns I may see."""
    campaigns = db.session.scalars(visible_campaigns(current_user)
                                   .order_by(CareCampaign.due_on.desc()).limit(50)).all()
    return render("care/index.html", tasks=my_open_tasks(current_user), campaigns=campaigns,
                  may_create=current_user.has_role(Role.MANAGER))


def _fill(form: CampaignForm) -> None:
    form.type_ids.choices = [(t.id, t.label) for t in db.session.scalars(
        select(CustomerType).order_by(CustomerType.code))]
    form.owner_ids.choices = [(u.id, u.display_name) for u in campaign_owners(current_user)]
    form.customer_ids.choices = [(i, n) for i, n in db.session.execute(
        chooseable_customers(current_user).order_by(Customer.name)
        .with_only_columns(Customer.id, Customer.name))]


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
             *(dict(form.owner_ids.choices)[i] for i in form.owner_ids.data or []),
             *(dict(form.customer_ids.choices)[i] for i in form.customer_ids.data or [])])
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
    """A campaign: progress per person and its care tasks I may see."""
    item = get_campaign_or_404(current_user, campaign_id)
    return render("care/campaign.html", campaign=item, progress=progress(item.id),
                  tasks=campaign_tasks(current_user, item.id))


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
