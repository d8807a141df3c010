"""Forms of market intelligence."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.kernel.forms import CustomerField, MultiCheckboxField, NoControlCharacters, strip_filter
from portal.models.intel import INTEL_LABELS, IntelKind, IntelSharing

TEXT = [NoControlCharacters()]


class PostForm(FlaskForm):
    """A post: kind, title, text, tags, about whom, shared with whom."""

    kind = SelectField(_l("Kind"), choices=[(k.value, INTEL_LABELS[k]) for k in IntelKind])
    title = StringField(_l("Title"), filters=[strip_filter],
                        validators=[DataRequired(), Length(max=200), *TEXT])
    body = TextAreaField(_l("Text"), filters=[strip_filter],
                         validators=[DataRequired(), Length(max=10000), *TEXT])
    tags = StringField(_l("Tags"), filters=[strip_filter],
                       validators=[Optional(), Length(max=300), *TEXT])
    customer_id = CustomerField(_l("Customer"), scope="intel.post")
    product_line_id = SelectField(_l("Product line"), coerce=int, choices=[])
    sharing = SelectField(_l("Shared with"),
                          choices=[(s.value, INTEL_LABELS[s]) for s in IntelSharing],
                          default=IntelSharing.AREA.value)
    department_ids = MultiCheckboxField(_l("Departments"), coerce=int, choices=[])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), filters=[strip_filter],
                         validators=[DataRequired(), Length(max=2000), *TEXT])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer of the product department"), filters=[strip_filter],
                           validators=[DataRequired(), Length(max=5000), *TEXT])
