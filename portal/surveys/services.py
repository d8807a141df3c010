"""The rules of surveys: reading answers, recording them once, anonymity, results, CSV.

Everything here that decides privacy (who answered, what a group may see) is a plain function
with unit tests in tests/test_surveys.py.
"""
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal import spreadsheets
from portal.extensions import db
from portal.kernel import clock
from portal.models import Role, User, utcnow
from portal.models.customers import Customer, CustomerStatus
from portal.models.feedback import (QuestionKind, Survey, SurveyAnswer, SurveyAudience,
                                    SurveyInvitation, SurveyParticipation, SurveyQuestion,
                                    SurveyRespondent, SurveyResponse,
                                    SurveyStatus)

TEXT_MAX = 2000
RANGES = {QuestionKind.RATING: (1, 5), QuestionKind.NPS: (0, 10)}


def anonymity_threshold() -> int:
    """The smallest group of anonymous answers whose results may be shown (default 5)."""
    return int(current_app.config.get("SURVEY_ANONYMITY_THRESHOLD", 5))


def may_show_group(survey: Survey, answers: int, threshold: int | None = None) -> bool:
    """Whether results of a group of this many answers may be shown.

    Named and customer surveys always; anonymous ones only from the threshold up, so that no
    small group's answers can be traced back to the few people in it.
    """
    if not survey.anonymous:
        return True
    return answers >= (anonymity_threshold() if threshold is None else threshold)


def may_break_down(survey: Survey, group_sizes: list[int], threshold: int | None = None) -> bool:
    """Whether an anonymous survey's results may be shown per group (area) at all.

    Only when no group has answers under the threshold: otherwise the whole minus the groups
    shown would give away the small group's answers (differencing). Named surveys: always.
    """
    if not survey.anonymous:
        return True
    limit = anonymity_threshold() if threshold is None else threshold
    return all(n >= limit for n in group_sizes if n)


# --- reading a questionnaire -------------------------------------------------------------------

def parse_answers(questions: list[SurveyQuestion], form) -> tuple[dict[int, dict], dict[int, str]]:
    """The typed answers of a posted questionnaire, and an error per question that has one.

    `form` is a MultiDict (request.form); each question's field is named q<id>.
    """
    values: dict[int, dict] = {}
    errors: dict[int, str] = {}
    for question in questions:
        name = f"q{question.id}"
        kind = question.kind
        if kind == QuestionKind.MULTIPLE:
            raw = [v for v in form.getlist(name) if v != ""]
        else:
            raw = (form.get(name) or "").strip()
        if not raw:
            if question.required:
                errors[question.id] = _("Please answer this question.")
            continue
        if kind in RANGES:
            low, high = RANGES[kind]
            number = _int(raw)
            if number is None or not low <= number <= high:
                errors[question.id] = _("Choose a number from %(low)d to %(high)d.",
                                        low=low, high=high)
                continue
            values[question.id] = {"number": number}
        elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = [_int(v) for v in ([raw] if kind == QuestionKind.SINGLE else raw)]
            if any(i is None or not 0 <= i < len(question.options) for i in picked):
                errors[question.id] = _("Choose among the options offered.")
                continue
            values[question.id] = {"choices": sorted(set(picked))}
        else:
            if len(raw) > TEXT_MAX:
                errors[question.id] = _("Keep the answer under %(n)d characters.", n=TEXT_MAX)
                continue
            if any(ord(c) < 32 and c not in "\t\r\n" for c in raw):
                errors[question.id] = _("Remove the invisible control characters.")
                continue
            values[question.id] = {"text": raw}
    return values, errors


def _int(value) -> int | None:
    """An integer from form text, or None."""
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _new_response(survey: Survey, values: dict[int, dict], **fields) -> SurveyResponse:
    """A response with a random key, dated by the day only, and its answers."""
    response = SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id,
                              submitted_on=clock.today(), **fields)
    response.answers = [SurveyAnswer(question_id=qid, number=v.get("number"),
                                     choices=v.get("choices"), text=v.get("text"))
                        for qid, v in values.items()]
    return response


# --- staff answers -----------------------------------------------------------------------------

def may_answer(survey: Survey, user: User) -> bool:
    """Whether this person is among those a staff survey asks (its area, or everyone)."""
    return (survey.audience == SurveyAudience.STAFF and survey.status == SurveyStatus.PUBLISHED
            and user.active and user.has_role(Role.STAFF, Role.MANAGER) and (survey.area_id is None or user.area_id == survey.area_id))


def has_answered(survey_id: int, user_id: int) -> bool:
    """Whether the person has already answered this staff survey."""
    return db.session.get(SurveyParticipation, (survey_id, user_id)) is not None


def record_staff_response(survey: Survey, user: User, values: dict[int, dict]) -> bool:
    """Record a staff answer once; False (and nothing saved) if the person already answered.

    The participation row and the answer go in one transaction. For an anonymous survey the
    answer names nobody; the participation row is the only trace of the person, and it says
    nothing about what they answered. The primary key of the participation makes a second
    answer fail even when two requests race.
    """
    if not may_answer(survey, user) or has_answered(survey.id, user.id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(SurveyParticipation(survey_id=survey.id, user_id=user.id))
            db.session.flush()
    except IntegrityError:
        return False
    response = _new_response(survey, values, area_id=user.area_id,
                             released=not survey.anonymous)
    if not survey.anonymous:
        response.named = SurveyRespondent(user_id=user.id)
    db.session.add(response)
    db.session.flush()
    release_in_steps(survey)
    return True


def release_in_steps(survey: Survey, closing: bool = False) -> int:
    """Release a survey's waiting answers into the results when at least the anonymity
    threshold of them wait (or all of them when the survey closes); how many were released.

    Results of an anonymous survey so only ever move by a group of answers at least the
    threshold in size: comparing two states shows no single person's answer.
    """
    waiting = (select(func.count()).select_from(SurveyResponse)
               .where(SurveyResponse.survey_id == survey.id, SurveyResponse.released.is_(False)))
    count = db.session.scalar(waiting)
    if not count or (count < anonymity_threshold() and not closing):
        return 0
    db.session.execute(update(SurveyResponse)
                       .where(SurveyResponse.survey_id == survey.id,
                              SurveyResponse.released.is_(False))
                       .values(released=True))
    return count


# --- customer answers --------------------------------------------------------------------------

def new_token() -> str:
    """The secret of a customer's link: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def link_is_open(invitation: SurveyInvitation, today) -> bool:
    """Whether a customer's link still takes an answer: survey published, not expired, unused."""
    survey = invitation.survey
    return (survey.status == SurveyStatus.PUBLISHED and invitation.answered_at is None
            and (survey.expires_on is None or today <= survey.expires_on))


def record_customer_response(invitation: SurveyInvitation, values: dict[int, dict]) -> bool:
    """Record the answer given through a link, once; False if the link was used meanwhile.

    The conditional UPDATE claims the link: of two racing requests only one changes the row
    (the other waits for its lock, then finds answered_at set). The unique invitation_id of
    the response is the second lock on the door.
    """
    claimed = db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation.id, SurveyInvitation.answered_at.is_(None))
        .values(answered_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    manager = invitation.account_manager
    db.session.add(_new_response(invitation.survey, values, invitation_id=invitation.id,
                                 area_id=manager.area_id if manager else None))
    return True


# --- results -----------------------------------------------------------------------------------

def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def average(values: list[int]) -> Decimal | None:
    """The mean of the values to two places, or None for none."""
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def csat(ratings: list[int]) -> Decimal | None:
    """Customer satisfaction: the percentage of 1–5 ratings that are 4 or 5."""
    if not ratings:
        return None
    return _percent(sum(1 for r in ratings if r >= 4), len(ratings))


def nps(scores: list[int]) -> Decimal | None:
    """Net promoter score: % of 9–10 minus % of 0–6, from -100 to 100."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return _percent(promoters - detractors, len(scores))


@dataclass
class QuestionResult:
    """What a question's answers add up to."""

    question: SurveyQuestion
    answered: int = 0
    #: (label, count) in the order the chart draws them.
    distribution: list[tuple[str, int]] = field(default_factory=list)
    average: Decimal | None = None
    csat: Decimal | None = None
    nps: Decimal | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def peak(self) -> int:
        return max((n for _label, n in self.distribution), default=0)


@dataclass
class SurveyResults:
    """The results of a survey (or of one area's answers), or the fact that they are withheld."""

    responses: int
    withheld: bool
    questions: list[QuestionResult]
    #: Why withheld: "small" (this group is under the threshold) or "breakdown" (another is).
    reason: str = ""


def area_sizes(survey: Survey) -> list[int]:
    """How many released answers each area (and "no area") has given to a survey."""
    return list(db.session.scalars(
        select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id,
                                                    SurveyResponse.released.is_(True))
        .group_by(SurveyResponse.area_id)))


def _responses(survey: Survey, area_id: int | None):
    """The select of a survey's released responses, of one area if given."""
    query = select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id,
                                            SurveyResponse.released.is_(True))
    if area_id:
        query = query.where(SurveyResponse.area_id == area_id)
    return query


def survey_results(survey: Survey, area_id: int | None = None) -> SurveyResults:
    """Per-question counts, distributions, averages, CSAT and NPS; withheld under the threshold.

    For one area of an anonymous survey, withheld too while any area has a group under the
    threshold (see may_break_down). A few statements whatever the number of answers.
    """
    count = db.session.scalar(select(func.count()).select_from(
        _responses(survey, area_id).subquery()))
    if not may_show_group(survey, count):
        return SurveyResults(count, True, [], "small")
    if area_id and survey.anonymous:
        if not may_break_down(survey, area_sizes(survey)):
            return SurveyResults(count, True, [], "breakdown")
    answers = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.number, SurveyAnswer.choices,
               SurveyAnswer.text)
        .where(SurveyAnswer.response_id.in_(_responses(survey, area_id)))
        # The random response key: text answers come out in no telling order.
        .order_by(SurveyAnswer.response_id)
    ).all()
    by_question: dict[int, list] = {}
    for row in answers:
        by_question.setdefault(row.question_id, []).append(row)
    results = []
    for question in survey.questions:
        rows = by_question.get(question.id, [])
        results.append(question_result(question, rows))
    return SurveyResults(count, False, results)


def question_result(question: SurveyQuestion, rows) -> QuestionResult:
    """The result of one question from its answer rows (number, choices, text)."""
    result = QuestionResult(question, answered=len(rows))
    kind = question.kind
    if kind in RANGES:
        numbers = [r.number for r in rows if r.number is not None]
        low, high = RANGES[kind]
        counts = Counter(numbers)
        result.distribution = [(str(n), counts.get(n, 0)) for n in range(low, high + 1)]
        result.average = average(numbers)
        if kind == QuestionKind.RATING:
            result.csat = csat(numbers)
        else:
            result.nps = nps(numbers)
    elif kind.has_options:
        counts = Counter(i for r in rows for i in (r.choices or []))
        result.distribution = [(option, counts.get(i, 0))
                               for i, option in enumerate(question.options)]
    else:
        result.texts = [r.text for r in rows if r.text]
    return result


# --- CSV ---------------------------------------------------------------------------------------

def answer_text(question: SurveyQuestion, answer: SurveyAnswer | None) -> str:
    """An answer as one cell of text."""
    if answer is None:
        return ""
    if answer.number is not None:
        return str(answer.number)
    if answer.choices is not None:
        return "; ".join(question.options[i] for i in answer.choices
                         if 0 <= i < len(question.options))
    return answer.text or ""


def export_rows(survey: Survey, responses: list[SurveyResponse],
                people: dict[int, str] | None = None) -> tuple[list[str], list[list]]:
    """The answers as a header and rows, one row per response, one column per question.

    Anonymous surveys get no area, no date and no person column: rows come in the order of
    their random keys. `people` names respondents (named staff) or customers by id.
    """
    people = people or {}
    head = [_("Response")]
    if not survey.anonymous:
        head += [_("Date"), _("Area"), _("Customer") if not survey.is_staff else _("Respondent")]
        if not survey.is_staff:
            head.append(_("Account manager"))
    rows = []
    for response in sorted(responses, key=lambda r: r.id):
        by_question = {a.question_id: a for a in response.answers}
        row = [response.id[:8]]
        if not survey.anonymous:
            row.append(response.submitted_on)
            row.append(response.area.label if response.area else "")
            if survey.is_staff:
                row.append(people.get(response.respondent_id, ""))
            else:
                invitation = response.invitation
                row.append(people.get(invitation.customer_id, "") if invitation else "")
                manager = invitation.account_manager if invitation else None
                row.append(manager.display_name if manager else "")
        row += [answer_text(q, by_question.get(q.id)) for q in survey.questions]
        rows.append(row)
    return head + [q.text for q in survey.questions], rows


def export_csv(survey: Survey, responses: list[SurveyResponse],
               people: dict[int, str] | None = None) -> bytes:
    """The answers as CSV through the portal's one writer (BOM, formula-safe cells)."""
    return spreadsheets.csv_bytes(*export_rows(survey, responses, people))


# --- builder -----------------------------------------------------------------------------------

def move_question(survey: Survey, question: SurveyQuestion, step: int) -> None:
    """Move a question up (-1) or down (+1) and renumber them all from 1."""
    ordered = sorted(survey.questions, key=lambda q: (q.position, q.id))
    index = ordered.index(question)
    target = min(max(index + step, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    for position, q in enumerate(ordered, start=1):
        q.position = position
    survey.questions.sort(key=lambda q: q.position)


def parse_options(text: str) -> list[str]:
    """The options typed one per line, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- customer links (built on the customers module) --------------------------------------------

def create_invitations(survey: Survey) -> int:
    """One link per active customer of the survey's area (or of the company) that has none yet;
    each remembers the customer's account manager. Returns how many were made."""
    have = select(SurveyInvitation.customer_id).where(SurveyInvitation.survey_id == survey.id)
    query = select(Customer.id, Customer.account_manager_id).where(
        Customer.status != CustomerStatus.LOST, Customer.id.not_in(have))
    if survey.area_id:
        query = query.where(Customer.area_id == survey.area_id)
    made = 0
    for customer_id, manager_id in db.session.execute(query.order_by(Customer.id)):
        db.session.add(SurveyInvitation(survey_id=survey.id, customer_id=customer_id,
                                        account_manager_id=manager_id, token=new_token()))
        made += 1
    return made


@dataclass
class ManagerResult:
    """A customer survey's figures for one account manager."""

    name: str
    links: int
    answers: int
    average: Decimal | None
    csat: Decimal | None


def results_by_account_manager(survey: Survey, area_id: int | None = None) -> list[ManagerResult]:
    """Per account manager: links, answers, average 1–5 rating and CSAT of their customers."""
    links = select(SurveyInvitation.account_manager_id, func.count(SurveyInvitation.id),
                   func.count(SurveyInvitation.answered_at)).where(
        SurveyInvitation.survey_id == survey.id).group_by(SurveyInvitation.account_manager_id)
    ratings = (select(SurveyInvitation.account_manager_id, SurveyAnswer.number)
               .join(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
               .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
               .join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
               .where(SurveyInvitation.survey_id == survey.id,
                      SurveyQuestion.kind == QuestionKind.RATING,
                      SurveyAnswer.number.is_not(None)))
    if area_id:
        people = select(User.id).where(User.area_id == area_id)
        links = links.where(SurveyInvitation.account_manager_id.in_(people))
        ratings = ratings.where(SurveyInvitation.account_manager_id.in_(people))
    by_manager: dict[int | None, list[int]] = {}
    for manager_id, number in db.session.execute(ratings):
        by_manager.setdefault(manager_id, []).append(number)
    counts = db.session.execute(links).all()
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_([c[0] for c in counts if c[0]]))).all())
    out = [ManagerResult(names.get(manager_id, "—"), n, answered,
                         average(by_manager.get(manager_id, [])),
                         csat(by_manager.get(manager_id, [])))
           for manager_id, n, answered in counts]
    return sorted(out, key=lambda r: r.name)


def names_for_export(survey: Survey, responses: list[SurveyResponse]) -> dict[int, str]:
    """Names for the CSV: respondents of a named staff survey, or customers; none if anonymous."""
    if survey.anonymous:
        return {}
    if survey.is_staff:
        ids = {r.respondent_id for r in responses if r.respondent_id}
        return dict(db.session.execute(select(User.id, User.display_name)
                                       .where(User.id.in_(ids))).all())
    ids = {r.invitation.customer_id for r in responses if r.invitation}
    return dict(db.session.execute(select(Customer.id, Customer.name)
                                   .where(Customer.id.in_(ids))).all())

