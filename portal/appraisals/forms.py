"""Forms of the appraisal module (the per-indicator scores are parsed by parse_scores)."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (DateField, DecimalField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.appraisals.services import parse_thresholds
from portal.concurrency import version_field
from portal.kernel.forms import MultiCheckboxField, NoControlCharacters, strip_filter
from portal.appraisals.labels import KIND_LABELS, SOURCE_LABELS

TEXT = [NoControlCharacters()]
LONG_TEXT = [Optional(), Length(max=5000), *TEXT]


class Thresholds:
    """Four descending numbers, e.g. '110, 100, 90, 80'."""

    def __call__(self, form, field):
        if field.data:
            try:
                parse_thresholds(field.data)
            except ValueError as error:
                raise ValidationError(str(error.args[0])) from None


class TemplateForm(FlaskForm):
    """A template's name and its rating bands."""

    name = StringField(_l("Name (Chinese)"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    name_en = StringField(_l("Name (English)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=100), *TEXT])
    description = TextAreaField(_l("Description"), filters=[strip_filter], validators=LONG_TEXT)
    rating_thresholds = StringField(
        _l("Lowest final score for S, A, B and C"), filters=[strip_filter],
        default="90, 80, 70, 60", validators=[DataRequired(), Thresholds()])


class IndicatorForm(FlaskForm):
    """One weighted indicator of a template."""

    section = StringField(_l("Section (Chinese)"), filters=[strip_filter],
                          validators=[DataRequired(), Length(max=100), *TEXT])
    section_en = StringField(_l("Section (English)"), filters=[strip_filter],
                             validators=[Optional(), Length(max=100), *TEXT])
    name = StringField(_l("Indicator (Chinese)"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=200), *TEXT])
    name_en = StringField(_l("Indicator (English)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=200), *TEXT])
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in KIND_LABELS.items()])
    source = SelectField(_l("Figure (quantitative only)"),
                         choices=[("", "—")] + [(k.value, v) for k, v in SOURCE_LABELS.items()])
    weight = DecimalField(_l("Weight (%)"), places=2, validators=[
        InputRequired(), NumberRange(min=0.01, max=100,
                                     message=_l("Use a weight above 0 and at most 100."))])
    score_thresholds = StringField(_l("Lowest figure for scores 5, 4, 3 and 2"),
                                   filters=[strip_filter], validators=[Optional(), Thresholds()])
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 999)])

    def validate_source(self, field):
        """A quantitative indicator needs its figure; a qualitative one has none."""
        if self.kind.data == "quantitative" and not field.data:
            raise ValidationError(_l("Choose the figure that fills this indicator."))
        if self.kind.data == "qualitative" and field.data:
            raise ValidationError(_l("Qualitative indicators are scored by people: no figure."))

    def validate(self, extra_validators=None):
        """A quantitative indicator needs the thresholds its figure is scored by.

        (Checked here: an empty optional field stops its own validators.)
        """
        ok = super().validate(extra_validators)
        if self.kind.data == "quantitative" and not self.score_thresholds.data:
            self.score_thresholds.errors = [
                *self.score_thresholds.errors, _l("Give the thresholds, e.g. 110, 100, 90, 80.")]
            ok = False
        return ok


class CycleForm(FlaskForm):
    """A cycle: name, period, templates per role and the areas taking part."""

    name = StringField(lazy_pgettext("thing", "Name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    period_start = DateField(_l("Period from"), validators=[DataRequired()])
    period_end = DateField(_l("Period to"), validators=[DataRequired()])
    staff_template_id = SelectField(_l("Template for account managers"), coerce=int, choices=[])
    manager_template_id = SelectField(_l("Template for area managers"), coerce=int, choices=[])
    area_ids = MultiCheckboxField(_l("Areas taking part (none: every area)"), coerce=int,
                                  choices=[])

    def validate_period_end(self, field):
        """The period ends on or after its start."""
        if field.data and self.period_start.data and field.data < self.period_start.data:
            raise ValidationError(_l("The period ends before it starts."))

    def validate_manager_template_id(self, field):
        """At least one role takes part."""
        if not field.data and not self.staff_template_id.data:
            raise ValidationError(_l("Choose a template for at least one role."))


class CommentForm(FlaskForm):
    """The comment beside a set of scores (the scores themselves come as score-<id> fields)."""

    row_version = version_field()

    comment = TextAreaField(_l("Comment"), filters=[strip_filter], validators=LONG_TEXT)


class FeedbackForm(FlaskForm):
    """The feedback talk and the improvement plan."""

    row_version = version_field()

    feedback_talk_on = DateField(_l("Feedback talk held on"), validators=[Optional()])
    improvement_plan = TextAreaField(_l("Improvement plan"), filters=[strip_filter],
                                     validators=LONG_TEXT)


class AcknowledgeForm(FlaskForm):
    """The person's acknowledgement, agreeing or not, with a comment."""

    agrees = RadioField(_l("Do you agree with the review?"),
                        choices=[("yes", _l("I agree")), ("no", _l("I do not agree"))],
                        validators=[InputRequired(message=_l("Say whether you agree."))])
    comment = TextAreaField(_l("Your comment"), filters=[strip_filter], validators=LONG_TEXT)

    def validate(self, extra_validators=None):
        """Disagreeing needs a reason (checked here: an empty optional field skips its own)."""
        ok = super().validate(extra_validators)
        if self.agrees.data == "no" and not self.comment.data:
            self.comment.errors = [*self.comment.errors, _l("Say why you do not agree.")]
            ok = False
        return ok


class ReopenForm(FlaskForm):
    """HR reopens a closed appraisal to an earlier step, with a reason."""

    target = SelectField(_l("Send back to"), choices=[])
    reason = TextAreaField(_l("Reason"), filters=[strip_filter],
                           validators=[DataRequired(), Length(max=2000), *TEXT])


class PrintCycleForm(FlaskForm):
    """Which forms of a cycle to print."""

    area_id = SelectField(_l("Area"), coerce=int, choices=[])
    status = SelectField(_l("Status"), choices=[])
