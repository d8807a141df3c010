"""Routes of meetings: attendees read, the organiser and the area head change; the feed is public."""
from tests.routes import EVERYONE, PUBLIC

ROUTES = {
    "meetings.index": EVERYONE,
    "meetings.create": EVERYONE,
    "meetings.detail": {"staff1", "manager1"},
    "meetings.edit": {"manager1"},
    "meetings.delete": {"manager1"},
    "meetings.calendar": EVERYONE,
    "meetings.calendar_feed": PUBLIC,
}
POST_ONLY = {"meetings.action_add", "meetings.action_toggle", "meetings.calendar_token_new",
             "meetings.calendar_revoke"}


def sample_args(org) -> dict:
    """A team meeting of manager1 that staff1 attends, and staff1's calendar token."""
    from tests.comm_factories import sample_communication

    sample = sample_communication(org)
    return {"meeting_id": sample["meeting"].id, "meeting_action_id": sample["meeting_action"].id,
            "feed_token": sample["token"].token}
