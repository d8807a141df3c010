"""Sample records for the notification centre: a notification of staff1's (private to them)."""


def sample_args(org) -> dict:
    """A notification of staff1."""
    from portal.extensions import db
    from portal.models.notifications import Notification

    n = Notification(user_id=org.users["staff1"].id, kind="survey_waiting",
                     params={"title": "满意度调查"}, link="/surveys/")
    db.session.add(n)
    db.session.flush()
    return {"notification_id": n.id}
