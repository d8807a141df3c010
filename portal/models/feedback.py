"""Customer feedback: complaints with deadlines and a timeline; surveys for staff and customers.

Anonymity of staff surveys is a property of the schema: an answer (`SurveyResponse`) has no
column for a person at all (a named survey's respondent is a row of `SurveyRespondent` beside it),
no time finer than the day and a random key, and the "has answered" record
(`SurveyParticipation`) carries no time and no key of its own. On SQLite both are WITHOUT ROWID
tables, so not even the order rows were written in links one to the other.
"""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow


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
    audience: Mapped[SurveyAudience] = mapped_column(enum_column(SurveyAudience), index=True)
    #: Staff surveys only: answers are stored with no link to the person who gave them.
    anonymous: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SurveyStatus] = mapped_column(enum_column(SurveyStatus),
                                                 default=SurveyStatus.DRAFT, index=True)
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
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
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
    #: Named staff surveys only: who answered (no such row for anonymous ones or customers).
    named: Mapped["SurveyRespondent | None"] = relationship(
        cascade="all, delete-orphan", uselist=False, back_populates="response")
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
    #: Counted in the results. Anonymous answers wait unreleased until at least the anonymity
    #: threshold of them can be released together (or the survey closes), so that reloading the
    #: results as the count moves from N to N+1 shows no single answer.
    released: Mapped[bool] = mapped_column(default=True, server_default=true())

    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan")

    @property
    def respondent_id(self) -> int | None:
        """The person who gave a named staff answer; None for anonymous and customer answers."""
        return self.named.user_id if self.named is not None else None


class SurveyRespondent(db.Model):
    """Who gave an answer to a named staff survey. Anonymous answers never have one: the column
    does not exist on the answer itself."""

    __tablename__ = "survey_respondents"

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    response: Mapped[SurveyResponse] = relationship(back_populates="named")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    user = relationship("User")


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
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    customer = relationship("Customer")
    #: The customer's account manager when the link was made: whom the answers are about.
    account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    account_manager = relationship("User", foreign_keys=[account_manager_id])
    #: The secret in the link (URL-safe random text); whoever holds it may answer once.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set, once, by the one request that records the answer.
    answered_at: Mapped[datetime | None]


# --- complaints --------------------------------------------------------------------------------

class ComplaintStatus(enum.StrEnum):
    """Where a complaint stands; services.TRANSITIONS says which moves are allowed."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class Severity(enum.StrEnum):
    """How bad a complaint is; each severity has its own deadline (configurable)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ComplaintChannel(enum.StrEnum):
    """How the complaint reached us."""

    PHONE = "phone"
    WECHAT = "wechat"
    EMAIL = "email"
    VISIT = "visit"
    LETTER = "letter"
    OTHER = "other"


class ComplaintCategory(enum.StrEnum):
    """What the complaint is about."""

    SERVICE = "service"
    BILLING = "billing"
    QUALITY = "quality"
    PRODUCT = "product"
    STAFF = "staff"
    OTHER = "other"


class Complaint(db.Model):
    """A customer's complaint, from intake to closing, with its deadline."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"),
                                             index=True)
    customer = relationship("Customer")
    #: The customer's account manager at intake: whose customers' satisfaction this counts in.
    account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    account_manager = relationship("User", foreign_keys=[account_manager_id])
    #: Who handles it (defaults to the account manager); the deadline is theirs.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    owner = relationship("User", foreign_keys=[owner_id])
    #: The owner's area, kept for the area lists and figures.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"),
                                                index=True)
    area = relationship("Area")
    #: The department the complaint was handed to (its head assigns an owner within it); the
    #: deadline keeps running and the account manager keeps seeing it.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    department = relationship("Department")
    channel: Mapped[ComplaintChannel] = mapped_column(enum_column(ComplaintChannel))
    category: Mapped[ComplaintCategory] = mapped_column(enum_column(ComplaintCategory), index=True)
    severity: Mapped[Severity] = mapped_column(enum_column(Severity), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ComplaintStatus] = mapped_column(enum_column(ComplaintStatus),
                                                    default=ComplaintStatus.NEW, index=True)
    #: When the customer complained (UTC).
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: received_at plus the severity's deadline at intake (UTC); closing after it is late.
    due_at: Mapped[datetime] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    #: The last closing (UTC); cleared when the complaint is reopened.
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    #: The customer's satisfaction (1–5) given at closing.
    satisfaction: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    events: Mapped[list["ComplaintEvent"]] = relationship(
        back_populates="complaint", cascade="all, delete-orphan",
        order_by="(ComplaintEvent.at, ComplaintEvent.id)")


class ComplaintEvent(db.Model):
    """One entry of a complaint's timeline: intake, a status change, a note, a new owner."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"),
                                              index=True)
    complaint: Mapped[Complaint] = relationship(back_populates="events")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author = relationship("User")
    #: "created", "status", "note", "owner" or "handoff".
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
