"""Demo careers: the account-manager ladder and plans with goals, milestones and reviews."""
import random
from datetime import timedelta

from sqlalchemy import select

from portal.careers.services import snapshot
from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models.careers import (CareerGoal, CareerLevel, CareerMilestone, CareerPlan,
                                   CareerReview, GoalStatus, Readiness)
from portal.models.training import Course

LADDER = [
    ("AM1", "初级客户经理", "Junior account manager",
     "在指导下维护分配的客户\n按计划完成月度拜访\n熟练使用CRM系统记录拜访与商机"),
    ("AM2", "中级客户经理", "Intermediate account manager",
     "独立维护A、B类客户\n连续两个季度完成销售指标\n能独立处理一般投诉"),
    ("AM3", "高级客户经理", "Senior account manager",
     "负责重点大客户与复杂方案\n带教一名初级客户经理\n参与区域市场分析与策略制定"),
    ("AM4", "资深客户经理", "Principal account manager",
     "牵头跨部门大项目\n在营业区内推广最佳实践\n可胜任营业区经理的后备人选"),
]
PLANS = {
    "staff1": (0, 1, 18, "沟通能力强，客户关系维护细致", "方案撰写与大客户谈判",
               Readiness.ONE_TWO_YEARS, "今年进步明显，建议多参与政企项目。",
               [("拿下三家中小企业的云服务订单", GoalStatus.IN_PROGRESS, 40,
                 ["完成目标客户清单", "每家客户完成两次深度拜访", "提交解决方案"]),
                ("考取云服务销售认证", GoalStatus.PLANNED, 0, ["报名考试", "完成在线课程"])],
               ["云服务解决方案入门", "大客户谈判实战"]),
    "staff2": (1, 2, 24, "业绩稳定，熟悉区域市场", "带教新人与时间管理",
               Readiness.READY_NOW, "已具备高级客户经理的能力，建议下一次晋升评审提名。",
               [("带教一名新入职客户经理", GoalStatus.IN_PROGRESS, 60,
                 ["制定带教计划", "每周一次复盘"])],
               ["时间管理与高效工作"]),
    "staff3": (0, 1, 12, "学习能力强", "产品知识与投诉处理",
               Readiness.NOT_YET, "先打牢产品基础。",
               [("通过5G与宽带产品知识考核", GoalStatus.DONE, 100, ["参加培训", "通过考核"])],
               ["客户投诉处理规范"]),
}


@seeder(45)
def seed_careers(ctx: DemoContext) -> None:
    """The ladder, and plans for the demo account managers with one review each."""
    rng = random.Random(4545)
    levels = [CareerLevel(code=c, name=n, name_en=e, rank=i, expectations=x)
              for i, (c, n, e, x) in enumerate(LADDER, start=1)]
    db.session.add_all(levels)
    courses = {c.title: c for c in db.session.scalars(select(Course))}
    people = dict(PLANS)
    for username in [u for u in ctx.users if u.startswith(("a01-am0", "a02-am0"))][:8]:
        people[username] = (rng.choice([0, 0, 1]), None, rng.choice([12, 18, 24]),
                            "客户关系稳定", "产品知识与方案能力", rng.choice(list(Readiness)),
                            "", [("完成本年度必修课程", GoalStatus.IN_PROGRESS,
                                  rng.choice([20, 50, 80]), ["完成产品知识培训"])], [])
    for username, (cur, target, horizon, strengths, develop, readiness, comment, goals,
                   linked) in people.items():
        user = ctx.users[username]
        plan = CareerPlan(user=user, current_level=levels[cur],
                          target_level=levels[target if target is not None else cur + 1],
                          horizon_months=horizon, strengths=strengths,
                          development_areas=develop, readiness=readiness,
                          manager_comment=comment,
                          next_review_on=ctx.today + timedelta(days=rng.randint(-10, 120)))
        for i, (title, status, progress, steps) in enumerate(goals):
            goal = CareerGoal(title=title, status=status, progress=progress,
                              due_on=ctx.today + timedelta(days=60 + 45 * i))
            goal.milestones = [CareerMilestone(title=s, due_on=ctx.today + timedelta(days=20 * (j + 1)),
                                               done=status == GoalStatus.DONE or j == 0 and progress > 30)
                               for j, s in enumerate(steps)]
            plan.goals.append(goal)
        plan.courses = [courses[t] for t in linked if t in courses]
        db.session.add(plan)
        db.session.flush()
        review = CareerReview(plan=plan, reviewed_on=ctx.today - timedelta(days=rng.randint(30, 150)),
                              reviewer=user.manager, note="半年回顾：目标清晰，按计划推进。",
                              snapshot=snapshot(plan))
        db.session.add(review)
    db.session.flush()
