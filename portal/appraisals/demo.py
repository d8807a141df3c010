"""Demo data: a template, a closed cycle last quarter and an open one with appraisals in every state."""
import random
from datetime import date, timedelta

from portal.appraisals import workflow
from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models.appraisals import (AppraisalCycle, AppraisalStatus as S, AppraisalTemplate,
                                      CycleStatus, FigureSource as F, IndicatorKind,
                                      TemplateIndicator)

Q, L = IndicatorKind.QUANTITATIVE, IndicatorKind.QUALITATIVE
#: section, section_en, name, name_en, kind, source, weight, thresholds for 5/4/3/2
INDICATORS = [
    ("业绩", "Results", "销售目标达成率", "Sales target attainment", Q, F.ATTAINMENT, 30,
     [110, 100, 90, 80]),
    ("业绩", "Results", "新客户开发", "New customers won", Q, F.NEW_CUSTOMERS, 10, [6, 4, 2, 1]),
    ("业绩", "Results", "新产品线销售", "New product lines sold", Q, F.NEW_PRODUCT_LINES, 5,
     [3, 2, 1, 0.5]),
    ("客户", "Customers", "客户满意度", "Customer satisfaction", Q, F.SATISFACTION, 15,
     [4.5, 4, 3.5, 3]),
    ("客户", "Customers", "服务职责履行率", "Service-duty fulfilment", Q, F.DUTY_FULFILMENT, 10,
     [100, 95, 90, 80]),
    ("成长", "Development", "培训合规率", "Training compliance", Q, F.TRAINING_COMPLIANCE, 10,
     [100, 90, 80, 70]),
    ("能力与态度", "Skills and attitude", "专业知识与产品掌握", "Product and professional knowledge",
     L, None, 10, None),
    ("能力与态度", "Skills and attitude", "沟通协作与团队精神", "Communication and teamwork",
     L, None, 10, None),
]
SELF_COMMENTS = ["本季度重点维护了大客户关系，完成了两次产品推介会。",
                 "新客户拓展比预期慢，下季度会加强陌生拜访。",
                 "积极参加了培训，对云服务产品更熟悉了。"]
MANAGER_COMMENTS = ["客户关系维护扎实，跨部门协作积极。建议加强新产品线的推广。",
                    "整体表现稳定，但拜访计划执行不够及时，需要提高时间管理能力。",
                    "业绩突出，能主动分享经验，可以考虑承担带教新人的任务。"]
PLANS = ["1. 每周至少拜访三家A类客户；2. 完成云服务进阶培训；3. 每月与经理复盘一次。",
         "1. 制定新客户开发清单并每两周更新；2. 参加时间管理培训；3. 下季度新增客户不少于4家。"]
ACK_COMMENTS = ["同意评估结果，会按改进计划执行。", "基本同意，希望下季度能得到更多资源支持。",
                "对客户满意度的评分有不同看法，部分投诉并非本人负责的客户。"]


def _quarter(day: date) -> tuple[date, date]:
    """The first and last day of the quarter containing the day."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + 2
    end = (date(day.year + (end_month == 12), 1 if end_month == 12 else end_month + 1, 1)
           - timedelta(days=1))
    return start, end


def _advance(appraisal, target: S, rng: random.Random, hr, today: date) -> None:
    """Take an appraisal through the workflow up to the target step."""
    order = list(S)
    if order.index(target) > order.index(S.SELF_ASSESSMENT):
        scores = {r.indicator_id: rng.randint(3, 5) for r in appraisal.scores
                  if r.indicator.kind == L}
        workflow.save_self(appraisal, scores, rng.choice(SELF_COMMENTS), submit=True)
    if order.index(target) > order.index(S.MANAGER_REVIEW):
        scores = {r.indicator_id: rng.randint(3, 5) for r in appraisal.scores
                  if r.indicator.kind == L or r.figure_score is None}
        workflow.save_review(appraisal, scores, rng.choice(MANAGER_COMMENTS), submit=True)
    if order.index(target) > order.index(S.FEEDBACK):
        workflow.save_feedback(appraisal, today - timedelta(days=rng.randint(3, 20)),
                               rng.choice(PLANS), submit=True)
    if order.index(target) > order.index(S.ACKNOWLEDGEMENT):
        agrees = rng.random() < 0.8
        workflow.acknowledge(appraisal, agrees, ACK_COMMENTS[2] if not agrees
                             else rng.choice(ACK_COMMENTS[:2]))
    if target == S.CLOSED:
        workflow.close(appraisal, hr)


@seeder(80)
def seed_appraisals(ctx: DemoContext) -> None:
    """A template, last quarter's cycle closed, this quarter's open with every state."""
    rng = random.Random(7)
    template = AppraisalTemplate(name="客户经理季度考核表", name_en="Account manager quarterly review",
                                 description="业绩、客户、成长与能力四个维度，权重合计100。",
                                 rating_thresholds=[90, 80, 70, 60])
    template.indicators = [
        TemplateIndicator(section=s, section_en=se, name=n, name_en=ne, kind=k, source=src,
                          weight=w, score_thresholds=t, position=10 * (i + 1))
        for i, (s, se, n, ne, k, src, w, t) in enumerate(INDICATORS)]
    db.session.add(template)
    hr = ctx.users["hr"]
    start, end = _quarter(ctx.today)
    last_start, last_end = _quarter(start - timedelta(days=1))

    def cycle(name, period_start, period_end):
        c = AppraisalCycle(name=name, period_start=period_start, period_end=period_end,
                           staff_template=template, status=CycleStatus.DRAFT)
        db.session.add(c)
        db.session.flush()
        workflow.open_cycle(c)
        db.session.flush()
        return c

    def label(day):
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"

    closed = cycle(label(last_start), last_start, last_end)
    for appraisal in closed.appraisals:
        _advance(appraisal, S.CLOSED, rng, hr, last_end + timedelta(days=10))
    workflow.close_cycle(closed)

    current = cycle(label(start), start, end)
    fixed = {"staff1": S.SELF_ASSESSMENT, "staff2": S.ACKNOWLEDGEMENT, "staff3": S.MANAGER_REVIEW}
    states = list(S)
    for i, appraisal in enumerate(sorted(current.appraisals, key=lambda a: a.user.username)):
        target = fixed.get(appraisal.user.username, states[i % len(states)])
        _advance(appraisal, target, rng, hr, ctx.today)
    db.session.flush()
