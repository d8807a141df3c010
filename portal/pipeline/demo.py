"""Demo data of the pipeline: a living pipeline for every account manager: deals at every stage,
some stale, some won (with their sales) and some lost with reasons and competitors."""
import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.demo import DemoContext, demo_customers, seeder
from portal.extensions import db
from portal.models import Role
from portal.models.pipeline import (LOST, OPEN, WON, Competitor, LossReason, Opportunity,
                                    OpportunityEvent, OpportunityLine, OpportunitySale,
                                    PipelineStage)
from portal.models.sales import SalesRecord
from portal.pipeline.services import ensure_default_stages

COMPETITORS = ["华通网络", "讯联科技", "云启数据", "联信通信"]
TITLES = ["{line}升级", "{line}新签", "{line}扩容", "{line}续约", "总部{line}项目"]
SOURCES = ["客户来电", "上门拜访", "老客户推荐", "展会", "官网咨询"]
STEPS = ["发送报价单", "约技术交流", "确认预算", "安排演示", "商务谈判"]


@seeder(60)
def seed_pipeline(ctx: DemoContext) -> None:
    rng = random.Random(21)
    ensure_default_stages()
    if not db.session.scalar(select(Competitor.id).limit(1)):
        db.session.add_all(Competitor(name=n) for n in COMPETITORS)
        db.session.flush()
    stages = db.session.scalars(select(PipelineStage).order_by(PipelineStage.position)).all()
    open_stages = [s for s in stages if s.outcome == OPEN]
    won = next(s for s in stages if s.outcome == WON)
    lost = next(s for s in stages if s.outcome == LOST)
    rivals = db.session.scalars(select(Competitor)).all()
    reasons = db.session.scalars(select(LossReason)).all()
    customers = demo_customers(ctx, rng)
    by_owner: dict = {}
    for customer in customers:
        if customer.account_manager_id:
            by_owner.setdefault(customer.account_manager_id, []).append(customer)
    today = ctx.today
    staff = [u for u in ctx.users.values() if u.has_role(Role.STAFF)]
    for person in staff:
        mine = by_owner.get(person.id) or []
        if not mine:
            continue
        count = 8 if person.username in ("staff1", "staff2", "staff3") else 3
        # every stage at least once for the named staff; a spread for the others
        plan = (stages * 2)[:count] if count == 8 else [rng.choice(stages) for _ in range(count)]
        for i, stage in enumerate(plan):
            customer = rng.choice(mine)
            lines = rng.sample(ctx.product_lines, rng.randint(1, 2))
            amounts = [Decimal(rng.randrange(20, 400) * 500) for _ in lines]
            created = today - timedelta(days=rng.randint(20, 150))
            stale = stage.outcome == OPEN and i % 3 == 2
            opp = Opportunity(
                customer_id=customer.id, owner_id=person.id, stage_id=stage.id,
                probability=stage.probability, amount=sum(amounts),
                title=rng.choice(TITLES).format(line=lines[0].name), source=rng.choice(SOURCES),
                expected_close=(today - timedelta(days=rng.randint(3, 20)) if stale
                                else today + timedelta(days=rng.randint(5, 80))),
                next_step=rng.choice(STEPS) if stage.outcome == OPEN else "",
                next_step_on=today + timedelta(days=rng.randint(1, 14))
                if stage.outcome == OPEN else None,
                created_on=created,
                last_activity_on=(created + timedelta(days=2) if stale
                                  else today - timedelta(days=rng.randint(0, 10))))
            opp.lines = [OpportunityLine(product_line_id=line.id, amount=amount)
                         for line, amount in zip(lines, amounts)]
            opp.competitors = rng.sample(rivals, rng.randint(0, 2))
            opp.events.append(OpportunityEvent(kind="created", to_stage_id=open_stages[0].id,
                                               happened_on=created, user_id=person.id))
            if stage.id != open_stages[0].id:
                opp.events.append(OpportunityEvent(kind="stage", from_stage_id=open_stages[0].id,
                                                   to_stage_id=stage.id if stage.outcome == OPEN
                                                   else open_stages[-1].id,
                                                   happened_on=created + timedelta(days=2),
                                                   user_id=person.id))
            opp.events.append(OpportunityEvent(kind="activity", note="电话沟通需求细节",
                                               happened_on=opp.last_activity_on,
                                               user_id=person.id))
            db.session.add(opp)
            if stage.outcome in (WON, LOST):
                opp.closed_on = today - timedelta(days=rng.randint(1, 25))
                opp.last_activity_on = opp.closed_on
                opp.events.append(OpportunityEvent(kind=stage.outcome, from_stage_id=open_stages[-1].id,
                                                   to_stage_id=stage.id, happened_on=opp.closed_on,
                                                   user_id=person.id))
            if stage is lost:
                opp.loss_reason_id = rng.choice(reasons).id
                opp.won_by_id = rng.choice(rivals).id
                opp.loss_note = "对方报价低约一成"
            db.session.flush()
            if stage is won:
                sales = [SalesRecord(customer_id=customer.id, product_line_id=line.id,
                                     sold_on=opp.closed_on, amount=amount,
                                     reference=f"OPP-{opp.id}", entered_by_id=person.id)
                         for line, amount in zip(lines, amounts)]
                db.session.add_all(sales)
                db.session.flush()
                db.session.add(OpportunitySale(opportunity_id=opp.id, sales_count=len(sales),
                                               first_sale_id=sales[0].id))
    db.session.flush()
