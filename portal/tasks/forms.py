"""Forms of the task list (the action-item form is shared: portal/action_items.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from portal.kernel.forms import NoControlCharacters, strip_filter
from portal.tasks.services import QUADRANT_KEYS


class TaskForm(FlaskForm):
    """A personal task."""

    title = StringField(_l("Task"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=300), NoControlCharacters()])
    notes = TextAreaField(_l("Notes"), filters=[strip_filter],
                          validators=[Optional(), Length(max=5000), NoControlCharacters()])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    urgent = BooleanField(_l("Urgent"))
    important = BooleanField(_l("Important"))


class MoveForm(FlaskForm):
    """Move a task to a quadrant (a button, a drop, or the plain form), optionally before
    another task of that quadrant (where it was dropped)."""

    quadrant = StringField(validators=[DataRequired(), AnyOf(list(QUADRANT_KEYS))])
    before = IntegerField(validators=[Optional()])


class OrderForm(FlaskForm):
    """Move a task one place up or down within its quadrant."""

    direction = RadioField(choices=[("up", "up"), ("down", "down")], validators=[DataRequired()])
