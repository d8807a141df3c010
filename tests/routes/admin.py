"""Sample records for the routes of the admin module: administrators only."""


def sample_args(org) -> dict:
    """A user, an area and the kind of reference data."""
    return {"user_id": org.users["staff1"].id, "obj_id": org.areas[0].id, "kind": "areas"}
