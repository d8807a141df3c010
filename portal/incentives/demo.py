"""Demo data of the incentives module: this year's pay rules, an approved month, awards and
team activities."""
import random
from datetime import date, timedelta
from decimal import Decimal

from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.incentives import services as pay
from portal.kernel import clock
from portal.kernel.periods import Period
from portal.models import Role
from portal.models.incentives import (AwardType, BandMultiplier, BasePay, CommissionRate,
                                      IncentiveSettings, Nomination, NominationStatus,
                                      PayRuleVersion, TeamActivity)

#: Product line code → tiers (from attainment %, rate %).
COMMISSION = {
    "BB": [("0", "1"), ("80", "2"), ("100", "3")],
    "MOB": [("0", "1.5")],
    "CLD": [("0", "2"), ("90", "3"), ("110", "4")],
    "IOT": [("0", "2")],
    "DL": [("0", "1")],
}
BAND_MULTIPLIERS = [("S", "1.5"), ("A", "1.2"), ("B", "1.0"), ("C", "0.5"), ("D", "0")]
ACTIVITIES = [
    ("秋季登山：白云山", "白云山景区", "大家一起爬到山顶，拍了合影。"),
    ("季度聚餐", "粤香楼", "庆祝季度目标达成。"),
    ("羽毛球友谊赛", "体育中心", "与城西营业区的友谊赛。"),
    ("敬老院志愿服务", "幸福里敬老院", "为老人讲解手机使用。"),
]


@seeder(90)
def seed_incentives(ctx: DemoContext) -> None:
    """Pay rules from January, the month before last approved, awards, activities."""
    rng = random.Random(8)
    year_start = date(ctx.today.year, 1, 1)
    version = PayRuleVersion(effective_from=year_start, base_bonus=Decimal("2000"),
                             note="年度薪酬方案")
    version.multipliers = [BandMultiplier(band=b, multiplier=Decimal(m))
                           for b, m in BAND_MULTIPLIERS]
    staff = [u for u in ctx.users.values() if u.has_role(Role.STAFF)]
    version.base_pays = [BasePay(user=u, monthly=Decimal(6000 + 500 * rng.randint(0, 6)))
                         for u in staff]
    lines = {pl.code: pl for pl in ctx.product_lines}
    version.commission_rates = [
        CommissionRate(product_line=lines[code], min_attainment=Decimal(low),
                       rate_percent=Decimal(rate))
        for code, tiers in COMMISSION.items() if code in lines for low, rate in tiers]
    db.session.add(version)
    db.session.add(IncentiveSettings(managers_see_reports=False))
    db.session.flush()

    two_months_ago = Period.month_of(ctx.today).shifted(-2)
    if two_months_ago.start >= year_start:
        pay.approve_period(two_months_ago, ctx.users["hr"].id)

    best = AwardType(name="年度最佳员工", name_en="Annual best employee")
    team = AwardType(name="团队奖", name_en="Team award", for_team=True)
    star = AwardType(name="月度之星", name_en="Monthly star")
    db.session.add_all([best, team, star])
    managers = {area.id: area.head for area in ctx.areas}
    month = Period.month_of(ctx.today)
    for i in range(3):
        month = month.shifted(-1)
        person = rng.choice(staff)
        db.session.add(Nomination(
            award_type=star, period=month.key, nominee=person,
            reason=f"{month.start.month}月销售额和客户满意度均列区内第一，主动分享大客户拜访经验。",
            nominated_by=managers.get(person.area_id), status=NominationStatus.WON,
            decided_by=ctx.users["hr"], decided_at=clock.utcnow() - timedelta(days=30 * i)))
    db.session.add(Nomination(
        award_type=best, period=str(ctx.today.year), nominee=ctx.users["staff1"],
        reason="全年目标达成率领先，新开拓云服务客户 6 家。", nominated_by=ctx.users["manager1"]))
    db.session.add(Nomination(
        award_type=team, period=str(ctx.today.year), area=ctx.areas[1],
        reason="投诉处理全部在 3 天内闭环，客户满意度提升明显。", nominated_by=ctx.users["manager2"]))

    for area in ctx.areas:
        for i, (title, place, notes) in enumerate(ACTIVITIES):
            db.session.add(TeamActivity(
                area=area, held_on=ctx.today - timedelta(days=20 + 35 * i + rng.randint(0, 9)),
                title=title, place=place, notes=notes, participants=rng.randint(8, 13),
                cost=Decimal(rng.randint(8, 40) * 100), created_by_id=area.head_id))
