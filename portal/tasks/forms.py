"""Forms of the task list, and the action-item form meetings and one-on-ones share."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
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


class ActionItemForm(FlaskForm):
    """An action item decided at a meeting or a one-on-one."""

    title = StringField(_l("Action item"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=300), NoControlCharacters()])
    owner_id = SelectField(_l("Owner"), coerce=int, choices=[],
                           validators=[DataRequired(message=_l("Choose who owns it."))])
    due_date = DateField(_l("Due date"), validators=[Optional()])
