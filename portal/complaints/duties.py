"""The service duty "close complaints within the deadline", installed into the targets module's
duty kinds (it measures duties; we know the complaints)."""
from flask_babel import lazy_gettext as _l

from portal.complaints.services import deadline_kept_percents
from portal.targets.services import register_duty_kind

DUTY_KIND = "complaints_closed_on_time"


def measure_complaints(duty, user_id: int, start, end):
    """Fulfilment % of the duty: complaints closed within their deadline ÷ (complaints closed +
    open complaints whose deadline passed in the period): late open ones count as missed."""
    return deadline_kept_percents([user_id], start, end)[user_id]


def measure_complaints_many(duty, user_ids: list[int], start, end):
    """measure_complaints of several people in one query."""
    return deadline_kept_percents(user_ids, start, end)


def install() -> None:
    """Register the duty kind with the targets module."""
    register_duty_kind(DUTY_KIND, _l("Close complaints within the deadline"), measure_complaints,
                       measure_many=measure_complaints_many)
