"""Demo surveys: an anonymous staff survey most people answered, a named draft, a closed
company-wide customer survey with answers and an open one for area A01."""
import random
import secrets
from datetime import date, datetime, time, timedelta

from portal.demo import DemoContext, demo_customers, seeder
from portal.extensions import db
from portal.models import Role
from portal.models.customers import Customer
from portal.models.feedback import (QuestionKind, Survey, SurveyAnswer, SurveyAudience,
                                    SurveyInvitation, SurveyParticipation, SurveyQuestion,
                                    SurveyResponse, SurveyStatus)

STAFF_TEXTS = ["希望多安排产品培训。", "团队氛围很好。", "希望流程再简化一些。",
               "希望激励政策更透明。", "CRM 录入太繁琐。"]
CUSTOMER_TEXTS = ["客户经理响应很及时，点赞！", "希望账单更清楚易懂。", "网络稳定性还需提高。",
                  "上门服务很专业。"]


@seeder(71)
def seed_surveys(ctx: DemoContext) -> None:
    """Staff and customer surveys for the demo company."""
    rng = random.Random(20261127)
    _seed_staff_surveys(ctx, rng)
    _seed_customer_surveys(ctx, rng, demo_customers(ctx, rng))
    db.session.flush()


def _questions(specs) -> list[SurveyQuestion]:
    return [SurveyQuestion(position=i, kind=kind, text=text, required=required, options=options)
            for i, (kind, text, required, options) in enumerate(specs, start=1)]


def _response(survey: Survey, rng: random.Random, day: date, mood: float, **fields):
    """A random but plausible response (mood 0..1 leans the ratings up)."""
    response = SurveyResponse(id=f"{rng.getrandbits(128):032x}", survey=survey, submitted_on=day,
                              **fields)
    for q in survey.questions:
        if not q.required and rng.random() < 0.3:
            continue
        if q.kind == QuestionKind.RATING:
            value = dict(number=min(5, max(1, round(rng.gauss(2.6 + 2 * mood, 0.9)))))
        elif q.kind == QuestionKind.NPS:
            value = dict(number=min(10, max(0, round(rng.gauss(5 + 4.5 * mood, 1.8)))))
        elif q.kind == QuestionKind.SINGLE:
            value = dict(choices=[rng.randrange(len(q.options))])
        elif q.kind == QuestionKind.MULTIPLE:
            value = dict(choices=sorted(rng.sample(range(len(q.options)), rng.randint(1, 2))))
        else:
            value = dict(text=rng.choice(STAFF_TEXTS if survey.audience == SurveyAudience.STAFF
                                         else CUSTOMER_TEXTS))
        response.answers.append(SurveyAnswer(question=q, **value))
    db.session.add(response)
    return response


def _seed_staff_surveys(ctx: DemoContext, rng: random.Random) -> None:
    """An anonymous engagement survey answered by most staff, and a named draft."""
    hr, manager1 = ctx.users["hr"], ctx.users["manager1"]
    published = datetime.combine(ctx.today - timedelta(days=12), time(2))
    engagement = Survey(
        title="2026年第四季度员工敬业度调查", audience=SurveyAudience.STAFF, anonymous=True,
        status=SurveyStatus.PUBLISHED, created_by=hr, published_at=published,
        created_at=published - timedelta(days=3),
        description="本问卷匿名填写，结果仅以汇总形式呈现（每组至少5份答卷）。",
        questions=_questions([
            (QuestionKind.RATING, "总体而言，您对目前的工作满意吗？", True, []),
            (QuestionKind.NPS, "您向朋友推荐来公司工作的可能性有多大？", True, []),
            (QuestionKind.SINGLE, "您认为最需要加强的支持是？", True,
             ["产品培训", "销售工具", "团队协作", "激励政策"]),
            (QuestionKind.MULTIPLE, "您希望参加哪些培训？", False,
             ["产品知识", "市场分析", "销售技巧", "时间管理", "情绪管理"]),
            (QuestionKind.TEXT, "还有什么想对管理层说的？", False, []),
        ]))
    db.session.add(engagement)
    db.session.flush()
    staff = [u for u in ctx.users.values() if u.has_role(Role.STAFF)
             and u.username not in ("staff1",)]  # staff1 still has it waiting on the home page
    rng.shuffle(staff)
    for person in staff[: int(len(staff) * 0.75)]:
        db.session.add(SurveyParticipation(survey_id=engagement.id, user_id=person.id))
        _response(engagement, rng, published.date() + timedelta(days=rng.randint(0, 10)),
                  mood=rng.random(), area_id=person.area_id)
    db.session.add(Survey(
        title="培训需求调查（草稿）", audience=SurveyAudience.STAFF, anonymous=False,
        status=SurveyStatus.DRAFT, created_by=manager1, area=ctx.areas[0],
        questions=_questions([
            (QuestionKind.MULTIPLE, "下季度您最想参加的培训？", True,
             ["云服务产品", "大客户谈判", "CRM 使用", "情绪管理"]),
            (QuestionKind.TEXT, "其他建议", False, []),
        ])))


CUSTOMER_QUESTIONS = [
    (QuestionKind.RATING, "您对客户经理的服务满意吗？", True, []),
    (QuestionKind.RATING, "您对网络与产品质量满意吗？", True, []),
    (QuestionKind.NPS, "您向同行推荐我们的可能性有多大？", True, []),
    (QuestionKind.SINGLE, "您更希望通过哪种方式与我们联系？", False, ["电话", "微信", "上门拜访", "邮件"]),
    (QuestionKind.TEXT, "您的意见和建议", False, []),
]


def _seed_customer_surveys(ctx: DemoContext, rng: random.Random,
                           customers: list[Customer]) -> None:
    """A closed company-wide customer survey with answers, and an open one for area A01."""
    users = {u.id: u for u in ctx.users.values()}
    closed_at = datetime.combine(ctx.today - timedelta(days=20), time(9))
    q3 = Survey(title="2026年第三季度客户满意度回访", audience=SurveyAudience.CUSTOMER,
                status=SurveyStatus.CLOSED, created_by=ctx.users["hr"],
                published_at=closed_at - timedelta(days=30), closed_at=closed_at,
                created_at=closed_at - timedelta(days=33),
                expires_on=closed_at.date(), description="感谢您抽出两分钟时间评价我们的服务。",
                questions=_questions(CUSTOMER_QUESTIONS))
    db.session.add(q3)
    manager_mood = {uid: rng.random() for uid in users}
    for customer in customers:
        invitation = SurveyInvitation(survey=q3, customer_id=customer.id,
                                      account_manager_id=customer.account_manager_id,
                                      token=secrets.token_urlsafe(24))
        db.session.add(invitation)
        if rng.random() < 0.7:
            answered = closed_at - timedelta(days=rng.randint(1, 28), hours=rng.randint(0, 8))
            invitation.answered_at = answered
            manager = users.get(customer.account_manager_id)
            _response(q3, rng, answered.date(), manager_mood.get(customer.account_manager_id, .5),
                      invitation=invitation, area_id=manager.area_id if manager else None)
    east = ctx.areas[0]
    open_survey = Survey(title="11月城东营业区客户回访", audience=SurveyAudience.CUSTOMER,
                         status=SurveyStatus.PUBLISHED, created_by=ctx.users["manager1"],
                         area=east, published_at=datetime.combine(ctx.today - timedelta(days=5),
                                                                  time(2)),
                         created_at=datetime.combine(ctx.today - timedelta(days=6), time(2)),
                         expires_on=ctx.today + timedelta(days=25),
                         questions=_questions(CUSTOMER_QUESTIONS[:3]))
    db.session.add(open_survey)
    for customer in customers:
        if customer.area_id != east.id:
            continue
        invitation = SurveyInvitation(survey=open_survey, customer_id=customer.id,
                                      account_manager_id=customer.account_manager_id,
                                      token=secrets.token_urlsafe(24))
        db.session.add(invitation)
        if rng.random() < 0.3:
            answered = datetime.combine(ctx.today - timedelta(days=rng.randint(0, 4)), time(3))
            invitation.answered_at = answered
            manager = users.get(customer.account_manager_id)
            _response(open_survey, rng, answered.date(),
                      manager_mood.get(customer.account_manager_id, .5), invitation=invitation,
                      area_id=manager.area_id if manager else None)
