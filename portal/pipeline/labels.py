"""Translated names of the pipeline's outcomes and timeline entries."""
from flask_babel import lazy_gettext as _l, lazy_pgettext

from portal.models.pipeline import LOST, OPEN, WON

OUTCOME_LABELS = {OPEN: _l("Open"), WON: _l("Won"), LOST: lazy_pgettext("deal", "Lost")}
EVENT_LABELS = {"created": lazy_pgettext("deal", "Created"), "stage": _l("Stage changed"),
                "activity": _l("Activity"), "won": _l("Won"), "lost": lazy_pgettext("deal", "Lost")}
