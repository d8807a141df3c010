"""Views of the training module, one file per sub-feature: the catalogue (courses), sessions
(enrolment, attendance, feedback) and records (compliance, export). Importing them registers
their routes on the blueprint."""
from flask_babel import gettext as _


def refusal_message(reason: str) -> str:
    """The words for a refused enrolment."""
    return {
        "full": _("This session is full."),
        "already": _("Already enrolled in this session."),
        "started": _("This session has already started; enrolment is closed."),
        "retired": _("This course is no longer offered."),
    }.get(reason, _("The enrolment was refused."))


from portal.training.views import catalogue, records, sessions  # noqa: E402,F401
