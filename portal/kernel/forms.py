"""Form pieces every module uses: the confirm form, checkbox lists, typed-text filters, bounded
whole numbers."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError


class ConfirmForm(FlaskForm):
    """An empty form whose only job is the CSRF token of a confirmed action (delete, close, …)."""


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strip_filter(value):
    """Trim white space around typed text."""
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse control characters (other than tab and newlines) in typed text."""

    message = _l("Remove the invisible control characters.")

    def __call__(self, form, field):
        if isinstance(field.data, str) and any(
            ord(c) < 32 and c not in "\t\r\n" or 0x7F <= ord(c) < 0xA0 for c in field.data
        ):
            raise ValidationError(self.message)


class WholeNumberBetween:
    """A whole number within bounds; unlike NumberRange it survives integers too big for a float."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, form, field):
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(_l("Enter a whole number from %(low)d to %(high)d.",
                                     low=self.low, high=self.high))
