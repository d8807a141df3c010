"""Forms of the targets module."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.kernel import clock
from portal.kernel.forms import CustomerField, NoControlCharacters, WholeNumberBetween, strip_filter
from portal.models.sales import TargetStatus
from portal.targets.imports import parse_amount

TEXT = [NoControlCharacters()]
TARGET_STATUS_LABELS = {TargetStatus.DRAFT: _l("Draft"), TargetStatus.APPROVED: _l("Approved")}


class AmountField(StringField):
    """An amount of yuan typed as text and kept exact (Decimal), the typed text kept on error."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.amount = parse_amount(self.data or "") if self.data else None

    def pre_validate(self, form):
        if self.data and getattr(self, "amount", None) is None:
            raise ValidationError(_l("Enter a positive amount of yuan with at most two decimals."))


class SaleForm(FlaskForm):
    """One sale entered by hand."""

    customer_id = CustomerField(_l("Customer"), scope="targets.sale")
    sold_on = DateField(_l("Date"), default=clock.today, validators=[DataRequired()])
    product_line_id = SelectField(_l("Product line"), coerce=int, choices=[])
    amount = AmountField(_l("Amount (¥)"), filters=[strip_filter], validators=[DataRequired()])
    reference = StringField(_l("Reference"), filters=[strip_filter],
                            validators=[Optional(), Length(max=60), *TEXT])

    def validate_sold_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The date is in the future."))

    def validate_customer_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a customer."))

    def validate_product_line_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a product line."))


class ImportForm(FlaskForm):
    """A sales file to check, then import."""

    file = FileField(_l("CSV or Excel file"))


class TargetChangeForm(FlaskForm):
    """A manager's change to an approved target, with the reason for the record."""

    amount = AmountField(_l("New amount (¥)"), filters=[strip_filter], validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000), *TEXT])


class DutyForm(FlaskForm):
    """A service duty of a role."""

    name = StringField(_l("Name (Chinese)"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    name_en = StringField(_l("Name (English)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=100), *TEXT])
    role = SelectField(_l("Role"), choices=[])
    kind = SelectField(_l("Measured as"), choices=[])
    tier = SelectField(_l("Tier"), choices=[("", _l("All tiers")), ("A", "A"), ("B", "B"), ("C", "C")])
    parameter = IntegerField(_l("Days (grace or deadline)"),
                             validators=[Optional(), WholeNumberBetween(0, 365)])
    expected_percent = DecimalField(_l("Expected fulfilment %"), places=1, default=100,
                                    validators=[DataRequired(), NumberRange(0, 100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000), *TEXT])
    active = BooleanField(_l("Active"), default=True)

