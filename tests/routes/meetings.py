"""Sample records for the routes of meetings: attendees read, the organiser and the area head change; the feed is public."""


def sample_args(org) -> dict:
    """A team meeting of manager1 that staff1 attends, and staff1's calendar token."""
    from tests.comm_factories import sample_communication

    sample = sample_communication(org)
    return {"meeting_id": sample["meeting"].id, "meeting_action_id": sample["meeting_action"].id,
            "feed_token": sample["token"].token}
