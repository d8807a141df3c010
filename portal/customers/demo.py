"""Demo data of the customers and targets modules: customers in both areas with contacts, owners
over time, a year of sales, monthly targets, visits and service duties."""
import random
from datetime import date, timedelta
from decimal import Decimal

from portal.customers.services import add_months
from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models import Role
from portal.models.customers import (Customer, CustomerAssignment, CustomerContact,
                                     CustomerStatus, Tier, Visit, VisitCadence, VisitMethod)
from portal.models.sales import SalesRecord, SalesTarget, ServiceDuty, TargetStatus

PLACES = ["华信", "恒达", "远航", "金桥", "东方", "瑞丰", "新世纪", "长城", "鸿运", "嘉禾", "蓝天",
          "中和", "宏图", "汇通", "博雅", "天成", "明珠", "锦程", "安泰", "海润"]
KINDS = ["科技有限公司", "物流有限公司", "制造有限公司", "商贸有限公司", "医院", "中学",
         "酒店管理有限公司", "餐饮连锁", "建设集团", "街道办事处"]
INDUSTRIES = {"科技有限公司": "信息技术", "物流有限公司": "物流", "制造有限公司": "制造业",
              "商贸有限公司": "批发零售", "医院": "医疗卫生", "中学": "教育",
              "酒店管理有限公司": "住宿餐饮", "餐饮连锁": "住宿餐饮", "建设集团": "建筑业",
              "街道办事处": "公共管理"}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"]
TITLES = ["总经理", "采购经理", "IT主管", "行政主管", "财务总监", "办公室主任"]
STREETS = ["人民路", "解放大道", "中山路", "建设街", "和平路", "新华路"]
NOTES = ["介绍新套餐，客户有兴趣", "回访网络质量，反馈良好", "商谈专线扩容", "续约沟通，需报价",
         "处理账单疑问", "了解明年预算"]
PREFERENCES = ["偏好微信沟通，上午联系", "重视价格，决策需总部批准", "看重服务响应速度",
               "希望每季度上门一次"]
NEEDS = ["办公网络升级", "分支机构互联", "移动办公套餐", "视频监控上云", "数据备份"]
TIER_CYCLE = [Tier.A, Tier.B, Tier.C, Tier.B, Tier.C, Tier.C]
#: Monthly purchase probability and amount range (yuan) per tier.
PROFILE = {Tier.A: (0.9, 30000, 90000), Tier.B: (0.6, 8000, 30000), Tier.C: (0.35, 1000, 9000)}


GIFTS = ["普洱茶", "书籍", "水果礼盒", "不收礼品", "咖啡"]
CONTACT_TIMES = ["工作日上午", "午休后", "周末勿扰", "下班前半小时"]


def _care_details(today, area_index: int, n: int, c: int) -> dict:
    """Birthdays and care preferences for the primary contacts of every third customer (no random
    draw, so the rest of the demo stays as it was); the east district's first customer's contact
    has a birthday in three days, for the care reminder."""
    if c or n % 3:
        return {}
    if area_index == 0 and n == 0:
        soon = today + timedelta(days=3)
        born = date(1975, soon.month, min(soon.day, 28) if soon.month == 2 else soon.day)
    else:
        born = date(1960 + n % 30, 1 + n % 12, 1 + n % 28)
    return {"birthday": born, "gift_preference": GIFTS[n % len(GIFTS)],
            "contact_time": CONTACT_TIMES[n % len(CONTACT_TIMES)]}


@seeder(20)
def seed_customers(ctx: DemoContext) -> None:
    """Customers, owners, contacts, a year of sales, targets, visits and duties."""
    rng = random.Random(20261126)
    today = ctx.today
    db.session.add_all(VisitCadence(tier=t, interval_months=m)
                       for t, m in ((Tier.A, 1), (Tier.B, 3), (Tier.C, 6)))
    manager_of = {area.id: area.head for area in ctx.areas}
    year_ago = add_months(today.replace(day=1), -11)
    for index, area in enumerate(ctx.areas):
        # The demo accounts (staff1, staff2, staff3) first, so they get the most varied book.
        staff = sorted(ctx.staff_of(area), key=lambda u: (not u.username.startswith("staff"),
                                                          u.username))
        for n in range(40):
            owner = staff[n % len(staff)]
            tier = TIER_CYCLE[(2 * (n // len(staff)) + n % len(staff)) % len(TIER_CYCLE)]
            kind = rng.choice(KINDS)
            name = f"{rng.choice(PLACES)}{kind}" if n >= len(PLACES) else f"{PLACES[n]}{kind}"
            customer = Customer(
                code=f"{area.code}-{n + 1:03d}", name=f"{area.name[:2]}{name}",
                type=ctx.customer_types[(0 if tier == Tier.A else rng.randrange(1, 4))],
                industry=INDUSTRIES[kind], address=f"{area.name[:2]}{rng.choice(STREETS)}{rng.randint(1, 300)}号",
                preferences=rng.choice(PREFERENCES), needs=rng.choice(NEEDS),
                status=CustomerStatus.ACTIVE if n % 13 else CustomerStatus.DORMANT,
                area=area, tier=tier if n % 11 else None,
                potential=3 if tier == Tier.A else rng.randint(1, 3))
            db.session.add(customer)
            first_owner = owner
            # Every eighth customer changed hands four months ago: its older sales stay with
            # the previous account manager.
            moved_on = None
            if n % 8 == 5:
                first_owner = staff[(n + 1) % len(staff)]
                moved_on = add_months(today, -4)
            customer.account_manager = owner
            customer.assignments.append(CustomerAssignment(account_manager=first_owner,
                                                           ends_on=moved_on))
            if moved_on:
                customer.assignments.append(CustomerAssignment(
                    account_manager=owner, starts_on=moved_on, assigned_by=manager_of[area.id],
                    note="客户经理岗位调整，已当面交接客户资料"))
            for c in range(1 + (tier == Tier.A)):
                customer.contacts.append(CustomerContact(
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]),
                    title=rng.choice(TITLES), phone=f"139{rng.randint(10000000, 99999999)}",
                    wechat=f"wx_{area.code.lower()}_{n}_{c}", is_primary=c == 0,
                    **_care_details(today, index, n, c)))
            db.session.flush()
            chance, low, high = PROFILE[tier or Tier.C]
            for m in range(12):
                month = add_months(year_ago, m)
                if rng.random() > chance or month > today:
                    continue
                last_day = min(today, add_months(month, 1) - timedelta(days=1))
                sold_on = month + timedelta(days=rng.randint(0, (last_day - month).days))
                db.session.add(SalesRecord(
                    customer_id=customer.id, product_line=rng.choice(ctx.product_lines),
                    sold_on=sold_on, amount=Decimal(rng.randint(low, high) * 10) / 10,
                    reference=f"INV-{area.code}-{n:03d}-{m:02d}"))
            _visits(rng, customer, owner, tier, today)
        _targets(rng, staff, area, today, manager_of[area.id], ctx.product_lines)
    _duties()
    db.session.flush()


def _visits(rng, customer, owner, tier, today) -> None:
    """Done visits of the last six months at roughly the tier's cadence, and the next one."""
    if tier is None:
        return
    every = {Tier.A: 30, Tier.B: 90, Tier.C: 180}[tier]
    day = today - timedelta(days=180) + timedelta(days=rng.randint(0, min(every, 60)))
    last = None
    while day < today:
        if rng.random() < 0.85:
            db.session.add(Visit(customer_id=customer.id, account_manager_id=owner.id,
                                 planned_on=day, done_on=day + timedelta(days=rng.choice([0, 0, 1, 3])),
                                 method=rng.choice(list(VisitMethod)), purpose="例行拜访",
                                 notes=rng.choice(NOTES)))
            last = day
        day += timedelta(days=every)
    planned = (last + timedelta(days=every)) if last else today
    if rng.random() < 0.15:
        planned = today - timedelta(days=rng.randint(2, 20))  # a few overdue
    db.session.add(Visit(customer_id=customer.id, account_manager_id=owner.id,
                         planned_on=max(planned, today - timedelta(days=25)), from_plan=True,
                         method=VisitMethod.ON_SITE, purpose="按等级周期拜访"))


def _targets(rng, staff, area, today, manager, lines) -> None:
    """Monthly targets for the last twelve months and this quarter; past ones approved."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    first = add_months(today.replace(day=1), -11)
    last = add_months(quarter_start, 2)
    for person in staff:
        base = rng.choice([30000, 40000, 50000])
        month = first
        while month <= last:
            approved = month < quarter_start
            status = TargetStatus.APPROVED if approved else TargetStatus.DRAFT
            amount = Decimal(base + rng.randint(-1, 3) * 5000)
            db.session.add(SalesTarget(user_id=person.id, month=month, amount=amount,
                                       status=status, approved_by_id=manager.id if approved else None))
            if month >= quarter_start:
                # This quarter is also split by product line (the overall row stays the total).
                shares = [rng.randint(1, 4) for _ in lines]
                parts = [(amount * share / sum(shares)).quantize(Decimal("1")) for share in shares]
                parts[-1] = amount - sum(parts[:-1])
                db.session.add_all(SalesTarget(user_id=person.id, month=month, amount=part,
                                               product_line_id=line.id, status=status)
                                   for line, part in zip(lines, parts))
            month = add_months(month, 1)


def _duties() -> None:
    """The duties of account managers."""
    db.session.add_all([
        ServiceDuty(name="A类客户每月拜访", name_en="Visit every A-tier customer monthly",
                    role=Role.STAFF.value, kind="visit_tier_cadence", tier="A",
                    expected_percent=Decimal("100")),
        ServiceDuty(name="B类客户每季度拜访", name_en="Visit every B-tier customer quarterly",
                    role=Role.STAFF.value, kind="visit_tier_cadence", tier="B",
                    expected_percent=Decimal("90")),
        ServiceDuty(name="计划拜访按时完成（3天内）", name_en="Planned visits done within 3 days",
                    role=Role.STAFF.value, kind="visit_plan_on_time", parameter=3,
                    expected_percent=Decimal("90")),
        ServiceDuty(name="投诉3天内处理完毕", name_en="Close complaints within 3 days",
                    role=Role.STAFF.value, kind="complaints_closed_on_time", parameter=3,
                    expected_percent=Decimal("95")),
    ])
