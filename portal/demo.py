"""The demo company: two areas, product lines, customer types and the demo accounts.

Modules add their own demo data with @seeder in `portal/<module>/demo.py`; seed-demo runs the
organisation first, then every module's seeder in order, in one transaction.
"""
import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import select

import portal
from portal.extensions import db
from portal.kernel import clock
from portal.models import Area, CustomerType, ProductLine, Role, User
from portal.models.customers import Customer
from portal.passwords import hash_password

DEMO_PASSWORD = "portal-demo"

PRODUCT_LINES = [
    ("BB", "宽带", "Broadband"),
    ("MOB", "移动通信", "Mobile"),
    ("CLD", "云服务", "Cloud services"),
    ("IOT", "物联网", "Internet of Things"),
    ("DL", "专线", "Dedicated lines"),
]
CUSTOMER_TYPES = [
    ("KEY", "大客户", "Key account"),
    ("SME", "中小企业", "Small and medium business"),
    ("GOV", "政府机构", "Government"),
    ("IND", "个人客户", "Individual"),
]
#: Extra account managers per area; the names include characters beyond GB 2312 on purpose.
EXTRA_STAFF = [
    ["陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷", "徐浩", "孙悦", "马超", "朱琳"],
    ["胡斌", "郭蕾", "何玥", "高喆", "林昇", "罗堃", "郑洁", "梁晨", "谢颖", "宋涛"],
]


@dataclass
class DemoContext:
    """What the organisation seeder made, for the module seeders to build on."""

    today: date
    areas: list[Area] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    product_lines: list[ProductLine] = field(default_factory=list)
    customer_types: list[CustomerType] = field(default_factory=list)

    def staff_of(self, area: Area) -> list[User]:
        """The account managers of an area."""
        return [u for u in self.users.values() if u.area is area and u.has_role(Role.STAFF)]


def demo_customers(ctx: "DemoContext", rng) -> list[Customer]:
    """The demo customers (from the customers module's seeder), or a few of our own if none."""
    customers = db.session.scalars(select(Customer).order_by(Customer.id)).all()
    if customers:
        return list(customers)
    names = ["东湖大酒店", "城东实验中学", "恒通物流有限公司", "新华书店城西店", "瑞丰制药",
             "西城区人民医院", "万达广场物业", "星河科技园"]
    made = []
    for i, name in enumerate(names):
        area = ctx.areas[i % 2]
        staff = ctx.staff_of(area)
        customer = Customer(code=f"FBD{i + 1:03d}", name=name, area_id=area.id,
                            account_manager_id=rng.choice(staff).id)
        db.session.add(customer)
        made.append(customer)
    db.session.flush()
    return made


SEEDERS: list[tuple[int, Callable[[DemoContext], None]]] = []


def seeder(order: int = 50):
    """Register a module's demo-data function, run after the organisation in this order."""

    def decorator(func):
        SEEDERS.append((order, func))
        return func

    return decorator


def _load_module_seeders() -> None:
    """Import every `portal/<module>/demo.py` so its seeders register."""
    for info in pkgutil.iter_modules(portal.__path__):
        if info.ispkg:
            try:
                importlib.import_module(f"portal.{info.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"portal.{info.name}.demo":
                    raise


def database_is_empty() -> bool:
    """Whether no account exists yet."""
    return db.session.scalar(db.select(User.id).limit(1)) is None


def clear_database() -> None:
    """Delete every row of every table, keeping the schema; ids start again from 1.

    PostgreSQL: one TRUNCATE … RESTART IDENTITY, so a reseeded database has the same ids as a new
    one. SQLite: children first; a table without AUTOINCREMENT numbers from 1 again once empty.
    """
    tables = db.metadata.sorted_tables
    if db.session.get_bind().dialect.name == "postgresql":
        names = ", ".join(db.session.get_bind().dialect.identifier_preparer.format_table(t)
                          for t in tables)
        db.session.execute(db.text(f"TRUNCATE {names} RESTART IDENTITY"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.flush()


def seed_organisation(today: date) -> DemoContext:
    """The areas, reference data and people of the demo company."""
    ctx = DemoContext(today=today)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash serves every demo account

    def person(username, name, roles, area=None, manager=None, email=None, locale=None):
        user = User(username=username, display_name=name, password_hash=password_hash,
                    email=email or f"{username}@example.com", locale=locale,
                    phone=f"138{len(ctx.users):08d}", area=area, manager=manager)
        user.roles = roles
        db.session.add(user)
        ctx.users[username] = user
        return user

    ctx.product_lines = [ProductLine(code=c, name=n, name_en=e) for c, n, e in PRODUCT_LINES]
    ctx.customer_types = [CustomerType(code=c, name=n, name_en=e) for c, n, e in CUSTOMER_TYPES]
    db.session.add_all(ctx.product_lines + ctx.customer_types)

    east = Area(code="A01", name="城东营业区", name_en="East District")
    west = Area(code="A02", name="城西营业区", name_en="West District")
    ctx.areas = [east, west]
    db.session.add_all(ctx.areas)

    person("admin", "系统管理员", [Role.ADMIN])
    person("hr", "王芳", [Role.HR])
    manager1 = person("manager1", "张伟", [Role.MANAGER], area=east)
    manager2 = person("manager2", "李秀英", [Role.MANAGER], area=west)
    east.head, west.head = manager1, manager2
    person("staff1", "李娜", [Role.STAFF], area=east, manager=manager1)
    person("staff2", "王强", [Role.STAFF], area=east, manager=manager1, locale="en")
    person("staff3", "刘洋", [Role.STAFF], area=west, manager=manager2)
    for area, manager, names in zip(ctx.areas, (manager1, manager2), EXTRA_STAFF):
        for i, name in enumerate(names, start=1):
            person(f"{area.code.lower()}-am{i:02d}", name, [Role.STAFF], area=area, manager=manager)
    db.session.flush()
    return ctx


def seed_demo_company(today: date | None = None) -> DemoContext:
    """The whole demo company, organisation first, then every module's data."""
    _load_module_seeders()
    ctx = seed_organisation(today or clock.today())
    for _order, func in sorted(SEEDERS, key=lambda s: s[0]):
        func(ctx)
    db.session.flush()
    return ctx
