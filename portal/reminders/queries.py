"""What is due, read in bulk: each function is one or two statements for the whole company,
never one per person. Recipients follow the access rules by construction: a record's owner or
participant, and their manager (who sees their reports' records); see services.COLLECTORS."""
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Role, User, UserRole
from portal.models.appraisals import Appraisal, AppraisalCycle, AppraisalStatus, CycleStatus
from portal.models.communication import ActionItem, OneOnOne, OneOnOneSeries
from portal.models.customers import Customer, Visit
from portal.models.feedback import (Complaint, ComplaintStatus, Survey, SurveyAudience,
                                    SurveyParticipation, SurveyStatus)
from portal.models.notifications import ReminderLog
from portal.models.training import Course, Enrolment, TrainingSession

OPEN_COMPLAINT = (ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS, ComplaintStatus.REOPENED)


def one_on_ones_between(start: datetime, end: datetime):
    """Unheld one-on-ones starting in [start, end) with both people: (one-on-one, series)."""
    return db.session.execute(
        select(OneOnOne.id, OneOnOne.starts_at, OneOnOneSeries.manager_id,
               OneOnOneSeries.report_id)
        .join(OneOnOneSeries, OneOnOne.series_id == OneOnOneSeries.id)
        .where(OneOnOne.starts_at >= start, OneOnOne.starts_at < end,
               OneOnOne.held.is_(False))).all()


def overdue_series(today: date):
    """Series whose next one-on-one date has passed: (series id, next date, manager, report)."""
    return db.session.execute(
        select(OneOnOneSeries.id, OneOnOneSeries.next_date, OneOnOneSeries.manager_id,
               OneOnOneSeries.report_id)
        .where(OneOnOneSeries.next_date < today)).all()


def overdue_visits(today: date):
    """Customers with a planned visit past its day (not done nor cancelled) by their owner, one
    row per customer with the latest such day: (customer id, name, day, owner id, owner's
    manager id). One reminder per customer, not one per stale plan (at size L the generated
    company has ~137,000 overdue plans over ~2,000 people)."""
    return db.session.execute(
        select(Customer.id, Customer.name, func.max(Visit.planned_on),
               Customer.account_manager_id, User.manager_id)
        .join(Customer, Visit.customer_id == Customer.id)
        .join(User, User.id == Customer.account_manager_id)
        .where(Visit.planned_on < today, Visit.done_on.is_(None), Visit.cancelled.is_(False),
               Visit.account_manager_id == Customer.account_manager_id)
        .group_by(Customer.id, Customer.name, Customer.account_manager_id, User.manager_id)).all()


def open_complaints():
    """Open complaints with an owner:
    (id, subject, due_at, owner id, owner's manager id, created by)."""
    return db.session.execute(
        select(Complaint.id, Complaint.subject, Complaint.due_at, Complaint.owner_id,
               User.manager_id, Complaint.created_by_id)
        .join(User, User.id == Complaint.owner_id)
        .where(Complaint.status.in_(OPEN_COMPLAINT))).all()


def waiting_appraisal_steps():
    """Appraisals of open cycles at a step someone has to take:
    (appraisal id, status, person id, person's name, manager id, cycle name, cycle end)."""
    return db.session.execute(
        select(Appraisal.id, Appraisal.status, Appraisal.user_id, User.display_name,
               Appraisal.manager_id, AppraisalCycle.name, AppraisalCycle.period_end,
               AppraisalCycle.id)
        .join(AppraisalCycle, Appraisal.cycle_id == AppraisalCycle.id)
        .join(User, User.id == Appraisal.user_id)
        .where(AppraisalCycle.status == CycleStatus.OPEN,
               Appraisal.status.in_((AppraisalStatus.SELF_ASSESSMENT,
                                     AppraisalStatus.MANAGER_REVIEW, AppraisalStatus.FEEDBACK,
                                     AppraisalStatus.ACKNOWLEDGEMENT)))).all()


def hr_people() -> list[int]:
    """The ids of active HR people."""
    return list(db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.HR, User.active.is_(True))))


def sessions_between(start: datetime, end: datetime):
    """Enrolments in training sessions starting in [start, end):
    (enrolment id, user id, course title, starts at, place, session id)."""
    return db.session.execute(
        select(Enrolment.id, Enrolment.user_id, Course.title, TrainingSession.starts_at,
               TrainingSession.place, TrainingSession.id)
        .join(TrainingSession, Enrolment.session_id == TrainingSession.id)
        .join(Course, TrainingSession.course_id == Course.id)
        .where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)).all()


def due_action_items(tomorrow: date):
    """Open action items due tomorrow or before: (id, title, due date, owner id)."""
    return db.session.execute(
        select(ActionItem.id, ActionItem.title, ActionItem.due_date, ActionItem.owner_id)
        .where(ActionItem.done.is_(False), ActionItem.due_date <= tomorrow)).all()


def unanswered_surveys():
    """(survey id, title, person id) for every published staff survey a person is asked and has
    not answered: the people of its area (or everyone) holding the staff or manager role."""
    asked = select(UserRole.user_id).where(UserRole.role.in_((Role.STAFF, Role.MANAGER)))
    answered = select(SurveyParticipation.user_id).where(
        SurveyParticipation.survey_id == Survey.id, SurveyParticipation.user_id == User.id)
    return db.session.execute(
        select(Survey.id, Survey.title, User.id)
        .join(User, and_(User.active.is_(True),
                         (Survey.area_id.is_(None)) | (Survey.area_id == User.area_id)))
        .where(Survey.audience == SurveyAudience.STAFF, Survey.status == SurveyStatus.PUBLISHED,
               User.id.in_(asked), ~answered.exists())).all()


def active_people(user_ids) -> dict[int, User]:
    """The active people among these ids, by id."""
    ids, people = list(user_ids), {}
    for start in range(0, len(ids), 500):
        people.update({u.id: u for u in db.session.scalars(
            select(User).where(User.id.in_(ids[start:start + 500]), User.active.is_(True)))})
    return people


def logged_keys(keys) -> set[str]:
    """Which of these event keys are already in the sent-log."""
    keys, found = list(keys), set()
    for start in range(0, len(keys), 500):
        found.update(db.session.scalars(
            select(ReminderLog.event_key).where(ReminderLog.event_key.in_(keys[start:start + 500]))))
    return found


def reminder_log(listing):
    """The sent-log, newest first, with the people, searchable by kind."""
    query = select(ReminderLog).options(selectinload(ReminderLog.user))
    kind = listing.get("kind", default="")
    if kind:
        query = query.where(ReminderLog.kind == kind)
    return query.order_by(ReminderLog.created_at.desc(), ReminderLog.id.desc())


def log_counts() -> dict[str, int]:
    """How many reminders went out per kind."""
    return dict(db.session.execute(
        select(ReminderLog.kind, func.count()).group_by(ReminderLog.kind)).all())
