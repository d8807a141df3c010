"""Queries of the training module; every read of people's records is scoped to the viewer."""
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from portal.access import visible_user_ids
from portal.extensions import db
from portal.models import Area, Role, User
from portal.models.training import Course, CourseCategory, Enrolment, TrainingSession

COURSE_SORTS = {"title": Course.title, "category": Course.category, "hours": Course.hours,
                "created": Course.created_at}
PEOPLE_SORTS = {"name": User.display_name, "username": User.username, "area": Area.code}


def course_list(q: str = "", category: str = "", show_retired: bool = False,
                sort: str = "title") -> Select:
    """The catalogue: courses matching the search and filters (shared with everyone signed in)."""
    query = select(Course)
    if not show_retired:
        query = query.where(Course.active)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Course.title).like(like),
                                func.lower(Course.provider).like(like),
                                func.lower(Course.description).like(like)))
    if category in {c.value for c in CourseCategory}:
        query = query.where(Course.category == CourseCategory(category))
    column = COURSE_SORTS.get(sort.lstrip("-"), Course.title)
    return query.order_by(column.desc() if sort.startswith("-") else column.asc(), Course.id)


def get_course_or_404(course_id: int) -> Course:
    """A course of the catalogue (everyone signed in may read it), or 404."""
    return db.first_or_404(select(Course).where(Course.id == course_id))


def get_session_or_404(session_id: int) -> TrainingSession:
    """A session of the catalogue with its course, or 404."""
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


def people_list(viewer: User, q: str = "", area_id: int | None = None,
                sort: str = "name") -> Select:
    """The people whose training records the viewer may see, searched, filtered and sorted."""
    query = (select(User).outerjoin(Area, User.area_id == Area.id)
             .where(User.id.in_(visible_user_ids(viewer)), User.active)
             .options(selectinload(User.area)))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.display_name).like(like),
                                func.lower(User.username).like(like)))
    if area_id:
        query = query.where(User.area_id == area_id)
    column = PEOPLE_SORTS.get(sort.lstrip("-"), User.display_name)
    return query.order_by(column.desc() if sort.startswith("-") else column.asc(), User.id)


def matrix_people(viewer: User, area_id: int | None = None, q: str = "") -> Select:
    """The people of the compliance matrix: the viewer's team (HR: everyone), not the viewer."""
    return people_list(viewer, q=q, area_id=area_id).where(User.id != viewer.id)


def assignable_people(viewer: User) -> list[User]:
    """Whom the viewer may assign to a session: HR anyone active, a manager their team."""
    query = (select(User).where(User.active, User.id.in_(visible_user_ids(viewer)))
             .order_by(User.display_name, User.id))
    if not viewer.has_role(Role.HR):
        query = query.where(User.id != viewer.id)
    return list(db.session.scalars(query))


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
