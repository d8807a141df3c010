"""Sample records for the routes of one-on-ones: the two people of a series; cadence for managers and HR."""


def sample_args(org) -> dict:
    """A one-on-one of manager1 with staff1, with a point and an action item."""
    from tests.comm_factories import sample_communication

    sample = sample_communication(org)
    return {"series_id": sample["series"].id, "one_on_one_id": sample["one"].id,
            "talking_point_id": sample["point"].id,
            "one_on_one_action_id": sample["one_action"].id}
