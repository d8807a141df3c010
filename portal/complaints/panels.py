"""The complaints panel of the home page: my (or my team's) open and overdue complaints."""
from sqlalchemy import func, select

from portal.complaints.queries import visible_complaints
from portal.extensions import db
from portal.kernel.clock import utcnow
from portal.kernel.panels import panel
from portal.models import Role
from portal.models.feedback import Complaint, ComplaintStatus


@panel("complaints/_home_panel.html", order=40)
def complaints_panel(user):
    """Open and overdue complaints in the person's scope; nothing for HR and admins."""
    if not user.has_role(Role.STAFF, Role.MANAGER):
        return None
    open_ = visible_complaints(user).where(Complaint.status != ComplaintStatus.CLOSED).subquery()
    total, late = db.session.execute(select(
        func.count(open_.c.id), func.count(open_.c.id).filter(open_.c.due_at < utcnow()))).one()
    return {"open": total, "late": late}
