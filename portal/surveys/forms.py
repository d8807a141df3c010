"""Forms of the surveys module."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.kernel import clock
from portal.kernel.forms import NoControlCharacters, strip_filter
from portal.models.feedback import QuestionKind, SurveyAudience
from portal.surveys.labels import LABELS

TEXT = [NoControlCharacters()]


class SurveyForm(FlaskForm):
    """A survey's title, audience, area and (for customers) the links' last day."""

    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    description = TextAreaField(_l("Introduction"), filters=[strip_filter],
                                validators=[Optional(), Length(max=2000), *TEXT])
    audience = SelectField(_l("Who answers"), choices=[
        (SurveyAudience.STAFF.value, _l("Staff")),
        (SurveyAudience.CUSTOMER.value, _l("Customers (a personal link each)"))])
    anonymous = BooleanField(_l("Anonymous (staff surveys): answers are stored without names"))
    area_id = SelectField(_l("Area"), coerce=int, choices=[])
    expires_on = DateField(_l("Links expire after"), validators=[Optional()])

    def validate_expires_on(self, field):
        if field.data and field.data < clock.today():
            raise ValidationError(_l("Choose a day that has not passed."))

    def validate_anonymous(self, field):
        if field.data and self.audience.data == SurveyAudience.CUSTOMER.value:
            raise ValidationError(_l("Only staff surveys can be anonymous."))


class QuestionForm(FlaskForm):
    """One question of the builder."""

    kind = SelectField(lazy_pgettext("question", "Kind"), choices=[(k.value, LABELS[k]) for k in QuestionKind])
    text = StringField(_l("Question"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=500), *TEXT])
    options = TextAreaField(_l("Options, one per line"), filters=[strip_filter],
                            validators=[Length(max=3000), *TEXT])
    required = BooleanField(_l("An answer is required"), default=True)

    def validate_options(self, field):
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if QuestionKind(self.kind.data).has_options:
            if len(lines) < 2:
                raise ValidationError(_l("Give at least two options, one per line."))
            if len(lines) > 20:
                raise ValidationError(_l("Give at most 20 options."))
            if any(len(line) > 200 for line in lines):
                raise ValidationError(_l("Keep each option under 200 characters."))


class AnswerForm(FlaskForm):
    """Only the CSRF token: the questions are read by services.parse_answers."""
