"""Action items are decided at meetings and one-on-ones and ticked off in the task list: the form
the three modules share lives here, outside any of them (docs/architecture.md, shared code)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.kernel.forms import NoControlCharacters, strip_filter


class ActionItemForm(FlaskForm):
    """An action item decided at a meeting or a one-on-one."""

    title = StringField(_l("Action item"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=300), NoControlCharacters()])
    owner_id = SelectField(_l("Owner"), coerce=int, choices=[],
                           validators=[DataRequired(message=_l("Choose who owns it."))])
    due_date = DateField(_l("Due date"), validators=[Optional()])
