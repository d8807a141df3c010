"""Former home of the panel registry, now portal.kernel.panels.

Kept only so the modules that still import `portal.home.panels` (customers, targets, tasks,
meetings, one_on_ones views) work until they import portal.kernel.panels; then delete this file.
"""
from portal.kernel.panels import PANELS, Panel, panel, panel_named, panels_for  # noqa: F401
