"""Routes of the training module: the catalogue is everyone's; records are scoped per person."""
from datetime import datetime
from decimal import Decimal

from portal.extensions import db
from portal.models.training import (Attendance, Course, CourseCategory, CourseMode, Enrolment,
                                    TrainingSession)
from tests.routes import EVERYONE

HR = {"hr"}
MARKERS = {"manager1", "hr"}
ROUTES = {
    "training.index": EVERYONE,
    "training.course_create": HR,
    "training.course_edit": HR,
    "training.course_detail": EVERYONE,
    "training.session_create": HR,
    "training.session_edit": HR,
    "training.session_detail": EVERYONE,
    # staff1's own enrolment: they, their manager and HR may open it (it answers with a redirect
    # because the session is over); admin sees it but may not cancel it.
    "training.enrolment_cancel": {"staff1", "manager1", "hr"},
    "training.attendance": MARKERS,
    "training.feedback": {"staff1"},
    "training.records": EVERYONE,
    "training.record": EVERYONE,  # user_id is staff1 (from the admin module's sample_args)
    "training.matrix": MARKERS,
    "training.export": EVERYONE,
}
POST_ONLY = {"training.enrol", "training.assign"}


def sample_args(org) -> dict:
    """A course with a past session that staff1 attended."""
    course = Course(title="客户关系管理基础", category=CourseCategory.CRM, hours=Decimal("4"),
                    mode=CourseMode.CLASSROOM)
    session = TrainingSession(course=course, starts_at=datetime(2026, 3, 2, 9),
                              ends_at=datetime(2026, 3, 2, 13), place="三楼会议室",
                              trainer="陈老师", capacity=10, seats_taken=1)
    enrolment = Enrolment(session=session, user=org.users["staff1"],
                          attendance=Attendance.ATTENDED)
    db.session.add_all([course, session, enrolment])
    db.session.flush()
    return {"course_id": course.id, "training_session_id": session.id,
            "enrolment_id": enrolment.id, "training_fmt": "csv"}
