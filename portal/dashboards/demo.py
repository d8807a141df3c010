"""Demo data for the dashboards: a few visits planned today, so "my day" is not empty on
first start (the customers module's demo plans visits by each tier's cadence, rarely today)."""
import random

from sqlalchemy import select

from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models.customers import Customer, Visit, VisitMethod

PURPOSES = ["续约洽谈", "新产品介绍", "回访投诉处理结果", "年终答谢邀请"]


@seeder(25)
def seed_todays_visits(ctx: DemoContext) -> None:
    """Two or three visits today for each demo account manager, to customers they own."""
    rng = random.Random(2026_11)
    for username in ("staff1", "staff2", "staff3"):
        owner = ctx.users[username]
        customers = db.session.scalars(select(Customer).where(Customer.account_manager_id == owner.id)
                                       .order_by(Customer.code).limit(8)).all()
        for customer in rng.sample(customers, min(len(customers), rng.randint(2, 3))):
            db.session.add(Visit(customer_id=customer.id, account_manager_id=owner.id,
                                 planned_on=ctx.today, method=rng.choice(list(VisitMethod)),
                                 purpose=rng.choice(PURPOSES)))
    db.session.flush()
