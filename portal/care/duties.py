"""The service duty "make care contacts on time", installed into the targets module's kinds."""
from flask_babel import lazy_gettext as _l

from portal.care.services import on_time_percents
from portal.targets.services import register_duty_kind

DUTY_KIND = "care_contacts_on_time"


def measure(duty, user_id: int, start, end):
    """Fulfilment %: care tasks contacted by their campaign's due day ÷ care tasks due."""
    return on_time_percents([user_id], start, end)[user_id]


def measure_many(duty, user_ids: list[int], start, end):
    return on_time_percents(user_ids, start, end)


def install() -> None:
    register_duty_kind(DUTY_KIND, _l("Make care contacts on time"), measure,
                       measure_many=measure_many)
