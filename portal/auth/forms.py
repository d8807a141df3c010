"""Forms of signing in and of the person's own account."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.passwords import MIN_PASSWORD, PasswordPolicy


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    #: Set by the view when the company directory could not be asked.
    directory_down = False


class PasswordChangeForm(FlaskForm):
    """The current password and the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200,
                    message=_l("Use between %(min)d and %(max)d characters.")),
                    PasswordPolicy()],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class LanguageForm(FlaskForm):
    """The UI language."""

    locale = SelectField(_l("Language"), choices=[])


class InvitationForm(FlaskForm):
    """The first password, twice, chosen from an invitation link."""

    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200,
                    message=_l("Use between %(min)d and %(max)d characters."))],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )
