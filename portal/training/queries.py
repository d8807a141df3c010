"""Queries of the training module; every read of people's records is scoped to the viewer."""
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal import people_picker
from portal.access import managed_user_ids, visible_user_ids
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Area, Role, User
from portal.models.training import Course, CourseCategory, Enrolment, TrainingSession

#: The lists: their filters and sort keys (the first sort key is the default).
COURSE_FILTERS = ("category", "retired")
COURSE_SORTS = {"title": Course.title, "category": Course.category, "hours": Course.hours,
                "created": Course.created_at}
PEOPLE_FILTERS = ("area",)
PEOPLE_SORTS = {"name": User.display_name, "username": User.username, "area": Area.code}
MATRIX_FILTERS = ("area", "category", "gaps")
MATRIX_SORTS = {"name": User.display_name}


def course_list(viewer: User, listing: Listing) -> Select:
    """The catalogue: courses matching the search and filters (shared with everyone signed in)."""
    query = select(Course)
    if listing.get("retired") != "1":
        query = query.where(Course.active)
    query = listing.search(query, Course.title, Course.provider, Course.description)
    if (category := listing.get("category", default="")) in {c.value for c in CourseCategory}:
        query = query.where(Course.category == CourseCategory(category))
    return listing.order(query, Course.id)


def get_course_or_404(viewer: User, course_id: int) -> Course:
    """A course of the catalogue (everyone signed in may read it), or 404."""
    return db.first_or_404(select(Course).where(Course.id == course_id))


def get_session_or_404(viewer: User, session_id: int) -> TrainingSession:
    """A session of the catalogue with its course (everyone signed in may read it), or 404."""
    return db.first_or_404(select(TrainingSession).where(TrainingSession.id == session_id)
                           .options(selectinload(TrainingSession.course)))


def upcoming_sessions(course_ids, now) -> Select:
    """Sessions of these courses that have not started yet, soonest first."""
    return (select(TrainingSession).where(TrainingSession.course_id.in_(course_ids),
                                          TrainingSession.starts_at > now)
            .order_by(TrainingSession.starts_at))


def visible_enrolments(viewer: User) -> Select:
    """Enrolments of the people the viewer may see."""
    return select(Enrolment).where(Enrolment.user_id.in_(visible_user_ids(viewer)))


def get_enrolment_or_404(viewer: User, enrolment_id: int) -> Enrolment:
    """An enrolment of someone the viewer may see, with its session and course, or 404."""
    return db.first_or_404(
        visible_enrolments(viewer).where(Enrolment.id == enrolment_id)
        .options(selectinload(Enrolment.session).selectinload(TrainingSession.course),
                 selectinload(Enrolment.user)))


def roster(viewer: User, session: TrainingSession) -> list[Enrolment]:
    """The enrolments of a session the viewer may see (HR all, a manager their team, staff self)."""
    return list(db.session.scalars(
        visible_enrolments(viewer).where(Enrolment.session_id == session.id)
        .join(User, Enrolment.user_id == User.id)
        .options(selectinload(Enrolment.user).selectinload(User.area))
        .order_by(User.display_name, User.id)))


def record_enrolments(user_id: int) -> list[Enrolment]:
    """Every enrolment of one person (already checked visible), newest session first."""
    return list(db.session.scalars(
        select(Enrolment).join(TrainingSession, Enrolment.session_id == TrainingSession.id)
        .where(Enrolment.user_id == user_id)
        .options(selectinload(Enrolment.session).selectinload(TrainingSession.course))
        .order_by(TrainingSession.starts_at.desc(), Enrolment.id.desc())))


def people_list(viewer: User, listing: Listing) -> Select:
    """The people whose training records the viewer may see, searched, filtered and sorted."""
    query = (select(User).outerjoin(Area, User.area_id == Area.id)
             .where(User.id.in_(visible_user_ids(viewer)), User.active)
             .options(selectinload(User.area)))
    query = listing.search(query, User.display_name, User.username)
    if area_id := listing.get("area", type=int):
        query = query.where(User.area_id == area_id)
    return listing.order(query, User.id)


def matrix_people(viewer: User, listing: Listing) -> Select:
    """The people of the compliance matrix: the viewer's team (HR: everyone), not the viewer,
    with their roles (which courses each must complete)."""
    return (people_list(viewer, listing).where(User.id != viewer.id)
            .options(selectinload(User.role_rows)))


def required_courses(course_ids, category: str = "") -> list[Course]:
    """These courses by title, of one category when a valid one is given."""
    if not course_ids:
        return []
    query = select(Course).where(Course.id.in_(course_ids)).order_by(Course.title)
    if category in {c.value for c in CourseCategory}:
        query = query.where(Course.category == CourseCategory(category))
    return list(db.session.scalars(query))


def course_sessions(viewer: User, course: Course) -> Select:
    """A course's sessions, newest first (the catalogue is everyone's), to be paged: a course
    run in every area has hundreds (398 at size L)."""
    return (select(TrainingSession).where(TrainingSession.course_id == course.id)
            .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()))


def my_session_ids(viewer: User, course: Course) -> set[int]:
    """The sessions of a course the viewer is enrolled in."""
    return set(db.session.scalars(
        select(Enrolment.session_id).join(TrainingSession)
        .where(TrainingSession.course_id == course.id, Enrolment.user_id == viewer.id)))


def managed_among(viewer: User, user_ids) -> set[int]:
    """Which of these people the viewer manages, asked once for a whole roster."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(User.id).where(User.id.in_(ids),
                                                        User.id.in_(managed_user_ids(viewer)))))


@people_picker.scope("training.assignee")
def assignable_people(viewer: User) -> Select:
    """Whom the viewer may assign to a session: HR anyone active, a manager their team (the
    people picker of the assign form offers them)."""
    query = (select(User).where(User.active, User.id.in_(visible_user_ids(viewer)))
             .order_by(User.display_name, User.id))
    if not viewer.has_role(Role.HR):
        query = query.where(User.id != viewer.id)
    return query


def visible_areas(viewer: User) -> list[Area]:
    """Areas that hold people the viewer may see, for filters."""
    return list(db.session.scalars(
        select(Area).where(Area.id.in_(select(User.area_id).where(
            User.id.in_(visible_user_ids(viewer))))).order_by(Area.code)))


def export_rows(viewer: User) -> Select:
    """Every enrolment the viewer may see, for export, with person, area, session and course."""
    return (visible_enrolments(viewer)
            .join(User, Enrolment.user_id == User.id)
            .join(TrainingSession, Enrolment.session_id == TrainingSession.id)
            .options(selectinload(Enrolment.user).selectinload(User.area),
                     selectinload(Enrolment.session).selectinload(TrainingSession.course))
            .order_by(User.username, TrainingSession.starts_at, Enrolment.id))


def active_courses(viewer: User) -> list[Course]:
    """The courses still offered, by title (the catalogue is everyone's)."""
    return list(db.session.scalars(select(Course).where(Course.active).order_by(Course.title)))


def enrolled_session_ids(user_id: int, session_ids) -> set[int]:
    """Which of these sessions a person (already checked visible) is enrolled in."""
    ids = list(session_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Enrolment.session_id).where(
        Enrolment.user_id == user_id, Enrolment.session_id.in_(ids))))
