"""Demo training: a catalogue, past and future sessions, attendance, results and feedback."""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models import Role
from portal.training.services import from_local
from portal.models.training import (Attendance, Course, CourseCategory, CourseMode, Enrolment,
                                    TrainingSession)

C = CourseCategory
M = CourseMode
#: title, category, hours, mode, provider, description, required roles
COURSES = [
    ("5G与宽带产品知识", C.PRODUCT, "6", M.CLASSROOM, "产品部",
     "5G套餐、千兆宽带与融合产品的卖点、资费与适用客户。", [Role.STAFF]),
    ("云服务解决方案入门", C.PRODUCT, "8", M.BLENDED, "政企事业部",
     "云主机、云存储与专线组合方案，附三个行业案例。", []),
    ("区域市场分析方法", C.MARKET, "4", M.CLASSROOM, "市场部",
     "如何读懂营业区的市场份额、竞争对手与客户分布。", []),
    ("顾问式销售技巧", C.SALES_SKILLS, "12", M.CLASSROOM, "外部：博思培训",
     "需求挖掘、方案呈现、异议处理与促成。", [Role.STAFF]),
    ("大客户谈判实战", C.SALES_SKILLS, "6", M.CLASSROOM, "外部：博思培训",
     "谈判准备、让步策略与合同要点。", []),
    ("CRM系统操作", C.CRM, "3", M.ONLINE, "信息技术部",
     "客户档案、拜访记录、商机与投诉在系统中的录入与查询。", [Role.STAFF, Role.MANAGER]),
    ("时间管理与高效工作", C.TIME_MANAGEMENT, "3", M.ONLINE, "人力资源部",
     "四象限法、周计划与拜访路线规划。", []),
    ("情绪管理与压力应对", C.EMOTION_MANAGEMENT, "4", M.CLASSROOM, "人力资源部",
     "面对投诉与业绩压力时的情绪调节方法。", [Role.STAFF]),
    ("团队辅导与绩效面谈", C.OTHER, "8", M.CLASSROOM, "人力资源部",
     "一对一沟通、目标设定与绩效反馈。", [Role.MANAGER]),
    ("客户投诉处理规范", C.OTHER, "2", M.ON_THE_JOB, "客户服务部",
     "投诉受理、升级时限与回访要求。", []),
]
PLACES = ["总部三楼培训室", "城东营业厅会议室", "城西营业厅会议室", "线上（腾讯会议）"]
TRAINERS = ["陈国华", "周丽", "孙建平", "博思培训 林老师", "吴敏"]
COMMENTS = ["案例很实用，回去就能用。", "内容偏多，希望多些练习时间。", "讲师讲得很清楚。",
            "建议增加行业案例。", "对日常拜访帮助很大。", ""]
#: Courses staff1 has completed (by title), so the demo shows partial compliance for them.
STAFF1_DONE = {"5G与宽带产品知识", "CRM系统操作"}


def _session(course, local_start: datetime, rng: random.Random, capacity: int) -> TrainingSession:
    """A session starting at this local time (stored in UTC)."""
    hours = min(Decimal(course.hours), Decimal(8))
    start = from_local(local_start)
    session = TrainingSession(course=course, starts_at=start,
                              ends_at=start + timedelta(hours=float(hours)),
                              place=rng.choice(PLACES), trainer=rng.choice(TRAINERS),
                              capacity=capacity, seats_taken=0)
    db.session.add(session)
    return session


@seeder(40)
def seed_training(ctx: DemoContext) -> None:
    """Ten courses; each with past sessions (attended, scored, rated) and one to come."""
    rng = random.Random(4040)
    staff = [u for u in ctx.users.values() if u.has_role(Role.STAFF)]
    managers = [u for u in ctx.users.values() if u.has_role(Role.MANAGER)]
    hr = ctx.users["hr"]
    certificate = 1000
    for index, (title, category, hours, mode, provider, description, roles) in enumerate(COURSES):
        course = Course(title=title, category=category, hours=Decimal(hours), mode=mode,
                        provider=provider, description=description)
        course.required_roles = roles
        db.session.add(course)
        audience = managers if roles == [Role.MANAGER] else staff + managers
        # Two past sessions: most of the audience has been through one of them.
        past_starts = [ctx.today - timedelta(days=300 - index * 11),
                       ctx.today - timedelta(days=90 - index * 5)]
        pool = list(audience)
        rng.shuffle(pool)
        if title in STAFF1_DONE:
            pool.sort(key=lambda u: u.username != "staff1")  # staff1 first, the rest shuffled
        for start_day in past_starts:
            session = _session(course, datetime.combine(start_day, time(9, 0)), rng, 30)
            takers = pool[: rng.randint(6, 12)] if len(pool) > 2 else pool
            pool = pool[len(takers):]
            for person in takers:
                if person.username == "staff1" and title not in STAFF1_DONE:
                    continue
                attended = person.username == "staff1" or rng.random() < 0.88
                enrolment = Enrolment(session=session, user=person,
                                      assigned_by=(person.manager or hr)
                                      if rng.random() < 0.6 else None,
                                      attendance=Attendance.ATTENDED if attended
                                      else Attendance.ABSENT)
                if attended:
                    enrolment.completed_on = session.ends_at.date()
                    enrolment.score = Decimal(rng.randint(68, 99))
                    certificate += 1
                    enrolment.certificate_no = f"PX{session.starts_at.year}-{certificate:05d}"
                    if rng.random() < 0.7:
                        enrolment.rating = rng.choice([3, 4, 4, 5, 5])
                        enrolment.feedback = rng.choice(COMMENTS)
                        enrolment.feedback_at = session.ends_at + timedelta(hours=2)
                session.seats_taken += 1
                db.session.add(enrolment)
        # One session to come; the sales-skills course is almost full, CRM is full.
        capacity = {3: 10, 5: 4}.get(index, 20)
        upcoming = _session(course, datetime.combine(
            ctx.today + timedelta(days=7 + index * 4), time(14, 0)), rng, capacity)
        wanted = {3: 9, 5: 4}.get(index, rng.randint(2, 6))
        for person in rng.sample(audience, min(wanted, len(audience))):
            db.session.add(Enrolment(session=upcoming, user=person,
                                     assigned_by=person.manager if rng.random() < 0.5 else None))
            upcoming.seats_taken += 1
    db.session.flush()
