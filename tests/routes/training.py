"""Sample records for the routes of the training module: the catalogue is everyone's; records are scoped per person."""
from datetime import datetime
from decimal import Decimal

from portal.extensions import db
from portal.models.training import (Attendance, Course, CourseCategory, CourseMode, Enrolment,
                                    TrainingSession)


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
