"""Demo one-on-ones: three months of them for both areas, with moods, notes and action items."""
import random
from datetime import date, datetime, timedelta

from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models.communication import (ActionItem, Cadence, MoodCheckIn, OneOnOne,
                                         OneOnOneSeries, PrivateNote, TalkingPoint)
from portal.one_on_ones.services import next_due

POINTS = ["本月目标完成情况", "大客户续约进展", "投诉处理的难点", "想参加的培训课程", "拜访计划安排",
          "CRM 录入问题", "团队协作", "职业发展想法", "工作压力与情绪", "新产品线的推广思路"]
NOTES = ["回顾了本月业绩，整体进度正常，重点跟进两家A类客户。",
         "讨论了投诉处理流程，约定三天内闭环。",
         "情绪状态不错，希望下季度承担更多大客户。",
         "拜访频次偏低，商定每周至少拜访五家客户。"]
ACTIONS = ["整理A类客户拜访记录", "提交下月拜访计划", "报名销售技巧培训", "跟进客户报价单",
           "更新CRM客户联系人", "准备季度述职材料"]
PRIVATE = ["需要多关注其工作压力。", "可以考虑作为后备骨干培养。", "下次谈谈加班情况。"]
PAIRS = {"manager1": ["staff1", "staff2"] + [f"a01-am{i:02d}" for i in range(1, 7)],
         "manager2": ["staff3"] + [f"a02-am{i:02d}" for i in range(1, 6)]}


def _at(day: date, hour_utc: int = 2) -> datetime:
    """10:00 in Shanghai on that day, as naive UTC."""
    return datetime(day.year, day.month, day.day, hour_utc, 0)


@seeder(40)
def seed_one_on_ones(ctx: DemoContext) -> None:
    """Series for every demo report, held ones for ~3 months, the next one planned."""
    rng = random.Random(2026_03)
    cadences = [Cadence.WEEKLY, Cadence.FORTNIGHTLY, Cadence.FORTNIGHTLY, Cadence.MONTHLY]
    for manager_name, reports in PAIRS.items():
        manager = ctx.users[manager_name]
        for n, report_name in enumerate(reports):
            report = ctx.users[report_name]
            cadence = cadences[n % len(cadences)]
            series = OneOnOneSeries(manager=manager, report=report, cadence=cadence)
            db.session.add(series)
            day = ctx.today - timedelta(days=95 - rng.randint(0, 6))
            last = None
            while day < ctx.today - timedelta(days=2):
                one = OneOnOne(series=series, starts_at=_at(day), held=True,
                               shared_notes=rng.choice(NOTES))
                for text in rng.sample(POINTS, 2):
                    one.points.append(TalkingPoint(author=rng.choice([manager, report]), text=text,
                                                   discussed=True))
                one.mood = MoodCheckIn(score=rng.choice([2, 3, 3, 4, 4, 4, 5]),
                                       comment=rng.choice(["", "", "最近客户较多，有点累", "状态不错"]))
                due = day + timedelta(days=rng.randint(5, 20))
                one.action_items.append(ActionItem(
                    title=rng.choice(ACTIONS), owner=report, due_date=due, created_by_id=manager.id,
                    done=due < ctx.today - timedelta(days=10) or rng.random() < 0.4))
                db.session.add(one)
                if rng.random() < 0.5:
                    db.session.flush()
                    db.session.add(PrivateNote(one_on_one_id=one.id, author_id=manager.id,
                                               body=rng.choice(PRIVATE)))
                last = day
                day = next_due(day, cadence)
            # Most have the next one planned; a few are overdue so the cadence view shows it.
            if n % 4 == 3:
                series.next_date = ctx.today - timedelta(days=rng.randint(3, 12))
            else:
                series.next_date = next_due(last, cadence) if last else ctx.today
                if series.next_date < ctx.today:
                    series.next_date = ctx.today + timedelta(days=rng.randint(1, 6))
                upcoming = OneOnOne(series=series, starts_at=_at(series.next_date))
                upcoming.points.append(TalkingPoint(author=report, text=rng.choice(POINTS),
                                                    carried_over=1))
                upcoming.points.append(TalkingPoint(author=manager, text=rng.choice(POINTS)))
                db.session.add(upcoming)
    db.session.flush()
