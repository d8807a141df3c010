"""Sample records for the routes of the complaints module."""
from portal.extensions import db


def sample_args(org) -> dict:
    """A complaint about a customer of staff1."""
    from tests.feedback_factories import make_complaint, make_customer

    complaint = make_complaint(make_customer(org.users["staff1"], name="投诉样例客户"))
    db.session.commit()
    return {"complaint_id": complaint.id}
