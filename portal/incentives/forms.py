"""Forms of the incentives module."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, IntegerField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.kernel.forms import NoControlCharacters, PersonField, strip_filter
from portal.models.incentives import BANDS

TEXT = [NoControlCharacters()]
MONEY = [NumberRange(min=0, max=10_000_000, message=_l("Enter an amount between 0 and 10,000,000."))]
MONTH = Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Enter a month as YYYY-MM, e.g. 2026-11."))


class PeriodForm(FlaskForm):
    """The period a list or statement shows (a GET form)."""

    class Meta:
        csrf = False

    #: Shown when the key is well formed but names no period the calendar covers.
    OUT_OF_RANGE = _l("Enter a month (2026-11) or a quarter (2026-Q4).")

    period = StringField(_l("Period"), filters=[strip_filter], validators=[
        Optional(), Regexp(r"^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$",
                           message=_l("Enter a month (2026-11) or a quarter (2026-Q4)."))])


class WhatIfForm(FlaskForm):
    """The attainment to imagine (a GET form)."""

    class Meta:
        csrf = False

    what_if = DecimalField(_l("If I reach (% of target)"), places=None, validators=[
        Optional(), NumberRange(min=0, max=500, message=_l("Enter a percentage between 0 and 500."))])


def _band_fields(cls):
    """Add one multiplier field per rating band to a form class."""
    for band in BANDS:
        setattr(cls, f"band_{band}", DecimalField(
            _l("Band %(band)s multiplier", band=band), places=None, validators=[
                InputRequired(message=_l("Enter a multiplier.")),
                NumberRange(min=0, max=10, message=_l("Enter a multiplier between 0 and 10."))]))
    return cls


@_band_fields
class RuleVersionForm(FlaskForm):
    """The header of a version of the pay rules: the base bonus and the band multipliers."""

    base_bonus = DecimalField(_l("Monthly base bonus (¥)"), places=None,
                              validators=[InputRequired(message=_l("Enter an amount.")), *MONEY])
    note = StringField(_l("Note"), filters=[strip_filter], validators=[Optional(), Length(max=200),
                                                                       *TEXT])


@_band_fields
class NewRuleVersionForm(RuleVersionForm):
    """A new version of the rules, from a month on."""

    effective_from = StringField(_l("In force from (month)"), filters=[strip_filter],
                                 validators=[DataRequired(), MONTH])
    copy_previous = BooleanField(_l("Copy base pay and commission rates of the rules before"),
                                 default=True)


class BasePayForm(FlaskForm):
    """One person's monthly base pay under a version."""

    user_id = PersonField(_l("Person"), scope="incentives.payable",
                          validators=[DataRequired(message=_l("Choose a person."))])
    monthly = DecimalField(_l("Monthly base pay (¥)"), places=None,
                           validators=[InputRequired(message=_l("Enter an amount.")), *MONEY])


class CommissionRateForm(FlaskForm):
    """One tier of a product line's commission."""

    product_line_id = SelectField(_l("Product line"), coerce=int, choices=[])
    min_attainment = DecimalField(_l("From attainment (%)"), places=None, default=0, validators=[
        Optional(), NumberRange(min=0, max=500, message=_l("Enter a percentage between 0 and 500."))])
    rate_percent = DecimalField(_l("Rate (% of sales)"), places=None, validators=[
        InputRequired(message=_l("Enter a rate.")),
        NumberRange(min=0, max=100, message=_l("Enter a rate between 0 and 100."))])


class SettingsForm(FlaskForm):
    """HR's settings of the module."""

    managers_see_reports = BooleanField(_l("Managers may read their reports' payout statements"))


class AwardTypeForm(FlaskForm):
    """A kind of award."""

    name = StringField(_l("Name (Chinese)"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    name_en = StringField(_l("Name (English)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=100), *TEXT])
    for_team = BooleanField(_l("Awarded to a team (an area)"))


class NominationForm(FlaskForm):
    """A nomination for an award."""

    award_type_id = SelectField(_l("Award"), coerce=int, choices=[])
    period = StringField(_l("For (year or month)"), filters=[strip_filter], validators=[
        DataRequired(), Regexp(r"^\d{4}(-(0[1-9]|1[0-2]))?$",
                               message=_l("Enter a year (2026) or a month (2026-11)."))])
    nominee_id = PersonField(_l("Person"), scope="incentives.nominee")
    area_id = SelectField(_l("Team"), coerce=int, choices=[])
    reason = TextAreaField(_l("Reason"), filters=[strip_filter],
                           validators=[DataRequired(), Length(max=4000), *TEXT])


class DecisionForm(FlaskForm):
    """HR's decision on a nomination."""

    decision = RadioField(_l("Decision"), choices=[("won", _l("Award it")),
                                                   ("declined", _l("Decline"))],
                          validators=[DataRequired(message=_l("Choose a decision."))])
    decision_note = TextAreaField(_l("Note"), filters=[strip_filter],
                                  validators=[Optional(), Length(max=2000), *TEXT])


class ActivityForm(FlaskForm):
    """A team-building activity."""

    area_id = SelectField(_l("Area"), coerce=int, choices=[])
    held_on = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter a date."))])
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    place = StringField(_l("Place"), filters=[strip_filter],
                        validators=[Optional(), Length(max=200), *TEXT])
    participants = IntegerField(lazy_pgettext("count", "Participants"), validators=[
        Optional(), NumberRange(min=1, max=10000, message=_l("Enter a number between 1 and 10,000."))])
    cost = DecimalField(_l("Cost (¥)"), places=None, validators=[Optional(), *MONEY])
    notes = TextAreaField(_l("Notes"), filters=[strip_filter],
                          validators=[Optional(), Length(max=4000), *TEXT])
