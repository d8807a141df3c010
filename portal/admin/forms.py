"""Forms of the admin module."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from portal.passwords import MIN_PASSWORD, PasswordPolicy
from portal.kernel.forms import MultiCheckboxField, NoControlCharacters, strip_filter
from portal.models import ROLE_LABELS

CODE = Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, - and _ only."))
TEXT = [NoControlCharacters()]


class UserForm(FlaskForm):
    """A person's account: identity, contact, roles and place in the organisation."""

    username = StringField(_l("Username"), filters=[strip_filter], validators=[
        DataRequired(), Length(max=50),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, '.', '-' and '_' only."))])
    display_name = StringField(_l("Name"), filters=[strip_filter],
                               validators=[DataRequired(), Length(max=100), *TEXT])
    email = StringField(_l("Email"), filters=[strip_filter],
                        validators=[Optional(), Email(), Length(max=200)])
    phone = StringField(_l("Phone"), filters=[strip_filter], validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9+()\- ]+$", message=_l("Use digits, spaces and + ( ) - only."))])
    locale = SelectField(_l("Language"), choices=[])
    roles = MultiCheckboxField(_l("Roles"), choices=[(r.value, l) for r, l in ROLE_LABELS.items()])
    area_id = SelectField(_l("Area"), coerce=int, choices=[])
    manager_id = SelectField(_l("Manager"), coerce=int, choices=[])
    #: A department's people sign in with the staff role and their department (no area needed).
    department_id = SelectField(_l("Department"), coerce=int, choices=[], default=0)
    active = BooleanField(_l("Active (may sign in)"), default=True)
    local_only = BooleanField(_l("Local only: signs in with its local password, never through "
                                 "the company directory (for a break-glass administrator)"))


class NewUserForm(UserForm):
    """A new account also needs its first password."""

    password = PasswordField(_l("Initial password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200,
                               message=_l("Use between %(min)d and %(max)d characters.")),
        PasswordPolicy()])


class PasswordResetForm(FlaskForm):
    """A new password set by an administrator."""

    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200,
                               message=_l("Use between %(min)d and %(max)d characters.")),
        PasswordPolicy()])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two passwords differ."))])


class ReferenceForm(FlaskForm):
    """A product line or customer type."""

    code = StringField(_l("Code"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=20), CODE])
    name = StringField(_l("Name (Chinese)"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    name_en = StringField(_l("Name (English)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=100), *TEXT])
    active = BooleanField(_l("Active"), default=True)


class AreaForm(ReferenceForm):
    """A sales area and its head."""

    active = None
    head_id = SelectField(_l("Head"), coerce=int, choices=[])


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (a GET form, so no CSRF)."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who (username)"), filters=[strip_filter])
    #: Choices: "" (all), then the known actions and kinds by their translated names (the view
    #: fills them from portal.admin.audit_labels).
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    entity_type = SelectField(_l("Record type"), choices=[], validate_choice=False)


class PeopleImportForm(FlaskForm):
    """The file of people to check."""

    file = FileField(_l("CSV or Excel file"))


class PeopleImportConfirmForm(FlaskForm):
    """The checked rows (signed); the button pressed (`mode`: all, valid) says which to import."""

    payload = HiddenField()
