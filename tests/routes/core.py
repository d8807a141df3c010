"""Sample records for the routes of the foundation: health, sign-in, home, account."""


def sample_args(org) -> dict:
    """A home panel every role may ask for (it is empty for whoever it has nothing for)."""
    return {"panel_name": "meetings"}
