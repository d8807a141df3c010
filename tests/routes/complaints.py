"""Routes of the complaints module."""
from portal.extensions import db
from tests.routes import EVERYONE

ROUTES = {
    "complaints.index": EVERYONE,
    "complaints.create": {"staff1", "manager1"},
    #: A complaint of staff1's customer: staff1, their manager, HR and admin may read it.
    "complaints.detail": EVERYONE,
    "complaints.overdue": EVERYONE,
    "complaints.figures": EVERYONE,
}
POST_ONLY = {"complaints.move", "complaints.note", "complaints.reassign"}


def sample_args(org) -> dict:
    """A complaint about a customer of staff1."""
    from tests.feedback_factories import make_complaint, make_customer

    complaint = make_complaint(make_customer(org.users["staff1"], name="投诉样例客户"))
    db.session.commit()
    return {"complaint_id": complaint.id}
