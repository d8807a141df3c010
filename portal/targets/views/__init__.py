"""Views of the targets module, one file per sub-feature: attainment (and the home panel), the
target grid and its approval, sales (entry, import, export) and service duties.

Importing the sub-modules registers their routes on the blueprint; endpoint names stay
`targets.<function>`.
"""
from babel.numbers import parse_pattern
from flask_babel import get_locale

from portal.targets import bp
from portal.targets.duties import kind_label
from portal.targets.forms import TARGET_STATUS_LABELS


#: The pattern of `pct`, parsed once (Babel parses a format string on every call: bench/hot_pages.py
#: found the manager dashboard's 50 percentages a request among its costs).
PERCENT_PATTERN = parse_pattern("#,##0.0")


@bp.app_template_filter("pct")
def pct(value) -> str:
    """A percentage with one decimal for the reader's locale ("42.5 %"), or "—"."""
    return "—" if value is None else f"{PERCENT_PATTERN.apply(value, get_locale())} %"


@bp.app_context_processor
def _labels():
    return {"target_status_labels": TARGET_STATUS_LABELS, "duty_kind_label": kind_label}


from portal.targets.views import attainment, duties, grid, sales  # noqa: E402,F401
