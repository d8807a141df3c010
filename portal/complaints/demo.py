"""Demo data of the feedback module: complaints in every state, staff surveys (one anonymous and
answered, one draft) and customer surveys (one closed with answers, one open)."""
import random
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from portal.complaints.services import change_status, due_at
from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models import Role
from portal.models.customers import Customer
from portal.models.feedback import (Complaint, ComplaintCategory, ComplaintChannel,
                                    ComplaintEvent, ComplaintStatus, QuestionKind, Severity,
                                    Survey, SurveyAnswer, SurveyAudience, SurveyInvitation,
                                    SurveyParticipation, SurveyQuestion, SurveyResponse,
                                    SurveyStatus)

S = ComplaintStatus
SUBJECTS = [
    ("宽带晚高峰频繁掉线", ComplaintCategory.QUALITY, "客户反映最近两周每天晚上八点后宽带多次断线，影响视频会议。"),
    ("本月账单多收专线费用", ComplaintCategory.BILLING, "客户对账发现十月份专线费用重复计收一次，要求退还。"),
    ("装机人员未按约定时间上门", ComplaintCategory.SERVICE, "约定上午十点上门安装，实际下午三点才到，客户不满。"),
    ("云服务器控制台无法登录", ComplaintCategory.PRODUCT, "客户财务系统所在云主机控制台登录报错，已持续半天。"),
    ("客服热线态度生硬", ComplaintCategory.STAFF, "客户致电热线咨询套餐变更，认为接线员解释不耐烦。"),
    ("物联网卡流量异常扣费", ComplaintCategory.BILLING, "一批物联网卡出现异常流量，客户质疑计费准确性。"),
    ("移动信号在新办公楼很弱", ComplaintCategory.QUALITY, "客户搬入新办公楼后，地下一层和会议室几乎没有信号。"),
    ("套餐变更未及时生效", ComplaintCategory.SERVICE, "客户申请的套餐升级三天后仍未生效。"),
    ("发票开具信息有误", ComplaintCategory.BILLING, "增值税发票抬头错误，客户要求重开。"),
    ("专线故障修复时间过长", ComplaintCategory.QUALITY, "专线中断后修复用时超过承诺时限，客户要求说明。"),
]
RESOLUTIONS = ["已安排工程师现场排查并更换设备，客户确认恢复正常。",
               "核实后已退还多收费用，并向客户致歉。",
               "已调整网络参数并持续观察一周，未再出现问题。",
               "已与客户沟通并给予当月费用减免。"]
NOTES = ["已电话联系客户，说明处理进度。", "已派单给网络维护班组。", "客户同意周五上门检查。",
         "等待厂商回复。"]


STAFF_TEXTS = ["希望多安排产品培训。", "团队氛围很好。", "希望流程再简化一些。",
               "希望激励政策更透明。", "CRM 录入太繁琐。"]
CUSTOMER_TEXTS = ["客户经理响应很及时，点赞！", "希望账单更清楚易懂。", "网络稳定性还需提高。",
                  "上门服务很专业。"]


def _customers(ctx: DemoContext, rng: random.Random) -> list[Customer]:
    """The demo customers (from the customers module's seeder), or a few of our own if none."""
    customers = db.session.scalars(select(Customer).order_by(Customer.id)).all()
    if customers:
        return list(customers)
    names = ["东湖大酒店", "城东实验中学", "恒通物流有限公司", "新华书店城西店", "瑞丰制药",
             "西城区人民医院", "万达广场物业", "星河科技园"]
    made = []
    for i, name in enumerate(names):
        area = ctx.areas[i % 2]
        staff = ctx.staff_of(area)
        customer = Customer(code=f"FBD{i + 1:03d}", name=name, area_id=area.id,
                            account_manager_id=rng.choice(staff).id)
        db.session.add(customer)
        made.append(customer)
    db.session.flush()
    return made


@seeder(70)
def seed_feedback(ctx: DemoContext) -> None:
    """Complaints and surveys for the demo company."""
    rng = random.Random(20261126)
    customers = _customers(ctx, rng)
    _seed_complaints(ctx, rng, customers)
    _seed_staff_surveys(ctx, rng)
    _seed_customer_surveys(ctx, rng, customers)
    db.session.flush()


def _seed_complaints(ctx: DemoContext, rng: random.Random, customers: list[Customer]) -> None:
    """About forty complaints over six months, in every state, a few overdue."""
    users = {u.id: u for u in ctx.users.values()}
    owned = [c for c in customers if c.account_manager_id in users]
    # staff1 and staff2 get some of their own so their pages are not empty
    favourites = [c for c in owned if users[c.account_manager_id].username in ("staff1", "staff2",
                                                                                "staff3")]
    now = datetime.combine(ctx.today, time(0))
    plan = ([S.CLOSED] * 22 + [S.RESOLVED] * 4 + [S.IN_PROGRESS] * 6 + [S.NEW] * 5
            + [S.REOPENED] * 3)
    for i, final in enumerate(plan):
        customer = rng.choice(favourites if favourites and i % 3 == 0 else owned)
        manager = users[customer.account_manager_id]
        subject, category, description = rng.choice(SUBJECTS)
        severity = rng.choice([Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH,
                               Severity.CRITICAL])
        if final == S.NEW:
            age_days = rng.randint(0, 4)
        elif final == S.CLOSED:
            age_days = rng.randint(3, 330)
        else:
            age_days = rng.randint(2, 25)
        received = now - timedelta(days=age_days, hours=rng.randint(0, 9))
        complaint = Complaint(
            customer_id=customer.id, account_manager_id=manager.id, owner_id=manager.id,
            area_id=manager.area_id or customer.area_id, channel=rng.choice(list(ComplaintChannel)),
            category=category, severity=severity, subject=subject, description=description,
            status=S.NEW, received_at=received, due_at=due_at(received, severity),
            created_by_id=manager.id, created_at=received)
        complaint.events.append(ComplaintEvent(kind="created", to_status="new", at=received,
                                               author_id=manager.id))
        db.session.add(complaint)
        moment = received
        # most complaints are closed within their deadline, some late
        allowed = (complaint.due_at - received).total_seconds() / 3600
        budget = allowed * rng.choice([0.3, 0.5, 0.7, 0.9, 0.9, 1.4])

        def step(to, **kwargs):
            nonlocal moment
            moment = min(moment + timedelta(hours=budget * rng.uniform(0.2, 0.33)), now)
            change_status(complaint, to, manager.id, now=moment, **kwargs)

        if final == S.NEW:
            continue
        step(S.IN_PROGRESS, note=rng.choice(NOTES))
        if rng.random() < 0.5:
            complaint.events.append(ComplaintEvent(kind="note", note=rng.choice(NOTES),
                                                   author_id=manager.id,
                                                   at=moment + timedelta(hours=1)))
        if final == S.IN_PROGRESS:
            continue
        step(S.RESOLVED, resolution=rng.choice(RESOLUTIONS))
        if final == S.RESOLVED:
            continue
        if final == S.REOPENED:
            step(S.CLOSED, satisfaction=rng.choice([2, 3]))
            step(S.REOPENED, note="客户反映问题再次出现。")
            continue
        step(S.CLOSED, satisfaction=rng.choices([5, 4, 3, 2, 1], [40, 35, 15, 7, 3])[0])


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
