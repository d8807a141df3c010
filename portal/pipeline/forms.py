"""Forms of the pipeline: a deal with its product lines, a stage move, an activity, won, lost,
and the admins' lists."""
from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (DateField, DecimalField, FieldList, Form, FormField, IntegerField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.kernel import clock
from portal.kernel.forms import (CustomerField, MultiCheckboxField, NoControlCharacters, WholeNumberBetween,
                                 strip_filter)

TEXT = [NoControlCharacters()]
MAX_AMOUNT = Decimal("999999999999")
#: How far in the past an open deal's expected close date may be.
PAST_CLOSE_DAYS = 30


def _amount(label):
    return DecimalField(label, places=2, validators=[
        Optional(), NumberRange(min=0, max=MAX_AMOUNT,
                                message=_l("Enter an amount from 0 to 999,999,999,999."))])


class LineForm(Form):
    """One product line of a deal."""

    product_line_id = SelectField(_l("Product line"), coerce=int, choices=[], validate_choice=False)
    amount = _amount(_l("Amount"))


class OpportunityForm(FlaskForm):
    customer_id = CustomerField(_l("Customer"), scope="pipeline.deal",
                                validators=[DataRequired(message=_l("Choose the customer."))])
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    stage_id = SelectField(_l("Stage"), coerce=int, choices=[], validate_choice=False)
    probability = IntegerField(_l("Probability %"), validators=[Optional(),
                                                                WholeNumberBetween(0, 100)])
    expected_close = DateField(_l("Expected close date"), validators=[DataRequired()])
    source = StringField(_l("Source"), filters=[strip_filter],
                         validators=[Optional(), Length(max=100), *TEXT])
    lines = FieldList(FormField(LineForm), min_entries=3, max_entries=6)
    competitor_ids = MultiCheckboxField(_l("Competitors"), coerce=int, choices=[])
    other_competitors = StringField(_l("Other competitors"), filters=[strip_filter],
                                    validators=[Optional(), Length(max=200), *TEXT])
    next_step = StringField(_l("Next step"), filters=[strip_filter],
                            validators=[Optional(), Length(max=200), *TEXT])
    next_step_on = DateField(_l("Next step on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000), *TEXT])

    def validate_expected_close(self, field):
        if field.data and field.data < clock.today() - timedelta(days=PAST_CLOSE_DAYS):
            raise ValidationError(_l("An open opportunity cannot have closed more than "
                                     "%(days)d days ago: choose a later date.",
                                     days=PAST_CLOSE_DAYS))

    def chosen_lines(self) -> list[tuple[int, Decimal]]:
        """(product line id, amount) of the filled lines."""
        return [(entry.product_line_id.data, entry.amount.data or Decimal(0))
                for entry in self.lines if entry.product_line_id.data]

    def validate_lines(self, field):
        if not self.chosen_lines():
            raise ValidationError(_l("Choose at least one product line."))


class MoveForm(FlaskForm):
    stage_id = IntegerField(_l("Stage"), validators=[DataRequired()])


class ActivityForm(FlaskForm):
    note = TextAreaField(_l("What happened"), filters=[strip_filter],
                         validators=[DataRequired(), Length(max=2000), *TEXT])


class SaleLineForm(Form):
    product_line_id = SelectField(_l("Product line"), coerce=int, choices=[], validate_choice=False)
    amount = _amount(_l("Amount"))
    sold_on = DateField(_l("Date"), validators=[Optional()])
    reference = StringField(_l("Reference"), filters=[strip_filter],
                            validators=[Optional(), Length(max=60), *TEXT])


class WinForm(FlaskForm):
    """The sales to record for a won deal, prefilled from its lines."""

    sales = FieldList(FormField(SaleLineForm), min_entries=1, max_entries=6)

    def chosen(self):
        return [(e.product_line_id.data, e.amount.data, e.sold_on.data, e.reference.data or "")
                for e in self.sales if e.product_line_id.data and e.amount.data]

    def validate_sales(self, field):
        for entry in self.sales:
            if entry.product_line_id.data and entry.amount.data and not entry.sold_on.data:
                entry.sold_on.errors.append(_l("Enter the date of the sale."))
                raise ValidationError(_l("Every sale needs a date."))
            if entry.sold_on.data and entry.sold_on.data > clock.today():
                entry.sold_on.errors.append(_l("A sale cannot be in the future."))
                raise ValidationError(_l("A sale cannot be in the future."))
        if not self.chosen():
            raise ValidationError(_l("Record at least one sale with its amount."))


class LoseForm(FlaskForm):
    loss_reason_id = SelectField(_l("Reason"), coerce=int, choices=[], validate_choice=False)
    won_by_id = SelectField(_l("Competitor who won"), coerce=int, choices=[],
                            validate_choice=False)
    note = TextAreaField(_l("Details"), filters=[strip_filter],
                         validators=[Optional(), Length(max=2000), *TEXT])

    def validate_loss_reason_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a reason."))


class StageForm(FlaskForm):
    name = StringField(lazy_pgettext("thing", "Name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    name_en = StringField(_l("English name"), filters=[strip_filter],
                          validators=[Optional(), Length(max=100), *TEXT])
    probability = IntegerField(_l("Default probability %"),
                               validators=[InputRequired(message=_l("Enter a probability.")),
                                           WholeNumberBetween(0, 100)])
    position = IntegerField(_l("Order"), validators=[Optional(), WholeNumberBetween(0, 1000)])
    outcome = SelectField(_l("Meaning"), choices=[])


class NameForm(FlaskForm):
    """A competitor or a loss reason."""

    name = StringField(lazy_pgettext("thing", "Name"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
