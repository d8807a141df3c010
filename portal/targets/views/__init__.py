"""Views of the targets module, one file per sub-feature: attainment (and the home panel), the
target grid and its approval, sales (entry, import, export) and service duties.

Importing the sub-modules registers their routes on the blueprint; endpoint names stay
`targets.<function>`.
"""
from portal.targets import bp
from portal.targets.duties import kind_label
from portal.targets.forms import TARGET_STATUS_LABELS


@bp.app_context_processor
def _labels():
    return {"target_status_labels": TARGET_STATUS_LABELS, "duty_kind_label": kind_label}


from portal.targets.views import attainment, duties, grid, sales  # noqa: E402,F401
