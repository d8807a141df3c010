"""Forms of meetings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                ValidationError)

from portal.concurrency import version_field
from portal.kernel.forms import NoControlCharacters, PeopleField, strip_filter
from portal.models.communication import MeetingKind

TEXT = [NoControlCharacters()]

MEETING_KIND_LABELS = {
    MeetingKind.TEAM: _l("Team meeting"),
    MeetingKind.CROSS: _l("Cross-department meeting"),
}


class MeetingForm(FlaskForm):
    """A team or cross-department meeting."""

    row_version = version_field()

    kind = SelectField(_l("Kind"), choices=[(k.value, l) for k, l in MEETING_KIND_LABELS.items()])
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    starts_at = DateTimeLocalField(_l("Starts at"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Enter a date and time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(min=5, max=720)])
    location = StringField(_l("Place"), filters=[strip_filter],
                           validators=[Optional(), Length(max=200), *TEXT])
    #: No Optional(): it would stop the chain before the cross-department check below.
    departments = StringField(_l("Other departments taking part"), filters=[strip_filter],
                              validators=[Length(max=300), *TEXT])
    attendee_ids = PeopleField(_l("Attendees"), scope="meetings.attendee")
    agenda = TextAreaField(_l("Agenda"), filters=[strip_filter],
                           validators=[Optional(), Length(max=5000), *TEXT])
    notes = TextAreaField(_l("Notes (Markdown)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=20000), *TEXT])
    decisions = TextAreaField(_l("Decisions"), filters=[strip_filter],
                              validators=[Optional(), Length(max=5000), *TEXT])

    def validate_departments(self, field):
        """A cross-department meeting names the other departments."""
        if self.kind.data == "cross" and not (field.data or "").strip():
            raise ValidationError(_l("Name the other departments taking part."))
