"""Routes of one-on-ones: the two people of a series; cadence for managers and HR."""
from tests.routes import EVERYONE

PAIR = {"staff1", "manager1"}
ROUTES = {
    "one_on_ones.index": EVERYONE,
    "one_on_ones.cadence": {"manager1", "hr"},
    "one_on_ones.series_create": {"manager1"},
    "one_on_ones.series_detail": PAIR,
    "one_on_ones.series_edit": {"manager1"},
    "one_on_ones.schedule": PAIR,
    "one_on_ones.detail": PAIR,
}
POST_ONLY = {
    "one_on_ones.held_toggle", "one_on_ones.point_add", "one_on_ones.point_toggle",
    "one_on_ones.notes_save", "one_on_ones.private_note_save", "one_on_ones.mood_save",
    "one_on_ones.action_add", "one_on_ones.action_toggle",
}


def sample_args(org) -> dict:
    """A one-on-one of manager1 with staff1, with a point and an action item."""
    from tests.comm_factories import sample_communication

    sample = sample_communication(org)
    return {"series_id": sample["series"].id, "one_on_one_id": sample["one"].id,
            "talking_point_id": sample["point"].id,
            "one_on_one_action_id": sample["one_action"].id}
