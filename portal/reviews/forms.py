"""Forms of the reviews module."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.kernel.forms import NoControlCharacters, strip_filter

TEXT = [NoControlCharacters()]


class ReviewForm(FlaskForm):
    """A periodic review of an area."""

    area_id = SelectField(_l("Area"), coerce=int, choices=[])
    period = StringField(_l("Period"), filters=[strip_filter], validators=[
        DataRequired(), Regexp(r"^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$",
                               message=_l("Enter a month (2026-11) or a quarter (2026-Q4)."))])
    went_well = TextAreaField(_l("What went well"), filters=[strip_filter],
                              validators=[Optional(), Length(max=8000), *TEXT])
    did_not = TextAreaField(_l("What did not"), filters=[strip_filter],
                            validators=[Optional(), Length(max=8000), *TEXT])
    changes = TextAreaField(_l("What we change"), filters=[strip_filter],
                            validators=[Optional(), Length(max=8000), *TEXT])


class ActionForm(FlaskForm):
    """An action decided by a review."""

    text = StringField(lazy_pgettext("review", "Action"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=300), *TEXT])
    owner_id = SelectField(_l("Owner"), coerce=int, choices=[])
    due_on = DateField(_l("Due"), validators=[Optional()])


class PracticeForm(FlaskForm):
    """An entry of the best-practice library."""

    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    body = TextAreaField(_l("Text (Markdown)"), filters=[strip_filter],
                         validators=[DataRequired(), Length(max=20000), *TEXT])
    tags = StringField(_l("Tags"), filters=[strip_filter],
                       validators=[Optional(), Length(max=300), *TEXT])
