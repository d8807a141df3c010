"""Training rules that decide seats, feedback, hours and compliance: plain functions, unit tested.

Session times are stored as naive UTC like every timestamp; people type and read them in the
company's time zone (kernel.clock), and a completion counts on the local day the session ended.
"""
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from sqlalchemy import case, distinct, func, select, update

from portal import audit, spreadsheets
from portal.access import manages
from portal.extensions import db
from portal.kernel import clock
from portal.models import Role, User, UserRole, utcnow
from portal.models.training import (Attendance, Course, CourseRequirement, Enrolment,
                                    TrainingSession)


class EnrolmentRefused(Exception):
    """An enrolment that breaks a rule; `reason` is a key the views turn into a message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class FeedbackRefused(Exception):
    """Feedback from someone who may not give it (yet)."""


class CapacityTooLow(Exception):
    """A session's capacity set below the seats already taken."""

    def __init__(self, taken: int):
        super().__init__(taken)
        self.taken = taken


COURSE_FIELDS = ["title", "category", "hours", "mode", "provider", "active", "required_roles"]
SESSION_FIELDS = ["starts_at", "ends_at", "place", "trainer", "capacity"]
RESULT_FIELDS = ["attendance", "completed_on", "score", "certificate_no"]


def to_local(moment: datetime) -> datetime:
    """A stored naive-UTC time as naive local wall-clock time."""
    return moment.replace(tzinfo=UTC).astimezone(clock.zone()).replace(tzinfo=None)


def from_local(moment: datetime) -> datetime:
    """A naive local wall-clock time (as typed in a form) as naive UTC for storing."""
    return moment.replace(tzinfo=clock.zone()).astimezone(UTC).replace(tzinfo=None)


# --- the catalogue (HR) ------------------------------------------------------------------------

def save_course(course: Course | None, values: dict) -> Course:
    """A new course (course None) or changes to one, with its audit entry; the caller commits."""
    created = course is None
    course = Course() if created else course
    before = None if created else audit.snapshot(course, COURSE_FIELDS)
    for name, value in values.items():
        setattr(course, name, value)
    if created:
        db.session.add(course)
        db.session.flush()
    audit.record(f"course.{'create' if created else 'update'}", "course", course.id, before,
                 audit.snapshot(course, COURSE_FIELDS))
    return course


def save_session(session: TrainingSession | None, course_id: int,
                 values: dict) -> TrainingSession:
    """A new session of a course (session None) or changes to one, with its audit entry.

    Times are given as typed (local); CapacityTooLow when fewer seats than people enrolled.
    """
    created = session is None
    session = TrainingSession(course_id=course_id, seats_taken=0) if created else session
    if values["capacity"] < session.seats_taken:
        raise CapacityTooLow(session.seats_taken)
    before = None if created else audit.snapshot(session, SESSION_FIELDS)
    values = {**values, "starts_at": from_local(values["starts_at"]),
              "ends_at": from_local(values["ends_at"])}
    for name, value in values.items():
        setattr(session, name, value)
    if created:
        db.session.add(session)
        db.session.flush()
    audit.record(f"training_session.{'create' if created else 'update'}", "training_session",
                 session.id, before, audit.snapshot(session, SESSION_FIELDS))
    return session


# --- seats -------------------------------------------------------------------------------------

def enrol(session: TrainingSession, user: User, assigned_by: User | None = None,
          now: datetime | None = None) -> Enrolment:
    """Give the person a seat, or raise EnrolmentRefused; the caller must roll back on refusal.

    The seat is taken by one conditional UPDATE (`seats_taken < capacity`): on PostgreSQL the
    row lock makes a concurrent UPDATE wait and re-check the condition against the committed
    count; on SQLite write requests hold the database's write lock (BEGIN IMMEDIATE). Either way
    two people cannot both take the last seat. The duplicate check comes after the UPDATE so it
    runs under the same lock.
    """
    now = now or utcnow()
    if assigned_by is None and session.starts_at <= now:
        raise EnrolmentRefused("started")
    if not session.course.active:
        raise EnrolmentRefused("retired")
    taken = db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session.id,
               TrainingSession.seats_taken < TrainingSession.capacity)
        .values(seats_taken=TrainingSession.seats_taken + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise EnrolmentRefused("full")
    already = db.session.scalar(select(Enrolment.id).where(
        Enrolment.session_id == session.id, Enrolment.user_id == user.id))
    if already is not None:
        raise EnrolmentRefused("already")
    enrolment = Enrolment(session_id=session.id, user_id=user.id,
                          assigned_by_id=assigned_by.id if assigned_by else None)
    db.session.add(enrolment)
    db.session.flush()
    db.session.expire(session, ["seats_taken"])
    return enrolment


def assign(session: TrainingSession, person: User, by: User) -> Enrolment:
    """A manager or HR gives a person a seat (enrol's rules), with its audit entry."""
    enrolment = enrol(session, person, assigned_by=by)
    audit.record("enrolment.assign", "enrolment", enrolment.id, None,
                 {"session_id": session.id, "user_id": person.id})
    return enrolment


def may_cancel_for(viewer: User, enrolment: Enrolment) -> bool:
    """Whose seat the viewer may give back: their own, their team's, or (HR) anyone's."""
    return (enrolment.user_id == viewer.id or viewer.has_role(Role.HR)
            or manages(viewer, enrolment.user_id))


def can_cancel(enrolment: Enrolment, now: datetime | None = None) -> bool:
    """A place can be given back until the session starts, and never once attendance is marked."""
    now = now or utcnow()
    return enrolment.session.starts_at > now and enrolment.attendance == Attendance.UNMARKED


def cancel(enrolment: Enrolment) -> None:
    """Give the seat back and delete the enrolment, with its audit entry."""
    audit.record("enrolment.cancel", "enrolment", enrolment.id,
                 {"session_id": enrolment.session_id, "user_id": enrolment.user_id}, None)
    db.session.execute(
        update(TrainingSession).where(TrainingSession.id == enrolment.session_id,
                                      TrainingSession.seats_taken > 0)
        .values(seats_taken=TrainingSession.seats_taken - 1)
        .execution_options(synchronize_session=False))
    session = enrolment.session
    db.session.delete(enrolment)
    db.session.flush()
    db.session.expire(session, ["seats_taken"])


# --- attendance and feedback -------------------------------------------------------------------

def mark(enrolment: Enrolment, attendance: Attendance, completed: bool, score: Decimal | None,
         certificate_no: str) -> None:
    """Record attendance and results; only someone who attended can complete the course."""
    enrolment.attendance = attendance
    enrolment.score = score
    enrolment.certificate_no = certificate_no
    if completed and attendance == Attendance.ATTENDED:
        if enrolment.completed_on is None:
            enrolment.completed_on = to_local(enrolment.session.ends_at).date()
    else:
        enrolment.completed_on = None


def record_result(enrolment: Enrolment, attendance: Attendance, completed: bool,
                  score: Decimal | None, certificate_no: str) -> None:
    """Mark attendance and results (mark's rules), with the audit entry of the change."""
    before = audit.snapshot(enrolment, RESULT_FIELDS)
    mark(enrolment, attendance, completed, score, certificate_no)
    audit.record("enrolment.result", "enrolment", enrolment.id, before,
                 audit.snapshot(enrolment, RESULT_FIELDS))


def can_give_feedback(enrolment: Enrolment, user: User, now: datetime | None = None) -> bool:
    """Only the trainee, only if they attended, only once the session is over."""
    now = now or utcnow()
    return (enrolment.user_id == user.id and enrolment.attendance == Attendance.ATTENDED
            and enrolment.session.ends_at <= now)


def give_feedback(enrolment: Enrolment, user: User, rating: int, comment: str,
                  now: datetime | None = None) -> None:
    """Store the trainee's rating (1–5) and comment, or raise FeedbackRefused."""
    if not can_give_feedback(enrolment, user, now):
        raise FeedbackRefused()
    if not 1 <= rating <= 5:
        raise ValueError("rating must be between 1 and 5")
    enrolment.rating = rating
    enrolment.feedback = comment
    enrolment.feedback_at = now or utcnow()


# --- hours and compliance ----------------------------------------------------------------------

def hours_by_year(user_id: int) -> dict[int, Decimal]:
    """Hours of completed courses per calendar year of completion, newest year first."""
    rows = db.session.execute(
        select(Enrolment.completed_on, Course.hours)
        .join(TrainingSession, Enrolment.session_id == TrainingSession.id)
        .join(Course, TrainingSession.course_id == Course.id)
        .where(Enrolment.user_id == user_id, Enrolment.completed_on.is_not(None)))
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for completed_on, hours in rows:
        totals[completed_on.year] += Decimal(hours)
    return dict(sorted(totals.items(), reverse=True))


def hours_in_year(user_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Hours completed in a calendar year, per person, in one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.user_id, func.sum(Course.hours))
        .join(TrainingSession, Enrolment.session_id == TrainingSession.id)
        .join(Course, TrainingSession.course_id == Course.id)
        .where(Enrolment.user_id.in_(ids),
               Enrolment.completed_on >= date(year, 1, 1),
               Enrolment.completed_on <= date(year, 12, 31))
        .group_by(Enrolment.user_id))
    return {uid: Decimal(total) for uid, total in rows}


def required_course_ids_by_role() -> dict[Role, set[int]]:
    """The active courses each role must complete."""
    rows = db.session.execute(
        select(CourseRequirement.role, CourseRequirement.course_id)
        .join(Course, CourseRequirement.course_id == Course.id).where(Course.active))
    required: dict[Role, set[int]] = defaultdict(set)
    for role, course_id in rows:
        required[Role(role)].add(course_id)
    return required


def completions(user_ids: Iterable[int], end: date | None = None) -> dict[tuple[int, int], date]:
    """The first completion date of each (person, course), up to `end` when given, in one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    query = (select(Enrolment.user_id, TrainingSession.course_id, func.min(Enrolment.completed_on))
             .join(TrainingSession, Enrolment.session_id == TrainingSession.id)
             .where(Enrolment.user_id.in_(ids), Enrolment.completed_on.is_not(None))
             .group_by(Enrolment.user_id, TrainingSession.course_id))
    if end is not None:
        query = query.where(Enrolment.completed_on <= end)
    return {(uid, cid): done for uid, cid, done in db.session.execute(query)}


def percent(done: int, required: int) -> Decimal | None:
    """done / required as a percentage with one decimal, half up; None when nothing is required."""
    if required == 0:
        return None
    return (Decimal(done) * 100 / Decimal(required)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def compliance_by_user(user_ids: Iterable[int], end: date) -> dict[int, Decimal | None]:
    """Compliance % of each person at the end date (None when nothing is required of them).

    One statement whatever their number: per person, the active courses their roles require, and
    how many of those they completed by `end` (an index-only probe per requirement), so a
    company of 2,000 returns 2,000 rows, not the 100,000 completions behind them.
    """
    ids = list(user_ids)
    if not ids:
        return {}
    completed = (select(Enrolment.id).join(TrainingSession,
                                           Enrolment.session_id == TrainingSession.id)
                 .where(Enrolment.user_id == UserRole.user_id,
                        TrainingSession.course_id == CourseRequirement.course_id,
                        Enrolment.completed_on.is_not(None), Enrolment.completed_on <= end)
                 .exists())
    rows = db.session.execute(
        select(UserRole.user_id, func.count(distinct(CourseRequirement.course_id)),
               func.count(distinct(case((completed, CourseRequirement.course_id)))))
        .join(CourseRequirement, CourseRequirement.role == UserRole.role)
        .join(Course, Course.id == CourseRequirement.course_id)
        .where(Course.active, UserRole.user_id.in_(ids))
        .group_by(UserRole.user_id))
    result: dict[int, Decimal | None] = dict.fromkeys(ids)
    for uid, required, done in rows:
        result[uid] = percent(done, required)
    return result


def my_requirements(user: User, end: date) -> tuple[Decimal | None, list[int]]:
    """One person's compliance % at `end` (as compliance_by_user) and the ids of the required
    courses not completed yet, in two queries (their roles are already loaded)."""
    by_role = required_course_ids_by_role()
    required = set().union(*(by_role.get(role, set()) for role in user.roles))
    done = completions([user.id], end)
    missing = sorted(cid for cid in required if (user.id, cid) not in done)
    return percent(len(required) - len(missing), len(required)), missing


def compliance_percent(user_id: int, start: date, end: date) -> Decimal | None:
    """Share of the courses required for the person's roles completed by `end`, 0–100, 1 decimal.

    A course completed before the period counts as well as one completed within it (`start`
    only bounds the period the caller asks about). None when the person's roles require nothing.
    """
    if start > end:
        raise ValueError("start must not be after end")
    return compliance_by_user([user_id], end)[user_id]


# --- export ------------------------------------------------------------------------------------

spreadsheet_safe = spreadsheets.safe_cell


def to_csv(header: list[str], rows: Iterable[list]) -> bytes:
    """CSV with a BOM (so Excel reads the Chinese as UTF-8), every text cell made safe."""
    return spreadsheets.csv_bytes(header, rows)


def to_xlsx(title: str, header: list[str], rows: Iterable[list]) -> bytes:
    """An Excel workbook of one sheet, every text cell made safe and stored as text."""
    return spreadsheets.xlsx_bytes(title, header, rows)
