"""A customer's contact people: add, edit, remove."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.customers import bp
from portal.customers.forms import ContactForm
from portal.customers.queries import get_contact_or_404, get_customer_or_404
from portal.extensions import db
from portal.htmx import render
from portal.kernel.forms import ConfirmForm
from portal.models.customers import CustomerContact


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


@bp.route("/<int:customer_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def contact_edit(customer_id: int, contact_id: int):
    """Edit a contact person."""
    customer = get_customer_or_404(current_user, customer_id)
    contact = get_contact_or_404(current_user, customer.id, contact_id)
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
    contact = get_contact_or_404(current_user, customer.id, contact_id)
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
