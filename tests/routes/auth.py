"""Sample records for the routes of sign-in and invitations."""
from portal.auth.services import create_invitation
from portal.extensions import db


def sample_args(org) -> dict:
    """An open invitation of staff1 (whoever follows the link gets the set-password page)."""
    token = create_invitation(org.users["staff1"])
    db.session.commit()
    return {"invite_token": token}
