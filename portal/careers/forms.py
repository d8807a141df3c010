"""Forms of the careers module."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.kernel.forms import NoControlCharacters, strip_filter
from portal.models.careers import GOAL_STATUS_LABELS, READINESS_LABELS

TEXT = [NoControlCharacters()]


class LevelForm(FlaskForm):
    """A level of the ladder."""

    code = StringField(_l("Code"), filters=[strip_filter], validators=[DataRequired(), Length(max=20), *TEXT])
    name = StringField(_l("Name (Chinese)"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    name_en = StringField(_l("Name (English)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=100), *TEXT])
    rank = IntegerField(_l("Rank (1 = first rung)"), validators=[
        InputRequired(), NumberRange(min=1, max=50, message=_l("Enter a rank from 1 to 50."))])
    expectations = TextAreaField(_l("Expectations"), filters=[strip_filter],
                                 validators=[Optional(), Length(max=5000), *TEXT])


class PlanForm(FlaskForm):
    """What the person writes in their plan."""

    current_level_id = SelectField(_l("Current level"), coerce=int, choices=[])
    target_level_id = SelectField(_l("Target level"), coerce=int, choices=[])
    target_role = StringField(_l("Or target role"), filters=[strip_filter],
                              validators=[Optional(), Length(max=100), *TEXT])
    horizon_months = IntegerField(_l("Horizon (months)"), validators=[
        Optional(), NumberRange(min=1, max=120, message=_l("Enter between 1 and 120 months."))])
    strengths = TextAreaField(_l("Strengths"), filters=[strip_filter],
                              validators=[Optional(), Length(max=5000), *TEXT])
    development_areas = TextAreaField(_l("Areas to develop"), filters=[strip_filter],
                                      validators=[Optional(), Length(max=5000), *TEXT])
    next_review_on = DateField(_l("Next review"), validators=[Optional()])


class AssessForm(FlaskForm):
    """What the manager sets: readiness and a comment."""

    readiness = SelectField(_l("Promotion readiness"),
                            choices=[("", "—")] + [(r.value, label) for r, label in READINESS_LABELS.items()])
    manager_comment = TextAreaField(_l("Manager's comment"), filters=[strip_filter],
                                    validators=[Optional(), Length(max=5000), *TEXT])


class GoalForm(FlaskForm):
    """A development goal."""

    title = StringField(_l("Goal"), filters=[strip_filter], validators=[DataRequired(), Length(max=200), *TEXT])
    due_on = DateField(_l("Due"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in GOAL_STATUS_LABELS.items()])
    progress = IntegerField(_l("Progress (%)"), default=0, validators=[
        InputRequired(), NumberRange(min=0, max=100, message=_l("Enter 0 to 100."))])


class MilestoneForm(FlaskForm):
    """A step of a goal."""

    title = StringField(_l("Milestone"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    due_on = DateField(_l("Due"), validators=[Optional()])


class CourseLinkForm(FlaskForm):
    """A course of the catalogue linked to the plan."""

    course_id = SelectField(_l("Course"), coerce=int, choices=[])


class ReviewForm(FlaskForm):
    """A review of the plan: its date and a note; the plan's state is kept with it."""

    reviewed_on = DateField(_l("Review date"), validators=[InputRequired(message=_l("Enter a date."))])
    note = TextAreaField(_l("Note"), filters=[strip_filter], validators=[Optional(), Length(max=5000), *TEXT])
    next_review_on = DateField(_l("Next review"), validators=[Optional()])
