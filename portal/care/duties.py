"""The care duties, installed into the targets module's kinds: "make care contacts on time" and
"hold product training for customers"."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from portal.care.services import on_time_percents, trainings_held
from portal.targets.services import register_duty_kind

DUTY_KIND = "care_contacts_on_time"
TRAINING_KIND = "product_training_held"


def measure(duty, user_id: int, start, end):
    """Fulfilment %: care tasks contacted by their campaign's due day ÷ care tasks due."""
    return on_time_percents([user_id], start, end)[user_id]


def measure_many(duty, user_ids: list[int], start, end):
    return on_time_percents(user_ids, start, end)


def measure_training_many(duty, user_ids: list[int], start, end):
    """Fulfilment %: training events held (one of the person's customers attending) ÷ the
    duty's number per period (1 when not set), at most 100."""
    wanted = max(1, (duty.parameter if duty is not None else None) or 1)
    held = trainings_held(user_ids, start, end)
    return {u: Decimal(min(100, held[u] * 100 // wanted)).quantize(Decimal("0.1"))
            for u in user_ids}


def measure_training(duty, user_id: int, start, end):
    return measure_training_many(duty, [user_id], start, end)[user_id]


def install() -> None:
    register_duty_kind(DUTY_KIND, _l("Make care contacts on time"), measure,
                       measure_many=measure_many)
    register_duty_kind(TRAINING_KIND, _l("Hold product training for customers"),
                       measure_training, parameter_label=_l("Trainings per period"),
                       measure_many=measure_training_many)
