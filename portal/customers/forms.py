"""Forms of the customers module."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from portal.concurrency import version_field
from portal.kernel import clock
from portal.kernel.forms import (NoControlCharacters, PersonField, WholeNumberBetween,
                                 strip_filter)
from portal.models.customers import CustomerStatus, Tier, VisitMethod

TEXT = [NoControlCharacters()]


TIER_LABELS = {Tier.A: _l("Tier A"), Tier.B: _l("Tier B"), Tier.C: _l("Tier C")}
STATUS_LABELS = {
    CustomerStatus.PROSPECT: _l("Prospect"),
    CustomerStatus.ACTIVE: lazy_pgettext("customer", "Active"),
    CustomerStatus.DORMANT: _l("Dormant"),
    CustomerStatus.LOST: _l("Lost"),
}
METHOD_LABELS = {
    VisitMethod.ON_SITE: _l("On site"),
    VisitMethod.PHONE: _l("Phone"),
    VisitMethod.WECHAT: _l("WeChat"),
    VisitMethod.OTHER: _l("Other"),
}
POTENTIAL_LABELS = {1: _l("Low"), 2: _l("Medium"), 3: _l("High")}
BAND_LABELS = {"high": _l("high value"), "medium": _l("medium value"), "low": _l("low value")}


class CustomerForm(FlaskForm):
    """A customer's profile."""

    row_version = version_field()

    code = StringField(_l("Customer code"), filters=[strip_filter], validators=[
        DataRequired(), Length(max=30),
        Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, - and _ only."))])
    name = StringField(lazy_pgettext("thing", "Name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=200), *TEXT])
    type_id = SelectField(_l("Customer type"), coerce=int, choices=[])
    industry = StringField(_l("Industry"), filters=[strip_filter],
                           validators=[Optional(), Length(max=100), *TEXT])
    address = StringField(_l("Address"), filters=[strip_filter],
                          validators=[Optional(), Length(max=300), *TEXT])
    status = SelectField(_l("Status"), choices=[(s.value, l) for s, l in STATUS_LABELS.items()],
                         default=CustomerStatus.ACTIVE.value)
    preferences = TextAreaField(_l("Preferences"), validators=[Optional(), Length(max=4000), *TEXT])
    needs = TextAreaField(_l("Needs"), validators=[Optional(), Length(max=4000), *TEXT])
    #: Offered to managers only (staff create customers for themselves).
    account_manager_id = PersonField(_l("Account manager"), scope="customers.owner")


class TierForm(FlaskForm):
    """The tier and potential a manager decides."""

    tier = SelectField(_l("Tier"), choices=[])
    potential = SelectField(_l("Potential"), coerce=int,
                            choices=[(k, v) for k, v in POTENTIAL_LABELS.items()])


class ContactForm(FlaskForm):
    """A contact person at a customer."""

    name = StringField(_l("Name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    title = StringField(lazy_pgettext("job", "Title"), filters=[strip_filter],
                        validators=[Optional(), Length(max=100), *TEXT])
    phone = StringField(_l("Phone"), filters=[strip_filter], validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9+()\- ]+$", message=_l("Use digits, spaces and + ( ) - only."))])
    email = StringField(_l("Email"), filters=[strip_filter],
                        validators=[Optional(), Email(), Length(max=200)])
    wechat = StringField(_l("WeChat"), filters=[strip_filter],
                         validators=[Optional(), Length(max=100), *TEXT])
    is_primary = BooleanField(_l("Primary contact"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000), *TEXT])
    #: For the care reminders (portal.care): the account manager is told a week before.
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    gift_preference = StringField(_l("Gift they like"), filters=[strip_filter],
                                  validators=[Optional(), Length(max=200), *TEXT])
    contact_time = StringField(_l("Preferred contact time"), filters=[strip_filter],
                               validators=[Optional(), Length(max=100), *TEXT])

    def validate_birthday(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("A birthday cannot be in the future."))
        if field.data and field.data.year < 1900:
            raise ValidationError(_l("Give a year from 1900 on."))


class ReassignForm(FlaskForm):
    """Move one or more customers to another account manager."""

    account_manager_id = PersonField(_l("New account manager"), scope="customers.owner",
                                     validators=[DataRequired()])
    effective = DateField(_l("From"), default=clock.today, validators=[DataRequired()])
    note = TextAreaField(_l("Handover note"), validators=[Optional(), Length(max=2000), *TEXT])


class VisitForm(FlaskForm):
    """A visit: planned, done, or both."""

    planned_on = DateField(_l("Planned for"), validators=[Optional()])
    done_on = DateField(_l("Done on"), validators=[Optional()])
    method = SelectField(_l("Method"), choices=[(m.value, l) for m, l in METHOD_LABELS.items()])
    purpose = StringField(_l("Purpose"), filters=[strip_filter],
                          validators=[Optional(), Length(max=200), *TEXT])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000), *TEXT])
    next_follow_up = DateField(_l("Next follow-up"), validators=[Optional()])
    cancelled = BooleanField(_l("Cancelled"))

    def validate_done_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("A visit cannot be done in the future."))

    def validate_planned_on(self, field):
        if not field.data and not self.done_on.data:
            raise ValidationError(_l("Give the planned day, the day it was done, or both."))


class CadenceForm(FlaskForm):
    """Months between visits for each tier."""

    a = IntegerField(_l("Tier A: months between visits"), validators=[DataRequired(), WholeNumberBetween(1, 12)])
    b = IntegerField(_l("Tier B: months between visits"), validators=[DataRequired(), WholeNumberBetween(1, 12)])
    c = IntegerField(_l("Tier C: months between visits"), validators=[DataRequired(), WholeNumberBetween(1, 12)])
