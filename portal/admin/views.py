"""Views of the admin module."""
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from portal import audit
from portal.admin import audit_labels, bp
from portal.admin.forms import (AreaForm, AuditFilterForm, NewUserForm, PasswordResetForm,
                                ReferenceForm, UserForm)
from portal.admin.queries import (USER_SORTS, area_choices, audit_list, department_choices,
                                  department_of, get_reference_or_404, get_user_or_404,
                                  manager_choices, reference_list, user_list)
from portal.admin.services import needs_area, set_department, username_taken, would_loop
from portal.auth.services import clear_lockout, current_lockouts
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models import Area, AuditLog, CustomerType, ProductLine, Role, User
from portal.passwords import hash_password

USER_FIELDS = ["username", "display_name", "email", "phone", "locale", "active", "roles",
               "area_id", "manager_id", "local_only"]


@bp.route("/")
def index():
    """The admin start page: counts and links."""
    counts = {
        "users": db.session.scalar(select(func.count(User.id))),
        "areas": db.session.scalar(select(func.count(Area.id))),
        "product_lines": db.session.scalar(select(func.count(ProductLine.id))),
        "customer_types": db.session.scalar(select(func.count(CustomerType.id))),
        "audit": db.session.scalar(select(func.count(AuditLog.id))),
        "lockouts": len(current_lockouts()),
    }
    return render("admin/index.html", counts=counts)


# --- users -------------------------------------------------------------------------------------

@bp.route("/users")
def users():
    """Users with search, filters, sorting and pagination; htmx gets the results block alone."""
    listing = Listing(filters=("role", "area", "active"), sorts=USER_SORTS,
                      default_sort="username")
    page = listing.paginate(user_list(listing))
    areas = db.session.scalars(select(Area).order_by(Area.code)).all()
    return render("admin/users.html", "admin/_user_results.html", page=page, areas=areas,
                  roles=list(Role))


def _user_form_choices(form: UserForm, user: User | None) -> None:
    """Fill the select choices of a user form."""
    form.locale.choices = [("", _("Follow the browser"))] + list(
        current_app.config["LANGUAGES"].items())
    form.area_id.choices = area_choices(_("— none —"))
    form.manager_id.choices = manager_choices(_("— none —"), exclude_id=user.id if user else None)
    form.department_id.choices = department_choices(_("— none —"))


def _check_user_form(form: UserForm, user: User | None) -> bool:
    """The form's own validation plus the organisation's rules; errors go beside the fields."""
    ok = form.validate_on_submit()
    if request.method != "POST":
        return False
    user_id = user.id if user else None
    if form.username.data and not form.username.errors and username_taken(form.username.data, user_id):
        form.username.errors.append(_("This username is taken."))
        ok = False
    if needs_area(form.roles.data or [], form.department_id.data) and not form.area_id.data:
        form.area_id.errors.append(_("Account managers and area managers belong to an area "
                                     "(a department's people: choose their department)."))
        ok = False
    if user is not None and user.id == current_user.id:
        # An administrator cannot lock themselves out; another administrator can.
        if Role.ADMIN.value not in (form.roles.data or []):
            form.roles.errors.append(_("You cannot remove your own administrator role."))
            ok = False
        if not form.active.data:
            form.active.errors.append(_("You cannot deactivate your own account."))
            ok = False
    if form.manager_id.data and would_loop(user_id, form.manager_id.data):
        form.manager_id.errors.append(
            _("This person reports to the one being edited: the line would go round in a loop."))
        ok = False
    return ok


def _apply_user_form(form: UserForm, user: User) -> None:
    """Copy the form onto the user."""
    user.username = form.username.data
    user.display_name = form.display_name.data
    user.email = form.email.data or ""
    user.phone = form.phone.data or ""
    user.locale = form.locale.data or None
    user.active = form.active.data
    user.roles = form.roles.data or []
    user.area_id = form.area_id.data or None
    user.manager_id = form.manager_id.data or None
    user.local_only = form.local_only.data


@bp.route("/users/new", methods=["GET", "POST"])
def user_create():
    """Create an account with its first password."""
    form = NewUserForm()
    _user_form_choices(form, None)
    if _check_user_form(form, None):
        user = User(password_hash=hash_password(form.password.data))
        _apply_user_form(form, user)
        db.session.add(user)
        db.session.flush()
        set_department(user, form.department_id.data)
        audit.record("user.create", "user", user.id, None,
                     {**audit.snapshot(user, USER_FIELDS),
                      "department_id": form.department_id.data or None})
        db.session.commit()
        flash(_("Account %(name)s created.", name=user.username), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id), code=303)
    return render("admin/user_form.html", form=form, user=None,
                  status=422 if form.errors else 200)


def _get_user(user_id: int) -> User:
    """An account by id for administrators (who see everyone), or 404."""
    return get_user_or_404(current_user, user_id)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Edit an account: identity, roles, area, manager, active."""
    user = _get_user(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
        form.area_id.data = user.area_id or 0
        form.manager_id.data = user.manager_id or 0
        form.locale.data = user.locale or ""
        form.department_id.data = department_of(user.id) or 0
    _user_form_choices(form, user)
    if _check_user_form(form, user):
        before = {**audit.snapshot(user, USER_FIELDS), "department_id": department_of(user.id)}
        _apply_user_form(form, user)
        set_department(user, form.department_id.data)
        if before["active"] and not user.active:
            user.session_version += 1
        audit.record("user.update", "user", user.id, before,
                     {**audit.snapshot(user, USER_FIELDS),
                      "department_id": form.department_id.data or None})
        db.session.commit()
        flash(_("Changes to %(name)s saved.", name=user.username), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id), code=303)
    return render("admin/user_form.html", form=form, user=user,
                  reset_form=PasswordResetForm(formdata=None),
                  status=422 if form.errors else 200)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    """Set a new password for someone; their sessions end."""
    user = _get_user(user_id)
    form = PasswordResetForm()
    form.policy_user = user
    if form.validate_on_submit():
        user.password_hash = hash_password(form.new.data)
        user.session_version += 1
        audit.record("user.password_reset", "user", user.id)
        db.session.commit()
        flash(_("New password set for %(name)s; their sessions have ended.", name=user.username),
              "success")
        return redirect(url_for("admin.user_edit", user_id=user.id), code=303)
    return render("admin/user_password.html", form=form, user=user,
                  status=422 if form.errors else 200)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def user_deactivate(user_id: int):
    """Confirm, then deactivate an account: it can no longer sign in; its records stay."""
    user = _get_user(user_id)
    if user.id == current_user.id:
        abort(403)  # an administrator cannot lock themselves out
    form = ConfirmForm()
    if form.validate_on_submit():
        if user.active:
            user.active = False
            user.session_version += 1
            audit.record("user.update", "user", user.id, {"active": True}, {"active": False})
            db.session.commit()
        flash(_("%(name)s has been deactivated.", name=user.username), "success")
        return redirect(url_for("admin.users"), code=303)
    return render("confirm.html", form=form,
                  question=_("Deactivate %(name)s? They will no longer be able to sign in; "
                             "their records stay.", name=user.display_name),
                  action=_("Deactivate"), cancel=url_for("admin.user_edit", user_id=user.id))


# --- areas, product lines, customer types ------------------------------------------------------

@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference data the admin keeps in an inline-editable table."""

    model: type
    form: type
    title: object
    entity: str
    fields: tuple[str, ...]


KINDS = {
    "areas": ReferenceKind(Area, AreaForm, _l("Areas"), "area",
                           ("code", "name", "name_en", "head_id")),
    "product-lines": ReferenceKind(ProductLine, ReferenceForm, _l("Product lines"),
                                   "product_line", ("code", "name", "name_en", "active")),
    "customer-types": ReferenceKind(CustomerType, ReferenceForm, _l("Customer types"),
                                    "customer_type", ("code", "name", "name_en", "active")),
}
KIND_PATH = "<any(areas, 'product-lines', 'customer-types'):kind>"


def _reference_form(kind: ReferenceKind, obj=None, formdata=None):
    """The form of a kind, with the head choices for areas."""
    form = kind.form(obj=obj) if formdata is None else kind.form(formdata=formdata, obj=obj)
    if "head_id" in form:
        form.head_id.choices = manager_choices(_("— none —"))
        if obj is not None and request.method == "GET":
            form.head_id.data = obj.head_id or 0
    return form


def _check_reference(kind: ReferenceKind, form, obj) -> bool:
    """Validate the form and the unique code."""
    ok = form.validate_on_submit()
    if request.method == "POST" and form.code.data:
        query = select(kind.model.id).where(
            func.lower(kind.model.code) == form.code.data.lower())
        if obj is not None:
            query = query.where(kind.model.id != obj.id)
        if db.session.scalar(query) is not None:
            form.code.errors.append(_("This code is taken."))
            ok = False
    return ok


def _apply_reference(kind: ReferenceKind, form, obj) -> None:
    """Copy the form onto the record."""
    for name in kind.fields:
        value = form[name].data
        if name == "head_id":
            value = value or None
        elif value is None:
            value = ""
        setattr(obj, name, value)


@bp.route(f"/{KIND_PATH}", methods=["GET", "POST"])
def reference_index(kind: str):
    """The table of one kind, with a form to add one."""
    spec = KINDS[kind]
    form = _reference_form(spec)
    if _check_reference(spec, form, None):
        obj = spec.model()
        _apply_reference(spec, form, obj)
        db.session.add(obj)
        db.session.flush()
        audit.record(f"{spec.entity}.create", spec.entity, obj.id, None,
                     audit.snapshot(obj, list(spec.fields)))
        db.session.commit()
        flash(_("%(code)s added.", code=obj.code), "success")
        return redirect(url_for("admin.reference_index", kind=kind), code=303)
    listing = Listing()
    page = listing.paginate(reference_list(current_user, spec.model, listing))
    return render("admin/reference_index.html", kind=kind, spec=spec, form=form, page=page,
                  status=422 if form.errors else 200)


@bp.route(f"/{KIND_PATH}/<int:obj_id>/edit", methods=["GET", "POST"])
def reference_edit(kind: str, obj_id: int):
    """Edit one record: inline in its table row with htmx, or on a page of its own."""
    spec = KINDS[kind]
    obj = get_reference_or_404(current_user, spec.model, obj_id)
    form = _reference_form(spec, obj=obj)
    if _check_reference(spec, form, obj):
        before = audit.snapshot(obj, list(spec.fields))
        _apply_reference(spec, form, obj)
        audit.record(f"{spec.entity}.update", spec.entity, obj.id, before,
                     audit.snapshot(obj, list(spec.fields)))
        db.session.commit()
        if is_htmx():
            return render("admin/_reference_row.html", kind=kind, spec=spec, obj=obj)
        flash(_("%(code)s saved.", code=obj.code), "success")
        return redirect(url_for("admin.reference_index", kind=kind), code=303)
    return render("admin/reference_edit.html", "admin/_reference_row_form.html", kind=kind,
                  spec=spec, form=form, obj=obj, status=422 if form.errors else 200)


@bp.route(f"/{KIND_PATH}/<int:obj_id>")
def reference_row(kind: str, obj_id: int):
    """One row of the table, for htmx to put back when an inline edit is cancelled."""
    spec = KINDS[kind]
    obj = get_reference_or_404(current_user, spec.model, obj_id)
    if not is_htmx():
        return redirect(url_for("admin.reference_index", kind=kind))
    return render("admin/_reference_row.html", kind=kind, spec=spec, obj=obj)


# --- audit log ---------------------------------------------------------------------------------

@bp.route("/audit")
def audit_log():
    """The audit log with filters and pagination."""
    form = AuditFilterForm(request.args)
    everything = [("", _("All"))]
    form.action.choices = everything + sorted(
        ((code, str(label)) for code, label in audit_labels.ACTION_LABELS.items()),
        key=lambda choice: choice[1])
    form.entity_type.choices = everything + sorted(
        ((code, str(label)) for code, label in audit_labels.KIND_LABELS.items()),
        key=lambda choice: choice[1])
    listing = Listing(filters=("actor", "action", "entity_type", "entity_id"))
    page = listing.pages(audit_list(current_user, listing), AuditLog.at, AuditLog.id,
                         descending=True)
    return render("admin/audit.html", "admin/_audit_results.html", form=form, page=page,
                  labels=audit_labels.record_labels(page.items),
                  names=audit_labels.value_names(page.items), audit_words=audit_labels)


# --- sign-in lock-outs ------------------------------------------------------------------------

@bp.route("/lockouts", methods=["GET", "POST"])
def lockouts():
    """Usernames and addresses waiting after failed sign-ins; an administrator can clear one."""
    form = ConfirmForm()
    if form.validate_on_submit():
        throttle_id = request.form.get("throttle_id", type=int)
        row = clear_lockout(throttle_id) if throttle_id else None
        if row is None:
            abort(404)
        db.session.commit()
        flash(_("The lock-out has been cleared."), "success")
        return redirect(url_for("admin.lockouts"), code=303)
    return render("admin/lockouts.html", form=form, rows=current_lockouts())


@bp.app_template_global()
def audit_readable(entry, side: str):
    """An audit entry's before/after as the log may show it (private values hidden)."""
    return audit.readable(entry, side)


@bp.app_template_global()
def role_label(role) -> str:
    """A role's name in the reader's language."""
    try:
        return Role(role).label
    except ValueError:
        return str(role)
