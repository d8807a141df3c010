"""Sample records for the routes of the task list: each person's own."""


def sample_args(org) -> dict:
    """A task and an action item of staff1."""
    from tests.comm_factories import sample_communication

    sample = sample_communication(org)
    return {"task_id": sample["task"].id, "action_item_id": sample["meeting_action"].id}
