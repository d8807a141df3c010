"""Translated names of the pipeline's outcomes and timeline entries."""
from flask_babel import lazy_gettext as _l

from portal.models.pipeline import LOST, OPEN, WON

OUTCOME_LABELS = {OPEN: _l("Open"), WON: _l("Won"), LOST: _l("Lost")}
EVENT_LABELS = {"created": _l("Created"), "stage": _l("Stage changed"),
                "activity": _l("Activity"), "won": _l("Won"), "lost": _l("Lost")}
