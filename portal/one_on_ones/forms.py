"""Forms of one-on-ones."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, IntegerField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.concurrency import version_field
from portal.kernel.forms import NoControlCharacters, strip_filter
from portal.models.communication import Cadence

TEXT = [NoControlCharacters()]

CADENCE_LABELS = {
    Cadence.WEEKLY: _l("Weekly"),
    Cadence.FORTNIGHTLY: _l("Fortnightly"),
    Cadence.MONTHLY: _l("Monthly"),
}


class SeriesForm(FlaskForm):
    """The cadence of a series and the date the next one is due."""

    cadence = SelectField(_l("Cadence"), choices=[(c.value, l) for c, l in CADENCE_LABELS.items()])
    next_date = DateField(_l("Next one due"), validators=[DataRequired()])


class NewSeriesForm(SeriesForm):
    """A new series also names the report."""

    report_id = SelectField(_l("Report"), coerce=int, choices=[],
                            validators=[DataRequired(message=_l("Choose a report."))])


class ScheduleForm(FlaskForm):
    """A new one-on-one of a series."""

    starts_at = DateTimeLocalField(_l("Starts at"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Enter a date and time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=30,
                                    validators=[InputRequired(), NumberRange(min=5, max=480)])


class PointForm(FlaskForm):
    """A talking point for the shared agenda."""

    text = StringField(_l("Talking point"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=500), *TEXT])


class SharedNotesForm(FlaskForm):
    """The notes both people share."""

    #: A digest of the notes as shown (portal.concurrency): both people type into them.
    row_version = version_field()

    # Its own id: the section that holds it is #shared_notes (the htmx target and the anchor).
    shared_notes = TextAreaField(_l("Shared notes"), id="shared_notes_text", filters=[strip_filter],
                                 validators=[Optional(), Length(max=10000), *TEXT])


class PrivateNoteForm(FlaskForm):
    """The reader's own private note."""

    body = TextAreaField(_l("My private note"), filters=[strip_filter],
                         validators=[Optional(), Length(max=10000), *TEXT])


class MoodForm(FlaskForm):
    """The report's mood check-in."""

    score = RadioField(_l("How are you doing? (1 low – 5 great)"), coerce=int,
                       choices=[(n, str(n)) for n in range(1, 6)],
                       validators=[InputRequired(message=_l("Choose from 1 to 5."))])
    comment = StringField(_l("Comment (optional)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=500), *TEXT])
