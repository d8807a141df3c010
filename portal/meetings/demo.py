"""Demo meetings: weekly team meetings of both areas for three months, a few cross-department ones."""
import random
from datetime import datetime, timedelta

from portal.demo import DemoContext, seeder
from portal.extensions import db
from portal.models.communication import ActionItem, Meeting, MeetingAttendee, MeetingKind

AGENDA = "1. 上周业绩回顾\n2. 重点客户进展\n3. 投诉与风险\n4. 下周工作安排"
NOTES = """## 业绩
- 本周新签约 **{n}** 家客户
- 宽带与云服务增长明显

## 问题
- 部分客户回访不及时，需要在 CRM 中补录
"""
DECISIONS = ["A类客户每月至少拜访一次。", "投诉必须在三天内闭环并回访。", "下周开展一次产品知识分享。"]
ACTIONS = ["整理本周投诉清单", "更新重点客户拜访计划", "准备产品知识分享材料", "补录CRM拜访记录",
           "联系网络运维部确认专线开通时间", "汇总客户续约意向"]
CROSS = [("与市场部的季度营销协调会", "市场部, 网络运维部"),
         ("政企客户专线交付协调会", "网络运维部, 政企客户部"),
         ("年终客户答谢活动筹备会", "市场部, 办公室")]


@seeder(45)
def seed_meetings(ctx: DemoContext) -> None:
    """Team meetings every Monday 09:30 for 13 weeks (two ahead), action items, cross meetings."""
    rng = random.Random(2026_04)
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    for area in ctx.areas:
        people = [area.head] + ctx.staff_of(area)
        for week in range(-11, 2):
            day = monday + timedelta(weeks=week)
            past = day < ctx.today
            meeting = Meeting(kind=MeetingKind.TEAM, area=area, organiser=area.head,
                              title=f"{area.name}周例会（{day.month}月{day.day}日）",
                              starts_at=datetime(day.year, day.month, day.day, 1, 30),
                              location="三楼会议室" if area.code == "A01" else "营业厅二楼",
                              agenda=AGENDA, notes=NOTES.format(n=rng.randint(1, 6)) if past else "",
                              decisions=rng.choice(DECISIONS) if past else "")
            meeting.attendees = [MeetingAttendee(user=u) for u in people]
            if past:
                for _ in range(rng.randint(1, 2)):
                    due = day + timedelta(days=rng.randint(3, 14))
                    meeting.action_items.append(ActionItem(
                        title=rng.choice(ACTIONS), owner=rng.choice(people[:4]), due_date=due,
                        created_by_id=area.head.id,
                        done=due < ctx.today - timedelta(days=7) or rng.random() < 0.5))
            db.session.add(meeting)
    for i, (title, departments) in enumerate(CROSS):
        day = ctx.today + timedelta(days=[-40, -12, 9][i])
        manager = ctx.users["manager1" if i != 1 else "manager2"]
        meeting = Meeting(kind=MeetingKind.CROSS, area=manager.area, organiser=manager, title=title,
                          departments=departments, starts_at=datetime(day.year, day.month, day.day, 6),
                          duration_minutes=90, location="公司大会议室", agenda="1. 目标\n2. 分工\n3. 时间表",
                          notes="各部门确认了分工与时间表。" if day < ctx.today else "")
        attendees = {manager, ctx.users["staff1"] if i != 1 else ctx.users["staff3"], ctx.users["hr"]}
        meeting.attendees = [MeetingAttendee(user=u) for u in attendees]
        if day < ctx.today:
            meeting.action_items.append(ActionItem(
                title="提交本部门分工确认", owner=manager, due_date=day + timedelta(days=7),
                created_by_id=manager.id, done=i == 0))
        db.session.add(meeting)
    db.session.flush()
