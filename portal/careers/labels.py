"""The names of the career enums in the reader's language (kept here so they land in the
careers catalogue)."""
from flask_babel import lazy_gettext as _l

from portal.models.careers import GoalStatus, Readiness

READINESS_LABELS = {
    Readiness.READY_NOW: _l("Ready now"),
    Readiness.ONE_TWO_YEARS: _l("Ready in 1–2 years"),
    Readiness.NOT_YET: _l("Not yet"),
}

GOAL_STATUS_LABELS = {
    GoalStatus.PLANNED: _l("Planned"),
    GoalStatus.IN_PROGRESS: _l("In progress"),
    GoalStatus.DONE: _l("Done"),
    GoalStatus.DROPPED: _l("Dropped"),
}
