"""Demo complaints: about forty over the last year, in every state, a few overdue."""
import random
from datetime import datetime, time, timedelta

from portal.complaints.services import change_status, due_at
from portal.demo import DemoContext, demo_customers, seeder
from portal.extensions import db
from portal.models.customers import Customer
from portal.models.feedback import (Complaint, ComplaintCategory, ComplaintChannel,
                                    ComplaintEvent, ComplaintStatus, Severity)

S = ComplaintStatus
SUBJECTS = [
    ("宽带晚高峰频繁掉线", ComplaintCategory.QUALITY, "客户反映最近两周每天晚上八点后宽带多次断线，影响视频会议。"),
    ("本月账单多收专线费用", ComplaintCategory.BILLING, "客户对账发现十月份专线费用重复计收一次，要求退还。"),
    ("装机人员未按约定时间上门", ComplaintCategory.SERVICE, "约定上午十点上门安装，实际下午三点才到，客户不满。"),
    ("云服务器控制台无法登录", ComplaintCategory.PRODUCT, "客户财务系统所在云主机控制台登录报错，已持续半天。"),
    ("客服热线态度生硬", ComplaintCategory.STAFF, "客户致电热线咨询套餐变更，认为接线员解释不耐烦。"),
    ("物联网卡流量异常扣费", ComplaintCategory.BILLING, "一批物联网卡出现异常流量，客户质疑计费准确性。"),
    ("移动信号在新办公楼很弱", ComplaintCategory.QUALITY, "客户搬入新办公楼后，地下一层和会议室几乎没有信号。"),
    ("套餐变更未及时生效", ComplaintCategory.SERVICE, "客户申请的套餐升级三天后仍未生效。"),
    ("发票开具信息有误", ComplaintCategory.BILLING, "增值税发票抬头错误，客户要求重开。"),
    ("专线故障修复时间过长", ComplaintCategory.QUALITY, "专线中断后修复用时超过承诺时限，客户要求说明。"),
]
RESOLUTIONS = ["已安排工程师现场排查并更换设备，客户确认恢复正常。",
               "核实后已退还多收费用，并向客户致歉。",
               "已调整网络参数并持续观察一周，未再出现问题。",
               "已与客户沟通并给予当月费用减免。"]
NOTES = ["已电话联系客户，说明处理进度。", "已派单给网络维护班组。", "客户同意周五上门检查。",
         "等待厂商回复。"]




@seeder(70)
def seed_complaints(ctx: DemoContext) -> None:
    """Complaints for the demo company."""
    rng = random.Random(20261126)
    _seed_complaints(ctx, rng, demo_customers(ctx, rng))
    db.session.flush()


def _seed_complaints(ctx: DemoContext, rng: random.Random, customers: list[Customer]) -> None:
    """About forty complaints over six months, in every state, a few overdue."""
    users = {u.id: u for u in ctx.users.values()}
    owned = [c for c in customers if c.account_manager_id in users]
    # staff1 and staff2 get some of their own so their pages are not empty
    favourites = [c for c in owned if users[c.account_manager_id].username in ("staff1", "staff2",
                                                                                "staff3")]
    now = datetime.combine(ctx.today, time(0))
    plan = ([S.CLOSED] * 22 + [S.RESOLVED] * 4 + [S.IN_PROGRESS] * 6 + [S.NEW] * 5
            + [S.REOPENED] * 3)
    for i, final in enumerate(plan):
        customer = rng.choice(favourites if favourites and i % 3 == 0 else owned)
        manager = users[customer.account_manager_id]
        subject, category, description = rng.choice(SUBJECTS)
        severity = rng.choice([Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH,
                               Severity.CRITICAL])
        if final == S.NEW:
            age_days = rng.randint(0, 4)
        elif final == S.CLOSED:
            age_days = rng.randint(3, 330)
        else:
            age_days = rng.randint(2, 25)
        received = now - timedelta(days=age_days, hours=rng.randint(0, 9))
        complaint = Complaint(
            customer_id=customer.id, account_manager_id=manager.id, owner_id=manager.id,
            area_id=manager.area_id or customer.area_id, channel=rng.choice(list(ComplaintChannel)),
            category=category, severity=severity, subject=subject, description=description,
            status=S.NEW, received_at=received, due_at=due_at(received, severity),
            created_by_id=manager.id, created_at=received)
        complaint.events.append(ComplaintEvent(kind="created", to_status="new", at=received,
                                               author_id=manager.id))
        db.session.add(complaint)
        moment = received
        # most complaints are closed within their deadline, some late
        allowed = (complaint.due_at - received).total_seconds() / 3600
        budget = allowed * rng.choice([0.3, 0.5, 0.7, 0.9, 0.9, 1.4])

        def step(to, **kwargs):
            nonlocal moment
            moment = min(moment + timedelta(hours=budget * rng.uniform(0.2, 0.33)), now)
            change_status(complaint, to, manager.id, now=moment, **kwargs)

        if final == S.NEW:
            continue
        step(S.IN_PROGRESS, note=rng.choice(NOTES))
        if rng.random() < 0.5:
            complaint.events.append(ComplaintEvent(kind="note", note=rng.choice(NOTES),
                                                   author_id=manager.id,
                                                   at=moment + timedelta(hours=1)))
        if final == S.IN_PROGRESS:
            continue
        step(S.RESOLVED, resolution=rng.choice(RESOLUTIONS))
        if final == S.RESOLVED:
            continue
        if final == S.REOPENED:
            step(S.CLOSED, satisfaction=rng.choice([2, 3]))
            step(S.REOPENED, note="客户反映问题再次出现。")
            continue
        step(S.CLOSED, satisfaction=rng.choices([5, 4, 3, 2, 1], [40, 35, 15, 7, 3])[0])
