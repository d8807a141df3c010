"""Views of the targets module, one file per sub-feature: attainment (and the home panel), the
target grid and its approval, sales (entry, import, export) and service duties.

Importing the sub-modules registers their routes on the blueprint; endpoint names stay
`targets.<function>`.
"""
from babel.numbers import format_compact_decimal
from flask_babel import format_decimal, get_locale

from portal.targets import bp
from portal.targets.duties import kind_label
from portal.targets.forms import TARGET_STATUS_LABELS


@bp.app_template_filter("axis_number")
def axis_number(value) -> str:
    """A chart axis's tick label, short for the reader's locale: 30万 / 300K, 1,200 as is."""
    if value is None:
        return ""
    if abs(value) < 10000:
        return format_decimal(value)
    return format_compact_decimal(value, locale=get_locale(), fraction_digits=1)


@bp.app_context_processor
def _labels():
    return {"target_status_labels": TARGET_STATUS_LABELS, "duty_kind_label": kind_label}


from portal.targets.views import attainment, duties, grid, sales  # noqa: E402,F401
