"""Customer feedback: complaints with deadlines and a timeline; surveys for staff and customers.

Anonymity of staff surveys is a property of the schema: an anonymous answer (`SurveyResponse`)
carries no person, no time finer than the day and a random key, and the "has answered" record
(`SurveyParticipation`) carries no time and no key of its own. On SQLite both are WITHOUT ROWID
tables, so not even the order rows were written in links one to the other.
"""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow


def _enum(cls):
    """A portable enum column type (a VARCHAR) storing the members' values."""
    return db.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True, create_constraint=False)


# --- surveys -----------------------------------------------------------------------------------

class SurveyAudience(enum.StrEnum):
    """Who answers a survey."""

    STAFF = "staff"
    CUSTOMER = "customer"



class SurveyStatus(enum.StrEnum):
    """A survey's life: built as a draft, answered while published, read once closed."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"



class QuestionKind(enum.StrEnum):
    """The kinds of question the builder offers."""

    RATING = "rating"
    NPS = "nps"
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"

    @property
    def has_options(self) -> bool:
        """Whether the question offers options to choose from."""
        return self in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)




class Survey(db.Model):
    """A questionnaire for staff or for customers."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[SurveyAudience] = mapped_column(_enum(SurveyAudience), index=True)
    #: Staff surveys only: answers are stored with no link to the person who gave them.
    anonymous: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SurveyStatus] = mapped_column(_enum(SurveyStatus), default=SurveyStatus.DRAFT,
                                                 index=True)
    #: The area the survey is for (its staff, or its account managers' customers); None: company.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"),
                                                index=True)
    area = relationship("Area")
    #: Customer surveys: the day after which the links no longer take answers.
    expires_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by = relationship("User", foreign_keys=[created_by_id])
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan",
        order_by="SurveyQuestion.position")

    @property
    def is_staff(self) -> bool:
        return self.audience == SurveyAudience.STAFF


class SurveyQuestion(db.Model):
    """One question of a survey, at its place in the order."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    survey: Mapped[Survey] = relationship(back_populates="questions")
    #: Place in the survey, from 1; the builder renumbers on every move.
    position: Mapped[int] = mapped_column(default=1)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind))
    text: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=True)
    #: Single and multiple choice: the options, in order; answers store their indexes.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)


class SurveyParticipation(db.Model):
    """"Has answered": the one record that a person answered a staff survey, with nothing else.

    No time and no key of its own, so it cannot be lined up with an anonymous answer.
    """

    __tablename__ = "survey_participations"
    __table_args__ = {"sqlite_with_rowid": False}

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class SurveyResponse(db.Model):
    """One completed questionnaire.

    The key is random (not a sequence) and the date has no time, so that an anonymous answer
    cannot be matched with its participation record by order or by time.
    """

    __tablename__ = "survey_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    #: A random hex key; its order says nothing about when the answer came.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    survey: Mapped[Survey] = relationship()
    #: Named staff surveys only; always None for anonymous ones and for customers.
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    respondent = relationship("User", foreign_keys=[respondent_id])
    #: Customer surveys: the link this answer came through (one answer per link).
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="CASCADE"), unique=True)
    invitation: Mapped["SurveyInvitation | None"] = relationship()
    #: The group the answer counts in: the respondent's area, or the account manager's.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"),
                                                index=True)
    area = relationship("Area")
    #: The day of the answer (UTC), deliberately without the time.
    submitted_on: Mapped[date] = mapped_column(index=True)

    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    """The answer to one question within a response."""

    __tablename__ = "survey_answers"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True, index=True)
    question: Mapped[SurveyQuestion] = relationship()
    #: Rating (1–5) and NPS (0–10) answers.
    number: Mapped[int | None]
    #: Single and multiple choice: the indexes of the chosen options.
    choices: Mapped[list[int] | None] = mapped_column(JSON)
    #: Text answers.
    text: Mapped[str | None] = mapped_column(Text)


class SurveyInvitation(db.Model):
    """A customer's personal link to a customer survey: a token that takes one answer."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    survey: Mapped[Survey] = relationship()
    customer_id: Mapped[int] = mapped_column(index=True)
    #: The customer's account manager when the link was made: whom the answers are about.
    account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    account_manager = relationship("User", foreign_keys=[account_manager_id])
    #: The secret in the link (URL-safe random text); whoever holds it may answer once.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set, once, by the one request that records the answer.
    answered_at: Mapped[datetime | None]
