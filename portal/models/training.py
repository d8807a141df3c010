"""Training: the course catalogue, sessions, enrolments with attendance, results and feedback."""
import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow
from portal.models.people import Role, User


class CourseCategory(enum.StrEnum):
    """What a course is about."""

    PRODUCT = "product"
    MARKET = "market"
    SALES_SKILLS = "sales_skills"
    CRM = "crm"
    TIME_MANAGEMENT = "time_management"
    EMOTION_MANAGEMENT = "emotion_management"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    CourseCategory.PRODUCT: _l("Product knowledge"),
    CourseCategory.MARKET: _l("Market"),
    CourseCategory.SALES_SKILLS: _l("Sales skills"),
    CourseCategory.CRM: _l("CRM"),
    CourseCategory.TIME_MANAGEMENT: _l("Time management"),
    CourseCategory.EMOTION_MANAGEMENT: _l("Emotion management"),
    CourseCategory.OTHER: _l("Other"),
}


class CourseMode(enum.StrEnum):
    """How a course is delivered."""

    CLASSROOM = "classroom"
    ONLINE = "online"
    BLENDED = "blended"
    ON_THE_JOB = "on_the_job"

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return str(MODE_LABELS[self])


MODE_LABELS = {
    CourseMode.CLASSROOM: _l("Classroom"),
    CourseMode.ONLINE: _l("Online"),
    CourseMode.BLENDED: _l("Blended"),
    CourseMode.ON_THE_JOB: _l("On the job"),
}


class Attendance(enum.StrEnum):
    """Whether an enrolled person came to the session; unmarked until someone records it."""

    UNMARKED = "unmarked"
    ATTENDED = "attended"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return str(ATTENDANCE_LABELS[self])


ATTENDANCE_LABELS = {
    Attendance.UNMARKED: _l("Not marked"),
    Attendance.ATTENDED: _l("Attended"),
    Attendance.ABSENT: _l("Absent"),
}


class Course(db.Model):
    """A course of the catalogue; it runs as one or more sessions."""

    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[CourseCategory] = mapped_column(enum_column(CourseCategory), index=True)
    #: Training hours credited to whoever completes the course.
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    mode: Mapped[CourseMode] = mapped_column(enum_column(CourseMode))
    #: Who gives the course: an internal department or an outside company.
    provider: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: Retired courses stay on people's records but get no new sessions.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requirements: Mapped[list["CourseRequirement"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", lazy="selectin")
    sessions: Mapped[list["TrainingSession"]] = relationship(
        back_populates="course", order_by="TrainingSession.starts_at")

    @property
    def required_roles(self) -> set[Role]:
        """The roles whose holders must complete this course."""
        return {r.role for r in self.requirements}

    @required_roles.setter
    def required_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.requirements = [r for r in self.requirements if r.role in wanted] + [
            CourseRequirement(role=r) for r in sorted(wanted - self.required_roles)]

    def __str__(self) -> str:
        return self.title


class CourseRequirement(db.Model):
    """A course that everyone holding a role must complete."""

    __tablename__ = "training_course_requirements"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True)
    course: Mapped[Course] = relationship(back_populates="requirements")


class TrainingSession(db.Model):
    """One sitting of a course: when, where, who teaches, how many seats."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True)
    course: Mapped[Course] = relationship(back_populates="sessions")
    #: Local time (Asia/Shanghai) of the start and end, as people read them on the notice.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    trainer: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int]
    #: Enrolments holding a seat; changed only by one conditional UPDATE, so two people can
    #: never both take the last seat (see portal.training.services.enrol).
    seats_taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="session")

    @property
    def seats_left(self) -> int:
        return self.capacity - self.seats_taken


class Enrolment(db.Model):
    """A person's place in a session, and what came of it."""

    __tablename__ = "training_enrolments"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        # Compliance asks "has this person completed this course by then": answered from the
        # index alone (portal.training.services.compliance_by_user).
        Index("ix_training_enrolments_user_completed", "user_id", "completed_on", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    session: Mapped[TrainingSession] = relationship(back_populates="enrolments")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    #: The manager or HR person who assigned the place; None when the person enrolled themselves.
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance),
                                                   default=Attendance.UNMARKED)
    #: The day the course counts as completed (hours credited, compliance met); None if not.
    completed_on: Mapped[date | None] = mapped_column(index=True)
    #: The test or assessment score, 0–100, when the course has one.
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    certificate_no: Mapped[str] = mapped_column(String(60), default="")
    #: The trainee's rating of the session, 1–5, given after attending it.
    rating: Mapped[int | None]
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None]

    @property
    def completed(self) -> bool:
        return self.completed_on is not None
