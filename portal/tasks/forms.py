"""Forms of the task list (the action-item form is shared: portal/action_items.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.kernel.forms import NoControlCharacters, strip_filter


class TaskForm(FlaskForm):
    """A personal task."""

    title = StringField(_l("Task"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=300), NoControlCharacters()])
    notes = TextAreaField(_l("Notes"), filters=[strip_filter],
                          validators=[Optional(), Length(max=5000), NoControlCharacters()])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    urgent = BooleanField(_l("Urgent"))
    important = BooleanField(_l("Important"))
