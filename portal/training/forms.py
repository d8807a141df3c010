"""Forms of the training module."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, DecimalField, IntegerField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.kernel.forms import MultiCheckboxField, NoControlCharacters, PersonField, strip_filter
from portal.models import ROLE_LABELS
from portal.models.training import ATTENDANCE_LABELS, CATEGORY_LABELS, MODE_LABELS

TEXT = [NoControlCharacters()]


class CourseForm(FlaskForm):
    """A course of the catalogue."""

    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    category = SelectField(_l("Category"),
                           choices=[(c.value, label) for c, label in CATEGORY_LABELS.items()])
    hours = DecimalField(_l("Hours"), places=1, validators=[
        InputRequired(), NumberRange(min=0.5, max=500,
                                     message=_l("Enter between 0.5 and 500 hours."))])
    mode = SelectField(_l("Mode"), choices=[(m.value, label) for m, label in MODE_LABELS.items()])
    provider = StringField(_l("Provider"), filters=[strip_filter],
                           validators=[Optional(), Length(max=200), *TEXT])
    description = TextAreaField(_l("Description"), filters=[strip_filter],
                                validators=[Optional(), Length(max=5000), *TEXT])
    required_roles = MultiCheckboxField(
        _l("Required for"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    active = BooleanField(_l("Active (offered for new sessions)"), default=True)


class SessionForm(FlaskForm):
    """A session of a course."""

    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(message=_l("Enter a date and time."))])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(message=_l("Enter a date and time."))])
    place = StringField(_l("Place"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    trainer = StringField(_l("Trainer"), filters=[strip_filter],
                          validators=[DataRequired(), Length(max=100), *TEXT])
    capacity = IntegerField(_l("Capacity"), validators=[
        InputRequired(), NumberRange(min=1, max=1000, message=_l("Enter between 1 and 1000 seats."))])

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The session must end after it starts."))


class AssignForm(FlaskForm):
    """A manager or HR gives someone a seat."""

    user_id = PersonField(_l("Person"), scope="training.assignee",
                          validators=[DataRequired(message=_l("Choose a person."))])


class FeedbackForm(FlaskForm):
    """The trainee's rating and comment after the session."""

    rating = SelectField(lazy_pgettext("feedback", "Rating"), coerce=int,
                         choices=[(0, "—")] + [(n, "★" * n) for n in range(1, 6)],
                         validators=[NumberRange(min=1, max=5, message=_l("Choose 1 to 5 stars."))])
    comment = TextAreaField(lazy_pgettext("feedback", "Comment"), filters=[strip_filter],
                            validators=[Optional(), Length(max=2000), *TEXT])


ATTENDANCE_CHOICES = [(a.value, label) for a, label in ATTENDANCE_LABELS.items()]


class AttendanceRow:
    """Validation of one roster row of the bulk attendance form (plain, the rows vary)."""

    def __init__(self, enrolment, formdata):
        prefix = f"e{enrolment.id}-"
        self.enrolment = enrolment
        self.attendance = formdata.get(prefix + "attendance", enrolment.attendance.value)
        self.completed = formdata.get(prefix + "completed") == "1"
        self.score_text = formdata.get(prefix + "score", "").strip()
        self.certificate_no = formdata.get(prefix + "certificate", "").strip()
        self.errors: dict[str, str] = {}
        self.score = None

    @classmethod
    def from_enrolment(cls, enrolment):
        row = cls(enrolment, {})
        row.completed = enrolment.completed
        row.score_text = "" if enrolment.score is None else str(enrolment.score)
        row.certificate_no = enrolment.certificate_no
        return row

    def validate(self) -> bool:
        from decimal import Decimal, InvalidOperation

        from flask_babel import gettext as _

        if self.attendance not in {v for v, _label in ATTENDANCE_CHOICES}:
            self.errors["attendance"] = _("Choose a value from the list.")
        if self.score_text:
            try:
                self.score = Decimal(self.score_text)
                if not Decimal(0) <= self.score <= Decimal(100) or self.score.as_tuple().exponent < -1:
                    raise InvalidOperation
            except InvalidOperation:
                self.errors["score"] = _("Enter a score from 0 to 100 (one decimal).")
        if len(self.certificate_no) > 60 or any(ord(c) < 32 for c in self.certificate_no):
            self.errors["certificate"] = _("Up to 60 printable characters.")
        if self.completed and self.attendance != "attended":
            self.errors["completed"] = _("Only someone who attended can complete the course.")
        return not self.errors
