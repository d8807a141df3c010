"""Builders of training records for tests: courses, sessions, completed enrolments."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from portal.extensions import db
from portal.models import utcnow
from portal.models.training import (Attendance, Course, CourseCategory, CourseMode, Enrolment,
                                    TrainingSession)


def make_course(title="产品知识培训", required=(), hours="3", active=True,
                category=CourseCategory.PRODUCT) -> Course:
    course = Course(title=title, category=category, hours=Decimal(hours),
                    mode=CourseMode.CLASSROOM, active=active)
    course.required_roles = required
    db.session.add(course)
    db.session.flush()
    return course


def make_session(course, starts_at=None, capacity=10, hours=3) -> TrainingSession:
    starts_at = starts_at or utcnow() + timedelta(days=7)
    session = TrainingSession(course=course, starts_at=starts_at,
                              ends_at=starts_at + timedelta(hours=hours), place="培训室",
                              trainer="陈老师", capacity=capacity)
    db.session.add(session)
    db.session.flush()
    return session


def complete(user, course, on: date) -> Enrolment:
    """A past session of the course the person attended and completed on that day."""
    session = make_session(course, starts_at=datetime.combine(on, datetime.min.time()), capacity=50)
    session.seats_taken += 1
    enrolment = Enrolment(session=session, user=user, attendance=Attendance.ATTENDED,
                          completed_on=on)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment
