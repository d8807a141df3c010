"""Routes of the task list: each person's own."""
from tests.routes import EVERYONE

ROUTES = {
    "tasks.index": EVERYONE,
    "tasks.create": EVERYONE,
    "tasks.edit": {"staff1"},
    "tasks.delete": {"staff1"},
}
POST_ONLY = {"tasks.toggle", "tasks.action_toggle", "tasks.review_action_toggle"}


def sample_args(org) -> dict:
    """A task and an action item of staff1."""
    from tests.comm_factories import sample_communication

    sample = sample_communication(org)
    return {"task_id": sample["task"].id, "action_item_id": sample["meeting_action"].id}
