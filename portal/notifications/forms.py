"""The preferences form: a channel per kind and the hour of the daily digest."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

from portal.models.notifications import Channel
from portal.notifications.labels import CHANNEL_LABELS, KINDS


def _channel_choices():
    return [(c.value, CHANNEL_LABELS[c]) for c in Channel]


class PreferencesForm(FlaskForm):
    """My notification choices; one select per kind is added by `for_kinds`."""

    digest_hour = SelectField(_l("Daily digest at"), coerce=int, validators=[InputRequired()],
                              choices=[(h, f"{h:02d}:00") for h in range(24)])

    @classmethod
    def for_kinds(cls, **kwargs):
        """The form with a channel field per kind (named kind_<kind>)."""

        class Form(cls):
            pass

        for kind, spec in KINDS.items():
            setattr(Form, f"kind_{kind}", SelectField(spec.label, choices=_channel_choices(),
                                                      validators=[InputRequired()]))
        return Form(**kwargs)

    def kind_fields(self):
        """(kind, field) pairs in the order of KINDS."""
        return [(kind, self[f"kind_{kind}"]) for kind in KINDS]
