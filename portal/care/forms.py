"""Forms of customer care."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.kernel.forms import (CustomerField, CustomersField, MultiCheckboxField, NoControlCharacters,
                                 PeopleField, strip_filter)
from portal.models.care import CARE_LABELS, CareMethod, EventKind, Rsvp
from portal.models.customers import Tier

TEXT = [NoControlCharacters()]


class CampaignForm(FlaskForm):
    """A campaign and how its customers are chosen (every criterion given must match)."""

    token = HiddenField()
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    message = TextAreaField(_l("Message"), filters=[strip_filter],
                            validators=[Optional(), Length(max=5000), *TEXT])
    due_on = DateField(_l("Contact by"), validators=[DataRequired()])
    tiers = MultiCheckboxField(_l("Tiers"), choices=[(t.value, t.value) for t in Tier])
    type_ids = MultiCheckboxField(_l("Customer types"), coerce=int, choices=[])
    owner_ids = PeopleField(_l("Account managers"), scope="care.owner")
    customer_ids = CustomersField(_l("Hand-picked customers"), scope="care.campaign")


class ContactForm(FlaskForm):
    """A care contact made."""

    contact_name = StringField(_l("Contact person"), filters=[strip_filter],
                               validators=[DataRequired(), Length(max=100), *TEXT])
    method = SelectField(_l("How"), choices=[(m.value, CARE_LABELS[m]) for m in CareMethod])
    contacted_on = DateField(_l("When"), validators=[DataRequired()])
    response = TextAreaField(_l("What the customer said"), filters=[strip_filter],
                             validators=[Optional(), Length(max=2000), *TEXT])


class EventForm(FlaskForm):
    """A customer event."""

    kind = SelectField(_l("Kind"), choices=[(k.value, CARE_LABELS[k]) for k in EventKind])
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    place = StringField(_l("Place"), filters=[strip_filter],
                        validators=[Optional(), Length(max=200), *TEXT])
    capacity = IntegerField(_l("Capacity"), validators=[DataRequired(), NumberRange(1, 10000)])


class InviteForm(FlaskForm):
    """Invite a customer and its contact."""

    customer_id = CustomerField(_l("Customer"), scope="care.invite")
    contact_name = StringField(_l("Contact person"), filters=[strip_filter],
                               validators=[Optional(), Length(max=100), *TEXT])


class AnswerForm(FlaskForm):
    """The RSVP and the attendance."""

    rsvp = SelectField(_l("RSVP"), choices=[(r.value, CARE_LABELS[r]) for r in Rsvp])
    attended = BooleanField(_l("Attended"))
