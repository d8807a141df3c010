"""Demo personal tasks for the demo accounts, spread over the four quadrants."""
import random
from datetime import timedelta

from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models import utcnow
from portal.models.communication import Task

TASKS = [("回复华润物业的报价咨询", True, True), ("准备月底业绩汇报", True, True),
         ("学习云服务新产品资料", False, True), ("制定下季度大客户拜访计划", False, True),
         ("整理名片并录入CRM", True, False), ("预订客户答谢会场地", True, False),
         ("清理邮箱", False, False), ("更新个人简历与培训记录", False, False),
         ("回访上周投诉的客户", True, True), ("阅读《客户关系管理》第三章", False, True)]


@seeder(50)
def seed_tasks(ctx: DemoContext) -> None:
    """Six to eight tasks for each demo account who has a team role, a few done."""
    rng = random.Random(2026_05)
    for username in ("staff1", "staff2", "staff3", "manager1", "manager2"):
        owner = ctx.users[username]
        for title, urgent, important in rng.sample(TASKS, rng.randint(6, 8)):
            done = rng.random() < 0.2
            db.session.add(Task(
                owner_id=owner.id, title=title, urgent=urgent, important=important,
                due_date=ctx.today + timedelta(days=rng.randint(-4, 20)) if rng.random() < 0.8 else None,
                done=done, done_at=utcnow() if done else None))
    db.session.flush()
