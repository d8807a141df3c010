"""Routes of the admin module: administrators only."""
ADMIN = {"admin"}
ROUTES = {
    "admin.index": ADMIN,
    "admin.users": ADMIN,
    "admin.user_create": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_password": ADMIN,
    "admin.user_deactivate": ADMIN,
    "admin.reference_index": ADMIN,
    "admin.reference_edit": ADMIN,
    "admin.reference_row": ADMIN,
    "admin.audit_log": ADMIN,
}


def sample_args(org) -> dict:
    """A user, an area and the kind of reference data."""
    return {"user_id": org.users["staff1"].id, "obj_id": org.areas[0].id, "kind": "areas"}
