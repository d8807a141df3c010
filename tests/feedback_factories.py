"""Builders of surveys and complaints for the feedback tests; each returns the flushed object."""
from portal.extensions import db
from portal.models import utcnow
from portal.models.feedback import (QuestionKind, Survey, SurveyAudience, SurveyQuestion,
                                    SurveyStatus)


def make_survey(created_by, area=None, audience=SurveyAudience.STAFF, anonymous=False,
                status=SurveyStatus.PUBLISHED, title="员工满意度调查", questions=None,
                expires_on=None) -> Survey:
    """A survey with a rating, an NPS, a single, a multiple and a text question by default."""
    survey = Survey(title=title, audience=audience, anonymous=anonymous, status=status,
                    area=area, created_by=created_by, expires_on=expires_on,
                    published_at=utcnow() if status != SurveyStatus.DRAFT else None)
    specs = questions if questions is not None else [
        (QuestionKind.RATING, "总体满意度", True, []),
        (QuestionKind.NPS, "您向朋友推荐的可能性", True, []),
        (QuestionKind.SINGLE, "最常用的渠道", False, ["电话", "微信", "上门"]),
        (QuestionKind.MULTIPLE, "需要改进的方面", False, ["响应速度", "专业水平", "态度"]),
        (QuestionKind.TEXT, "其他建议", False, []),
    ]
    survey.questions = [SurveyQuestion(position=i, kind=k, text=t, required=r, options=o)
                        for i, (k, t, r, o) in enumerate(specs, start=1)]
    db.session.add(survey)
    db.session.flush()
    return survey


def answer_form(survey: Survey, rating=4, nps=9, single="1", multiple=("0", "2"), text="很好"):
    """Posted form data answering the default questions of make_survey."""
    data = {}
    for q in survey.questions:
        name = f"q{q.id}"
        value = {QuestionKind.RATING: rating, QuestionKind.NPS: nps, QuestionKind.SINGLE: single,
                 QuestionKind.MULTIPLE: list(multiple), QuestionKind.TEXT: text}[q.kind]
        if value is not None:
            data[name] = value if isinstance(value, list) else str(value)
    return data


_codes = iter(range(1, 10**6))


def make_customer(account_manager, name=None, area=None):
    """A customer of this account manager (in their area)."""
    from portal.models.customers import Customer

    n = next(_codes)
    customer = Customer(code=f"FB{n:05d}", name=name or f"测试客户{n}",
                        area_id=(area or account_manager.area).id,
                        account_manager_id=account_manager.id)
    db.session.add(customer)
    db.session.flush()
    return customer


def make_complaint(customer, owner=None, severity="medium", status="new", received_at=None,
                   closed_at=None, satisfaction=None, subject="网络经常中断"):
    """A complaint about this customer, owned by its account manager unless told otherwise."""
    from portal.complaints.services import due_at
    from portal.models.feedback import Complaint, ComplaintEvent, Severity

    received = received_at or utcnow()
    owner = owner or customer.account_manager
    complaint = Complaint(customer_id=customer.id, account_manager_id=customer.account_manager_id,
                          owner_id=owner.id, area_id=owner.area_id, channel="phone",
                          category="quality", severity=Severity(severity), subject=subject,
                          description="客户反映问题", status=status, received_at=received,
                          due_at=due_at(received, Severity(severity)), closed_at=closed_at,
                          satisfaction=satisfaction)
    complaint.events.append(ComplaintEvent(kind="created", to_status="new", at=received))
    db.session.add(complaint)
    db.session.flush()
    return complaint
