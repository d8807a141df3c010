"""The generator behind seed-scale: the demo company, then bulk rows per area and person."""
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable

from sqlalchemy import select

from portal.appraisals.services import band, final_score
from portal.complaints.services import due_at
from portal.customers.services import add_months
from portal.demo import seed_demo_company
from portal.extensions import db
from portal.models import Area, CustomerType, ProductLine, Role, User
from portal.models.departments import Department
from portal.models.appraisals import (Appraisal, AppraisalCycle, AppraisalStatus, CycleStatus,
                                      IndicatorKind, TemplateIndicator)
from portal.models.communication import OneOnOneSeries
from portal.models.feedback import Complaint, ComplaintStatus, Severity
from portal.models.pipeline import PipelineStage
from portal.models.sales import SalesTarget
from portal.models.training import Course
from portal.scale import PER_PERSON, SIZES
from portal.scale.bulk import Bulk

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红玉兰波辉鹏飞斌宇浩凯晨颖"
CITIES = ["江北", "江南", "城北", "城南", "高新", "开发", "滨湖", "临港", "新城", "古镇"]
PLACES = ["华信", "恒达", "远航", "金桥", "东方", "瑞丰", "长城", "鸿运", "嘉禾", "蓝天", "中和",
          "宏图", "汇通", "博雅", "天成", "明珠", "锦程", "安泰", "海润", "新世纪"]
KINDS = ["科技有限公司", "物流有限公司", "制造有限公司", "商贸有限公司", "医院", "中学",
         "酒店管理有限公司", "餐饮连锁", "建设集团", "街道办事处"]
PURPOSES = ["介绍新套餐", "回访网络质量", "商谈专线扩容", "续约沟通", "处理账单疑问", "了解明年预算"]
TASKS = ["整理客户拜访记录", "准备季度汇报", "跟进报价单", "更新客户联系人", "学习新产品资料",
         "提交报销单", "预约大客户拜访", "复盘上周业绩"]
COMPLAINTS = ["宽带频繁掉线", "账单金额有误", "上门安装延误", "客服态度不好", "套餐变更未生效"]
METHODS = ["on_site", "phone", "wechat"]
MEASURE_FREE = (IndicatorKind.QUALITATIVE,)


INTEL_TITLES = ["友商推出新套餐", "客户计划扩容专线", "产业园新入驻企业", "云主机价格调整反馈",
                "客户希望增加巡检报告", "竞争对手上门拜访重点客户"]


def person_name(rng: random.Random) -> str:
    """A plausible Chinese name."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def at(day: date, hour: int = 9) -> datetime:
    """A moment on a day."""
    return datetime.combine(day, time(hour))


def seed_scale_company(size: str, seed: int, today: date,
                       echo: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """The demo company grown to the size; the rows written per table."""
    spec = SIZES[size]
    rng = random.Random(seed)
    ctx = seed_demo_company(today)
    db.session.flush()
    echo(f"demo company: {len(ctx.users)} accounts")
    bulk = Bulk()
    gen = _Generator(bulk, rng, today, ctx)
    gen.people(spec.areas, spec.account_managers)
    for step in (gen.customers, gen.sales, gen.targets, gen.visits, gen.one_on_ones,
                 gen.meetings, gen.tasks, gen.training, gen.appraisals, gen.complaints,
                 gen.surveys, gen.pipeline, gen.care_and_intel):
        step()
        echo(f"{step.__name__}: {sum(bulk.counts.values()):,} rows so far")
    bulk.fix_sequences(gen.next_ids)
    return bulk.counts


class _Generator:
    """One generation: what exists so far (ids by area and person) and the next ids."""

    def __init__(self, bulk: Bulk, rng: random.Random, today: date, ctx):
        self.bulk, self.rng, self.today, self.ctx = bulk, rng, today, ctx
        self.password_hash = ctx.users["admin"].password_hash
        self.next_ids: dict[str, int] = {}
        self.product_lines = list(db.session.scalars(select(ProductLine.id).order_by(ProductLine.id)))
        self.customer_types = list(db.session.scalars(select(CustomerType.id).order_by(CustomerType.id)))
        self.customers_of: dict[int, list[int]] = defaultdict(list)

    def ids(self, table: str, n: int) -> range:
        """n fresh ids of a table."""
        if table not in self.next_ids:
            self.next_ids[table] = self.bulk.next_id(table)
        start = self.next_ids[table]
        self.next_ids[table] += n
        return range(start, start + n)

    # --- organisation ---------------------------------------------------------------------
    def people(self, n_areas: int, n_staff: int) -> None:
        """More areas with their heads, and account managers spread over every area."""
        rng, now = self.rng, at(self.today)
        areas = list(db.session.scalars(select(Area).order_by(Area.id)))
        new_areas = max(0, n_areas - len(areas))
        area_ids = self.ids("areas", new_areas)
        user_ids = self.ids("users", new_areas + max(0, n_staff - len(self._staff())))
        users = iter(user_ids)
        heads = {}
        area_rows = []
        for k, area_id in enumerate(area_ids):
            number = len(areas) + k + 1
            area_rows.append((area_id, f"A{number:02d}", f"{CITIES[k % len(CITIES)]}{number}营业区",
                              f"District {number}", None))
            heads[area_id] = next(users)
        self.bulk.insert("areas", ("id", "code", "name", "name_en", "head_id"), area_rows)
        user_cols = ("id", "username", "display_name", "email", "phone", "active",
                     "password_hash", "session_version", "failed_logins", "created_at",
                     "area_id", "manager_id")
        self.bulk.insert("users", user_cols, [
            (uid, f"mgr-a{len(areas) + k + 1:02d}", person_name(rng), "", "", True,
             self.password_hash, 1, 0, now, aid, None)
            for k, (aid, uid) in enumerate(heads.items())])
        if heads:
            db.session.execute(Area.__table__.update().where(Area.id == db.bindparam("aid")).values(
                head_id=db.bindparam("hid")), [{"aid": a, "hid": h} for a, h in heads.items()])
        all_areas = [(a.id, a.head_id) for a in areas] + list(heads.items())
        staff_rows = []
        for n, uid in enumerate(users):
            area_id, head_id = all_areas[n % len(all_areas)]
            staff_rows.append((uid, f"am{n + 1:05d}", person_name(rng), "", "", True,
                               self.password_hash, 1, 0, now, area_id, head_id))
        self.bulk.insert("users", user_cols, staff_rows)
        self.bulk.insert("user_roles", ("user_id", "role"),
                         [(h, "manager") for h in heads.values()]
                         + [(r[0], "staff") for r in staff_rows])
        staff = self._staff()
        #: (user id, area id, manager id) of every account manager, demo ones included.
        self.staff = staff
        self.staff_of_area: dict[int, list[int]] = defaultdict(list)
        for uid, area_id, _m in staff:
            self.staff_of_area[area_id].append(uid)
        self.head_of = {a: h for a, h in all_areas}

    def _staff(self) -> list[tuple[int, int, int]]:
        """Every account manager with an area: (id, area id, manager id), by id."""
        rows = db.session.execute(
            select(User.id, User.area_id, User.manager_id)
            .where(User.role_rows.any(role=Role.STAFF), User.area_id.is_not(None))
            .order_by(User.id)).all()
        return [tuple(r) for r in rows]

    # --- customers and sales --------------------------------------------------------------
    def customers(self) -> None:
        """Customers per account manager, each with its first assignment and a contact."""
        rng, n = self.rng, PER_PERSON["customers"]
        ids = iter(self.ids("customers", n * len(self.staff)))
        rows, assignments, contacts = [], [], []
        for uid, area_id, manager_id in self.staff:
            for _ in range(n):
                cid = next(ids)
                self.customers_of[uid].append(cid)
                roll = rng.random()
                tier = "A" if roll < 0.15 else "B" if roll < 0.45 else "C"
                kind = rng.choice(KINDS)
                created = at(self.today - timedelta(days=rng.randint(30, 1500)))
                rows.append((cid, f"G{cid:07d}", f"{rng.choice(PLACES)}{kind}{cid}",
                             rng.choice(self.customer_types), "", f"{rng.choice(CITIES)}路{cid % 500}号",
                             "", "", "active" if rng.random() < 0.92 else "dormant", area_id, uid,
                             tier, rng.randint(1, 3), created))
                assignments.append((cid, uid, manager_id, created))
                contacts.append((cid, person_name(rng), f"139{cid:08d}"))
        self.bulk.insert("customers", (
            "id", "code", "name", "type_id", "industry", "address", "preferences", "needs",
            "status", "area_id", "account_manager_id", "tier", "potential", "created_at"), rows)
        aid = iter(self.ids("customer_assignments", len(assignments)))
        self.bulk.insert("customer_assignments", (
            "id", "customer_id", "account_manager_id", "starts_on", "ends_on", "note",
            "assigned_by_id", "created_at"),
            ((next(aid), c, u, None, None, "", m, t) for c, u, m, t in assignments))
        kid = iter(self.ids("customer_contacts", len(contacts)))
        # Every third contact has a birthday and care preferences (from the id: no random draw).
        self.bulk.insert("customer_contacts", (
            "id", "customer_id", "name", "title", "phone", "email", "wechat", "is_primary",
            "notes", "birthday", "gift_preference", "contact_time"),
            ((next(kid), c, name, "经理", phone, "", "", True, "",
              date(1960 + c % 30, 1 + c % 12, 1 + c % 28) if c % 3 == 0 else None,
              ["普洱茶", "书籍", "水果礼盒"][c % 3] if c % 3 == 0 else "",
              "工作日上午" if c % 3 == 0 else "") for c, name, phone in contacts))

    def sales(self) -> None:
        """A year of sales per account manager over their customers."""
        rng, n = self.rng, PER_PERSON["sales"]
        ids = iter(self.ids("sales_records", n * len(self.staff)))

        def rows():
            for uid, _a, _m in self.staff:
                customers = self.customers_of[uid]
                for _ in range(n):
                    sid = next(ids)
                    day = self.today - timedelta(days=rng.randint(0, 364))
                    yield (sid, rng.choice(customers), rng.choice(self.product_lines), day,
                           Decimal(rng.randint(500, 60000)), f"G{sid}", None, None, uid, at(day))
        self.bulk.insert("sales_records", (
            "id", "customer_id", "product_line_id", "sold_on", "amount", "reference",
            "fingerprint", "import_id", "entered_by_id", "created_at"), rows())

    def targets(self) -> None:
        """Monthly targets, approved, for the last twelve months and the next two."""
        first = self.today.replace(day=1)
        months = [add_months(first, k) for k in range(-11, 3)]
        have = set(db.session.scalars(select(SalesTarget.user_id)))
        rows = []
        for uid, _a, manager_id in self.staff:
            for month in months if uid not in have else ():
                rows.append((uid, month, None, None, Decimal(self.rng.randint(40, 80) * 1000),
                             "approved", manager_id, at(month), at(month)))
        ids = iter(self.ids("sales_targets", len(rows)))
        self.bulk.insert("sales_targets", (
            "id", "user_id", "month", "product_line_id", "customer_type_id", "amount", "status",
            "approved_by_id", "approved_at", "updated_at"), ((next(ids), *r) for r in rows))

    def visits(self) -> None:
        """Visits over the last eleven months and the next, most of the past ones done."""
        rng, n = self.rng, PER_PERSON["visits"]
        ids = iter(self.ids("visits", n * len(self.staff)))

        def rows():
            for uid, _a, _m in self.staff:
                customers = self.customers_of[uid]
                for _ in range(n):
                    planned = self.today + timedelta(days=rng.randint(-330, 30))
                    done = planned if planned < self.today and rng.random() < 0.85 else None
                    yield (next(ids), rng.choice(customers), uid, planned, done, False,
                           rng.choice(METHODS), rng.choice(PURPOSES), "", None,
                           rng.random() < 0.5, uid, at(planned - timedelta(days=7)))
        self.bulk.insert("visits", (
            "id", "customer_id", "account_manager_id", "planned_on", "done_on", "cancelled",
            "method", "purpose", "notes", "next_follow_up", "from_plan", "created_by_id",
            "created_at"), rows())

    # --- communication --------------------------------------------------------------------
    def one_on_ones(self) -> None:
        """A fortnightly series per account manager with their manager, its past meetings held."""
        rng, n = self.rng, PER_PERSON["one_on_ones"]
        pairs = set(db.session.execute(select(OneOnOneSeries.manager_id,
                                              OneOnOneSeries.report_id)).all())
        todo = [(uid, m) for uid, _a, m in self.staff if m and (m, uid) not in pairs]
        series_ids = self.ids("one_on_one_series", len(todo))
        one_ids = iter(self.ids("one_on_ones", n * len(todo)))
        series, ones, moods = [], [], []
        for sid, (uid, manager_id) in zip(series_ids, todo):
            offset = rng.randint(0, 13)
            series.append((sid, manager_id, uid, "fortnightly",
                           self.today + timedelta(days=14 - offset), at(self.today - timedelta(days=400))))
            for k in range(n):
                day = self.today - timedelta(days=offset + 14 * (n - 1 - k))
                oid = next(one_ids)
                held = day < self.today
                ones.append((oid, sid, at(day, 10), 30, "讨论本期客户拜访与目标进度。" if held else "",
                             held, at(day - timedelta(days=14))))
                if held:
                    moods.append((oid, rng.randint(2, 5), "", at(day, 10)))
        self.bulk.insert("one_on_one_series", ("id", "manager_id", "report_id", "cadence",
                                               "next_date", "created_at"), series)
        self.bulk.insert("one_on_ones", ("id", "series_id", "starts_at", "duration_minutes",
                                         "shared_notes", "held", "created_at"), ones)
        mids = iter(self.ids("mood_check_ins", len(moods)))
        self.bulk.insert("mood_check_ins", ("id", "one_on_one_id", "score", "comment", "created_at"),
                         ((next(mids), *m) for m in moods))

    def meetings(self) -> None:
        """Team meetings per area with some attendees and an action item each."""
        rng = self.rng
        meetings, attendees, items = [], [], []
        per_area = {a: PER_PERSON["meetings"] * len(s) for a, s in self.staff_of_area.items()}
        ids = iter(self.ids("meetings", sum(per_area.values())))
        for area_id, count in per_area.items():
            members, head = self.staff_of_area[area_id], self.head_of.get(area_id)
            for k in range(count):
                mid = next(ids)
                day = self.today - timedelta(days=int(700 * (count - k) / count) - 14)
                meetings.append((mid, "team", f"团队例会 第{k + 1}期", area_id, head, at(day, 8),
                                 60, "三楼会议室", "", "1. 业绩回顾\n2. 重点客户\n3. 下周计划",
                                 "", "", at(day - timedelta(days=3))))
                chosen = rng.sample(members, min(8, len(members)))
                attendees.extend((mid, u) for u in chosen + ([head] if head else []))
                items.append((f"跟进会议事项 {k + 1}", rng.choice(chosen), day + timedelta(days=7),
                              day + timedelta(days=7) < self.today, mid, head, at(day, 9)))
        self.bulk.insert("meetings", (
            "id", "kind", "title", "area_id", "organiser_id", "starts_at", "duration_minutes",
            "location", "departments", "agenda", "notes", "decisions", "created_at"), meetings)
        self.bulk.insert("meeting_attendees", ("meeting_id", "user_id"), attendees)
        aids = iter(self.ids("action_items", len(items)))
        self.bulk.insert("action_items", (
            "id", "title", "owner_id", "due_date", "done", "done_at", "meeting_id",
            "one_on_one_id", "created_by_id", "created_at"),
            ((next(aids), t, o, d, done, at(d) if done else None, m, None, h, c)
             for t, o, d, done, m, h, c in items))

    def tasks(self) -> None:
        """Personal tasks, some done, in every quadrant."""
        rng, n = self.rng, PER_PERSON["tasks"]
        ids = iter(self.ids("tasks", n * len(self.staff)))
        rows = []
        for uid, _a, _m in self.staff:
            for _ in range(n):
                due = self.today + timedelta(days=rng.randint(-30, 30))
                done = due < self.today and rng.random() < 0.7
                rows.append((next(ids), uid, rng.choice(TASKS), "", due, rng.random() < 0.4,
                             rng.random() < 0.5, done, at(due) if done else None,
                             at(due - timedelta(days=10))))
        self.bulk.insert("tasks", ("id", "owner_id", "title", "notes", "due_date", "urgent",
                                   "important", "done", "done_at", "created_at"), rows)

    # --- training -------------------------------------------------------------------------
    def training(self) -> None:
        """Sessions of the catalogue's courses per area, filled by the area's people."""
        rng = self.rng
        courses = list(db.session.scalars(select(Course.id).where(Course.active).order_by(Course.id)))
        sessions, enrolments = [], []
        plan = []
        for area_id, members in self.staff_of_area.items():
            seats = min(25, len(members))
            count = -(-PER_PERSON["enrolments"] * len(members) // seats)
            plan.append((area_id, members, seats, count))
        sids = iter(self.ids("training_sessions", sum(p[3] for p in plan)))
        for area_id, members, seats, count in plan:
            for k in range(count):
                sid = next(sids)
                start = at(self.today - timedelta(days=int(720 * (count - k) / count) - 30), 9)
                sessions.append((sid, rng.choice(courses), start, start + timedelta(hours=3),
                                 "培训中心", person_name(rng), seats + 5, seats,
                                 start - timedelta(days=30)))
                past = start < at(self.today)
                for uid in rng.sample(members, seats):
                    attended = past and rng.random() < 0.9
                    enrolments.append((sid, uid, self.head_of.get(area_id), start - timedelta(days=20),
                                       "attended" if attended else "absent" if past else "unmarked",
                                       start.date() if attended else None,
                                       Decimal(rng.randint(60, 100)) if attended else None, "",
                                       rng.randint(3, 5) if attended else None, "",
                                       start + timedelta(days=1) if attended else None))
        self.bulk.insert("training_sessions", (
            "id", "course_id", "starts_at", "ends_at", "place", "trainer", "capacity",
            "seats_taken", "created_at"), sessions)
        eids = iter(self.ids("training_enrolments", len(enrolments)))
        self.bulk.insert("training_enrolments", (
            "id", "session_id", "user_id", "assigned_by_id", "enrolled_at", "attendance",
            "completed_on", "score", "certificate_no", "rating", "feedback", "feedback_at"),
            ((next(eids), *e) for e in enrolments))

    # --- appraisals -----------------------------------------------------------------------
    def appraisals(self) -> None:
        """Two earlier closed cycles, and everyone generated added to the demo's two cycles."""
        rng = self.rng
        demo_cycles = list(db.session.scalars(select(AppraisalCycle).order_by(AppraisalCycle.period_start)))
        template_id = demo_cycles[0].staff_template_id
        indicators = list(db.session.scalars(select(TemplateIndicator).where(
            TemplateIndicator.template_id == template_id).order_by(TemplateIndicator.position)))
        thresholds = demo_cycles[0].staff_template.rating_thresholds
        earliest = demo_cycles[0].period_start
        cycles = []
        cids = self.ids("appraisal_cycles", 2)
        for k, cid in enumerate(cids):
            start = add_months(earliest, -3 * (2 - k))
            end = add_months(start, 3) - timedelta(days=1)
            name = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
            cycles.append((cid, name, start, end, "closed", template_id, None, at(start),
                           at(start), at(end + timedelta(days=20))))
        self.bulk.insert("appraisal_cycles", (
            "id", "name", "period_start", "period_end", "status", "staff_template_id",
            "manager_template_id", "created_at", "opened_at", "closed_at"), cycles)
        existing = set(db.session.execute(select(Appraisal.cycle_id, Appraisal.user_id)).all())
        todo = []  # (cycle id, period end, closed?, user, area, manager)
        for cid, _n, _s, end, *_ in cycles:
            todo += [(cid, end, True, u, a, m) for u, a, m in self.staff]
        for cycle in demo_cycles:
            closed = cycle.status == CycleStatus.CLOSED
            todo += [(cycle.id, cycle.period_end, closed, u, a, m) for u, a, m in self.staff
                     if (cycle.id, u) not in existing]
        ids = iter(self.ids("appraisals", len(todo)))
        rows, scores = [], []
        states = list(AppraisalStatus)
        for cid, end, closed, uid, area_id, manager_id in todo:
            aid = next(ids)
            status = AppraisalStatus.CLOSED if closed else rng.choice(states[:4])
            reviewed = status not in (AppraisalStatus.SELF_ASSESSMENT, AppraisalStatus.MANAGER_REVIEW)
            parts = []
            for ind in indicators:
                self_score = rng.randint(3, 5) if ind.kind in MEASURE_FREE and (
                    status != AppraisalStatus.SELF_ASSESSMENT) else None
                manager_score = rng.randint(2, 5) if reviewed and ind.kind in MEASURE_FREE else None
                figure = figure_score = None
                if ind.kind == IndicatorKind.QUANTITATIVE and reviewed:
                    figure_score = rng.randint(2, 5)
                    figure = Decimal(rng.randint(50, 120))
                scores.append((aid, ind.id, self_score, manager_score, figure, figure_score, None))
                parts.append((manager_score or figure_score, ind.weight))
            score = final_score(parts) if reviewed else None
            done = at(end + timedelta(days=15))
            rows.append((aid, cid, uid, manager_id, area_id, template_id, status.value,
                         "本期完成了主要目标。" if status != AppraisalStatus.SELF_ASSESSMENT else "",
                         "表现稳定，继续保持。" if reviewed else "",
                         (end + timedelta(days=10)) if reviewed else None,
                         "加强新客户开发。" if reviewed else "", "同意。" if closed else "",
                         True if closed else None, score, band(score, thresholds),
                         done if reviewed else None, done if reviewed else None,
                         done if reviewed else None, done if reviewed else None,
                         done if closed else None, done if closed else None,
                         self.ctx.users["hr"].id if closed else None, "", at(end)))
        self.bulk.insert("appraisals", (
            "id", "cycle_id", "user_id", "manager_id", "area_id", "template_id", "status",
            "self_comment", "manager_comment", "feedback_talk_on", "improvement_plan",
            "employee_comment", "employee_agrees", "final_score", "band", "figures_frozen_at",
            "self_submitted_at", "reviewed_at", "feedback_at", "acknowledged_at", "closed_at",
            "closed_by_id", "reopen_reason", "created_at"), rows)
        sids = iter(self.ids("appraisal_scores", len(scores)))
        self.bulk.insert("appraisal_scores", (
            "id", "appraisal_id", "indicator_id", "self_score", "manager_score", "figure",
            "figure_score", "source_data"), ((next(sids), *s) for s in scores))

    # --- feedback -------------------------------------------------------------------------
    def complaints(self) -> None:
        """A few complaints per account manager, most closed in time, with their first event."""
        rng, n = self.rng, PER_PERSON["complaints"]
        ids = iter(self.ids("complaints", n * len(self.staff)))
        rows, events = [], []
        for uid, area_id, _m in self.staff:
            for _ in range(n):
                cid = next(ids)
                received = at(self.today - timedelta(days=rng.randint(0, 300)), rng.randint(8, 17))
                severity = rng.choice(list(Severity))
                due = due_at(received, severity)
                closed = received + timedelta(hours=rng.randint(2, 100))
                status = ComplaintStatus.CLOSED if closed < at(self.today) and rng.random() < 0.85 \
                    else ComplaintStatus.IN_PROGRESS
                done = status == ComplaintStatus.CLOSED
                rows.append((cid, rng.choice(self.customers_of[uid]), uid, uid, area_id,
                             rng.choice(["phone", "wechat", "email"]),
                             rng.choice(["service", "billing", "quality"]), severity.value,
                             rng.choice(COMPLAINTS), "", status.value, received, due,
                             closed if done else None, closed if done else None,
                             "已处理。" if done else "", rng.randint(3, 5) if done else None, uid,
                             received))
                events.append((cid, received, uid, "created", None, "new", ""))
        self.bulk.insert("complaints", (
            "id", "customer_id", "account_manager_id", "owner_id", "area_id", "channel",
            "category", "severity", "subject", "description", "status", "received_at", "due_at",
            "resolved_at", "closed_at", "resolution", "satisfaction", "created_by_id",
            "created_at"), rows)
        eids = iter(self.ids("complaint_events", len(events)))
        self.bulk.insert("complaint_events", ("id", "complaint_id", "at", "author_id", "kind",
                                              "from_status", "to_status", "note"),
                         ((next(eids), *e) for e in events))

    def surveys(self) -> None:
        """A closed customer survey per area, answered through invitations to its customers."""
        rng, n = self.rng, PER_PERSON["survey_responses"]
        areas = sorted(self.staff_of_area)
        survey_ids = self.ids("surveys", len(areas))
        hr = self.ctx.users["hr"].id
        closed = at(self.today - timedelta(days=40))
        questions = [("rating", "您对客户经理的服务满意吗？", []),
                     ("rating", "您对网络与产品质量满意吗？", []),
                     ("nps", "您向同行推荐我们的可能性有多大？", []),
                     ("single", "您更希望通过哪种方式与我们联系？", ["电话", "微信", "上门拜访", "邮件"]),
                     ("text", "您的意见和建议", [])]
        qids = iter(self.ids("survey_questions", len(areas) * len(questions)))
        survey_rows, question_rows, by_area = [], [], {}
        for sid, area_id in zip(survey_ids, areas):
            survey_rows.append((sid, "客户满意度回访（生成）", "", "customer", False, "closed", area_id,
                                closed.date(), hr, closed - timedelta(days=33),
                                closed - timedelta(days=30), closed))
            by_area[area_id] = (sid, [])
            for pos, (kind, text, options) in enumerate(questions, start=1):
                qid = next(qids)
                by_area[area_id][1].append((qid, kind, options))
                question_rows.append((qid, sid, pos, kind, text, kind != "text", options))
        self.bulk.insert("surveys", (
            "id", "title", "description", "audience", "anonymous", "status", "area_id",
            "expires_on", "created_by_id", "created_at", "published_at", "closed_at"), survey_rows)
        self.bulk.insert("survey_questions", ("id", "survey_id", "position", "kind", "text",
                                              "required", "options"), question_rows)
        invitations, responses, answers = [], [], []
        iids = iter(self.ids("survey_invitations", n * len(self.staff)))
        for uid, area_id, _m in self.staff:
            sid, qs = by_area[area_id]
            for cid in self.customers_of[uid][:n]:
                iid = next(iids)
                answered = closed - timedelta(days=rng.randint(1, 28))
                invitations.append((iid, sid, cid, uid, f"g{iid:x}{rng.getrandbits(64):016x}",
                                    closed - timedelta(days=30), answered))
                rid = f"{rng.getrandbits(128):032x}"
                responses.append((rid, sid, iid, area_id, answered.date(), True))
                mood = rng.random()
                for qid, kind, options in qs:
                    if kind == "rating":
                        answers.append((rid, qid, min(5, max(1, round(2.6 + 2 * mood + rng.gauss(0, .9)))), None, None))
                    elif kind == "nps":
                        answers.append((rid, qid, min(10, max(0, round(5 + 4.5 * mood + rng.gauss(0, 1.8)))), None, None))
                    elif kind == "single":
                        answers.append((rid, qid, None, [rng.randrange(len(options))], None))
                    else:
                        answers.append((rid, qid, None, None, rng.choice(["服务很好", "希望更快响应", "满意"])))
        self.bulk.insert("survey_invitations", ("id", "survey_id", "customer_id",
                                                "account_manager_id", "token", "created_at",
                                                "answered_at"), invitations)
        self.bulk.insert("survey_responses", ("id", "survey_id", "invitation_id",
                                              "area_id", "submitted_on", "released"), responses)
        self.bulk.insert("survey_answers", ("response_id", "question_id", "number", "choices",
                                            "text"), answers)

    def pipeline(self) -> None:
        """About 20 opportunities per account manager over their customers, at every stage, each
        with one product line and its "created" entry; a few stale, some won or lost."""
        rng, n = self.rng, 20
        stages = db.session.execute(select(PipelineStage.id, PipelineStage.probability,
                                           PipelineStage.outcome)
                                    .order_by(PipelineStage.position)).all()
        if not stages:
            return
        ids = iter(self.ids("opportunities", n * len(self.staff)))
        opportunities, lines, events = [], [], []
        for uid, _a, _m in self.staff:
            for i in range(n):
                oid = next(ids)
                stage_id, probability, outcome = stages[i % len(stages)]
                created = self.today - timedelta(days=rng.randint(10, 200))
                stale = outcome == "open" and rng.random() < 0.2
                close = (self.today - timedelta(days=rng.randint(1, 20)) if stale
                         else self.today + timedelta(days=rng.randint(1, 120)))
                closed = (self.today - timedelta(days=rng.randint(1, 60))
                          if outcome != "open" else None)
                amount = Decimal(rng.randint(10, 400) * 500)
                opportunities.append((
                    oid, rng.choice(self.customers_of[uid]), f"商机{oid}", uid, stage_id,
                    probability, amount, close, "", "", "", None, "",
                    created + timedelta(days=2) if stale else self.today - timedelta(days=rng.randint(0, 20)),
                    closed, None, "", None, created, at(created)))
                lines.append((oid, rng.choice(self.product_lines), amount))
                events.append((oid, "created", stage_id, "", created, uid, at(created)))
        self.bulk.insert("opportunities", (
            "id", "customer_id", "title", "owner_id", "stage_id", "probability", "amount",
            "expected_close", "source", "other_competitors", "next_step", "next_step_on", "notes",
            "last_activity_on", "closed_on", "loss_reason_id", "loss_note", "won_by_id",
            "created_on", "created_at"), opportunities)
        lid = iter(self.ids("opportunity_lines", len(lines)))
        self.bulk.insert("opportunity_lines", ("id", "opportunity_id", "product_line_id", "amount"),
                         ((next(lid), *row) for row in lines))
        eid = iter(self.ids("opportunity_events", len(events)))
        self.bulk.insert("opportunity_events", ("id", "opportunity_id", "kind", "to_stage_id",
                                                "note", "happened_on", "user_id", "created_at"),
                         ((next(eid), *row) for row in events))


    def care_and_intel(self) -> None:
        """In proportion: two intelligence posts per account manager; per area a care campaign
        over every fifth customer (one care task each, a third contacted) and a customer event
        with twenty invitations; one complaint in twenty handed to the finance department (the
        hand-off on its timeline); one department person per twenty account managers in each
        department."""
        rng, now = self.rng, at(self.today)
        departments = dict(db.session.execute(select(Department.code, Department.id)).all())
        posts = []
        pids = iter(self.ids("intel_posts", 2 * len(self.staff)))
        for uid, area_id, _m in self.staff:
            for _ in range(2):
                kind = rng.choice(["competitor", "customer_need", "product_feedback",
                                   "market_news"])
                posts.append((next(pids), kind, rng.choice(INTEL_TITLES), "详见附件与拜访记录。",
                              rng.choice(["宽带", "专线", "云服务", "价格", ""]), uid, area_id,
                              rng.choice(self.customers_of[uid]) if self.customers_of[uid] else None,
                              rng.choice(["area", "area", "company"]), "",
                              now - timedelta(days=rng.randint(0, 180))))
        self.bulk.insert("intel_posts", ("id", "kind", "title", "body", "tags", "author_id",
                                         "area_id", "customer_id", "sharing", "answer",
                                         "created_at"), posts)
        campaigns, tasks, events, invitations = [], [], [], []
        for area_id, staff in sorted(self.staff_of_area.items()):
            (cid,) = self.ids("care_campaigns", 1)
            campaigns.append((cid, "春节客户问候", "", self.today + timedelta(days=14), area_id,
                              self.head_of.get(area_id), "", now))
            customers = [(c, u) for u in staff for c in self.customers_of[u][::5]]
            for k, (customer, owner), in enumerate(customers):
                done = k % 3 == 0
                tasks.append((customer, owner, cid, "联系人" if done else "",
                              "call" if done else None, "客户表示感谢。" if done else "",
                              self.today - timedelta(days=k % 7) if done else None, now))
            (eid,) = self.ids("care_events", 1)
            events.append((eid, "thanks", "客户答谢会", self.today + timedelta(days=30), "会议中心",
                           40, area_id, self.head_of.get(area_id), now))
            for customer, owner in customers[:20]:
                invitations.append((eid, customer, "", owner, rng.choice(["pending", "yes", "no"]),
                                    False))
        self.bulk.insert("care_campaigns", ("id", "title", "message", "due_on", "area_id",
                                            "created_by_id", "selection", "created_at"),
                         campaigns)
        tids = iter(self.ids("care_tasks", len(tasks)))
        self.bulk.insert("care_tasks", ("id", "customer_id", "owner_id", "campaign_id",
                                        "contact_name", "method", "response", "contacted_on",
                                        "created_at"), ((next(tids), *t) for t in tasks))
        self.bulk.insert("care_events", ("id", "kind", "title", "held_on", "place", "capacity",
                                         "area_id", "created_by_id", "created_at"), events)
        iids = iter(self.ids("care_invitations", len(invitations)))
        self.bulk.insert("care_invitations", ("id", "event_id", "customer_id", "contact_name",
                                              "invited_by_id", "rsvp", "attended"),
                         ((next(iids), *i) for i in invitations))
        if "FIN" in departments:
            handed = db.session.execute(
                select(Complaint.id, Complaint.received_at, Complaint.owner_id)
                .where(Complaint.id % 20 == 0, Complaint.department_id.is_(None))).all()
            db.session.execute(Complaint.__table__.update()
                               .where(Complaint.id.in_([h.id for h in handed]))
                               .values(department_id=departments["FIN"]))
            # the hand-off on each timeline (the SLA time per department counts from it)
            hids = iter(self.ids("complaint_events", len(handed)))
            self.bulk.insert("complaint_events", (
                "id", "complaint_id", "at", "author_id", "kind", "from_status", "to_status",
                "note"), ((next(hids), cid, received + timedelta(hours=2), owner, "handoff", None,
                           None, "— → 财务部: 账单需财务部核对。")
                          for cid, received, owner in handed))
        # Department people in proportion (one per twenty account managers in each department),
        # staff role without an area; drawn last, so the rest of the company stays as it was.
        extra = len(self.staff) // 20
        if departments and extra:
            uids = iter(self.ids("users", extra * len(departments)))
            people, seats = [], []
            for code, department_id in sorted(departments.items()):
                for k in range(extra):
                    uid = next(uids)
                    people.append((uid, f"{code.lower()}-{k + 1:04d}", person_name(rng), "", "",
                                   True, self.password_hash, 1, 0, now, None, None))
                    seats.append((uid, department_id))
            self.bulk.insert("users", ("id", "username", "display_name", "email", "phone",
                                       "active", "password_hash", "session_version",
                                       "failed_logins", "created_at", "area_id", "manager_id"),
                             people)
            self.bulk.insert("user_roles", ("user_id", "role"), [(p[0], "staff") for p in people])
            self.bulk.insert("department_members", ("user_id", "department_id"), seats)
