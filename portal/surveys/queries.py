"""Queries of the surveys module: which surveys a person may manage, and which they may answer."""
from flask import abort
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Area, Role, User
from portal.models.customers import Customer
from portal.models.feedback import (Survey, SurveyAudience, SurveyInvitation,
                                    SurveyParticipation, SurveyQuestion, SurveyStatus)

SORTS = {"title": Survey.title, "created": Survey.created_at, "status": Survey.status}


def may_manage_surveys(user: User) -> bool:
    """HR runs surveys company-wide; area managers for their areas."""
    return user.has_role(Role.HR, Role.MANAGER)


def headed_area_ids(user: User) -> Select:
    """The ids of the areas this person heads."""
    return select(Area.id).where(Area.head_id == user.id)


def visible_surveys(user: User) -> Select:
    """The surveys this person may build and read the results of.

    HR: all. A manager: the ones they made and those of the areas they head. Nobody else.
    """
    query = select(Survey)
    if user.has_role(Role.HR):
        return query
    if user.has_role(Role.MANAGER):
        # company-wide surveys too, once published: their results are held to the manager's areas
        return query.where(or_(Survey.created_by_id == user.id,
                               Survey.area_id.in_(headed_area_ids(user)),
                               Survey.area_id.is_(None) & (Survey.status != SurveyStatus.DRAFT)))
    return query.where(False)


def survey_list(user: User, listing: Listing) -> Select:
    """The visible surveys matching the search and filters, sorted, with their area loaded."""
    query = listing.search(visible_surveys(user).options(selectinload(Survey.area)), Survey.title)
    status = listing.get("status", default="")
    if status in {s.value for s in SurveyStatus}:
        query = query.where(Survey.status == SurveyStatus(status))
    audience = listing.get("audience", default="")
    if audience in {a.value for a in SurveyAudience}:
        query = query.where(Survey.audience == SurveyAudience(audience))
    return listing.order(query, Survey.id)


def get_survey_or_404(user: User, survey_id: int) -> Survey:
    """A survey the person may manage, with its questions, or 404."""
    return db.first_or_404(visible_surveys(user).where(Survey.id == survey_id)
                           .options(selectinload(Survey.questions), selectinload(Survey.area)))


def get_question_or_404(survey: Survey, question_id: int) -> SurveyQuestion:
    """A question of this survey (reached through the survey, so through its access), or 404."""
    for question in survey.questions:
        if question.id == question_id:
            return question
    abort(404)


def asked_staff(user: User) -> bool:
    """Staff surveys ask the people of the areas: account managers and area managers."""
    return user.has_role(Role.STAFF, Role.MANAGER)


def surveys_to_answer(user: User) -> Select:
    """Published staff surveys that ask this person and that they have not answered yet."""
    if not asked_staff(user):
        return select(Survey).where(False)
    answered = exists().where(SurveyParticipation.survey_id == Survey.id,
                              SurveyParticipation.user_id == user.id)
    return (select(Survey)
            .where(Survey.audience == SurveyAudience.STAFF,
                   Survey.status == SurveyStatus.PUBLISHED,
                   or_(Survey.area_id.is_(None), Survey.area_id == user.area_id),
                   ~answered)
            .order_by(Survey.published_at.desc(), Survey.id))


def get_staff_survey_or_404(user: User, survey_id: int) -> Survey:
    """A published staff survey that asks this person, with its questions, or 404."""
    if not asked_staff(user):
        abort(404)
    query = (select(Survey)
             .where(Survey.id == survey_id, Survey.audience == SurveyAudience.STAFF,
                    Survey.status == SurveyStatus.PUBLISHED,
                    or_(Survey.area_id.is_(None), Survey.area_id == user.area_id))
             .options(selectinload(Survey.questions)))
    return db.first_or_404(query)


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The link with this token, with its survey and questions, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.token == token)
        .options(selectinload(SurveyInvitation.survey).selectinload(Survey.questions),
                 selectinload(SurveyInvitation.account_manager)))


def invitation_list(survey: Survey, area_ids: list[int] | None = None) -> Select:
    """The links of a customer survey (reached through the survey), of customers of these areas
    if given, with what the page shows."""
    query = select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)
    if area_ids is not None:
        query = query.where(SurveyInvitation.customer_id.in_(
            select(Customer.id).where(Customer.area_id.in_(area_ids))))
    return (query
            .options(selectinload(SurveyInvitation.account_manager),
                     selectinload(SurveyInvitation.customer))
            .order_by(SurveyInvitation.id))
