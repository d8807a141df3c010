"""Forms of the complaints module."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.complaints.labels import LABELS
from portal.kernel.forms import CustomerField, NoControlCharacters, PersonField, strip_filter
from portal.models.feedback import ComplaintCategory, ComplaintChannel, Severity

TEXT = [NoControlCharacters()]


def _choices(kind):
    return [(m.value, LABELS[m]) for m in kind]


class ComplaintForm(FlaskForm):
    """Intake: who complains, how, about what, how badly, and who handles it."""

    customer_id = CustomerField(_l("Customer"), scope="complaints.intake")
    channel = SelectField(_l("Channel"), choices=_choices(ComplaintChannel))
    category = SelectField(_l("Category"), choices=_choices(ComplaintCategory))
    severity = SelectField(_l("Severity"), choices=_choices(Severity), default=Severity.MEDIUM.value)
    subject = StringField(_l("Subject"), filters=[strip_filter],
                          validators=[DataRequired(), Length(max=200), *TEXT])
    description = TextAreaField(_l("What the customer says"), filters=[strip_filter],
                                validators=[DataRequired(), Length(max=5000), *TEXT])
    received_at = DateTimeLocalField(_l("Received at"), format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])
    owner_id = PersonField(_l("Owner"), scope="complaints.owner")


class StatusForm(FlaskForm):
    """A move of the complaint, with what the move needs."""

    to_status = HiddenField()
    note = TextAreaField(_l("Note"), filters=[strip_filter],
                         validators=[Optional(), Length(max=5000), *TEXT])
    resolution = TextAreaField(_l("Resolution"), filters=[strip_filter],
                               validators=[Optional(), Length(max=5000), *TEXT])
    satisfaction = SelectField(_l("Customer's satisfaction"), coerce=int, choices=[
        (0, "—"), (5, _l("5 – very satisfied")), (4, _l("4 – satisfied")), (3, _l("3 – neutral")),
        (2, _l("2 – dissatisfied")), (1, _l("1 – very dissatisfied"))], default=0)


class NoteForm(FlaskForm):
    """An update on the timeline."""

    note = TextAreaField(_l("Update"), filters=[strip_filter],
                         validators=[DataRequired(), Length(max=5000), *TEXT])


class OwnerForm(FlaskForm):
    """Hand the complaint to someone else."""

    owner_id = PersonField(_l("New owner"), scope="complaints.owner",
                           validators=[DataRequired(message=_l("Choose a person."))])


class HandoffForm(FlaskForm):
    """Hand the complaint to a department, with the reason."""

    department_id = SelectField(_l("Department"), coerce=int, choices=[])
    reason = TextAreaField(_l("Reason"), filters=[strip_filter],
                           validators=[DataRequired(), Length(max=2000), *TEXT])


class DepartmentOwnerForm(FlaskForm):
    """The department head assigns the complaint within the department."""

    owner_id = SelectField(_l("Handled by"), coerce=int, choices=[])
