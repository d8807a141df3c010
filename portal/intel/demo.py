"""Demo departments with their people, a complaint handed to finance, and intelligence posts."""
from datetime import timedelta

from sqlalchemy import select

from portal.complaints.services import hand_off
from portal.demo import DEMO_PASSWORD, DemoContext, seeder
from portal.extensions import db
from portal.kernel.clock import utcnow
from portal.models import Role, User
from portal.models.departments import Department, DepartmentMember
from portal.models.feedback import Complaint, ComplaintCategory, ComplaintStatus
from portal.models.intel import IntelKind, IntelPost, IntelPostDepartment, IntelSharing
from portal.passwords import hash_password

DEPARTMENTS = [
    ("FIN", "财务部", "Finance", False, [("fin-head", "钱丽"), ("fin1", "孙倩")]),
    ("PRD", "产品部", "Product", True, [("prod-head", "周明"), ("prod1", "吴磊")]),
]
POSTS = [
    (IntelKind.COMPETITOR, "友商推出千兆宽带半价活动", "友商在城东推出**千兆宽带**首年半价，已有两家客户来电询价。\n\n- 期限：到年底\n- 对象：新装用户", "宽带,价格", IntelSharing.COMPANY),
    (IntelKind.CUSTOMER_NEED, "客户希望专线提供季度巡检报告", "多家大客户希望专线服务每季度提供一份巡检报告。", "专线,服务", IntelSharing.AREA),
    (IntelKind.PRODUCT_FEEDBACK, "云主机控制台登录体验差", "客户反映云主机控制台登录需多次验证，希望简化。", "云服务,体验", IntelSharing.DEPARTMENTS),
    (IntelKind.MARKET_NEWS, "开发区新建产业园年底入驻", "开发区新产业园年底将入驻约四十家企业，是新装机会。", "商机", IntelSharing.AREA),
]


@seeder(75)
def seed_departments_and_intel(ctx: DemoContext) -> None:
    """Two departments with a head and a member each; a billing complaint handed to finance;
    four intelligence posts of the east district."""
    password_hash = db.session.scalar(select(User.password_hash).limit(1)) \
        or hash_password(DEMO_PASSWORD)
    departments = {}
    for code, name, name_en, is_product, people in DEPARTMENTS:
        department = Department(code=code, name=name, name_en=name_en, is_product=is_product,
                                members=[])
        for i, (username, display) in enumerate(people):
            user = User(username=username, display_name=display, password_hash=password_hash,
                        email=f"{username}@example.com")
            user.roles = [Role.STAFF]
            db.session.add(user)
            db.session.flush()
            ctx.users[username] = user
            department.members.append(DepartmentMember(user_id=user.id))
            if i == 0:
                department.head_id = user.id
        db.session.add(department)
        departments[code] = department
    db.session.flush()

    billing = db.session.scalar(select(Complaint).where(
        Complaint.category == ComplaintCategory.BILLING,
        Complaint.status.in_([ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS]))
        .order_by(Complaint.id).limit(1))
    if billing is not None:
        hand_off(billing, departments["FIN"], billing.owner_id, "账单核对需要财务部处理退费。")
        billing.owner_id = ctx.users["fin1"].id

    author, area = ctx.users["staff1"], ctx.areas[0]
    now = utcnow()
    for days, (kind, title, body, tags, sharing) in enumerate(POSTS):
        post = IntelPost(kind=kind, title=title, body=body, tags=tags, author_id=author.id,
                         area_id=area.id, sharing=sharing,
                         created_at=now - timedelta(days=days * 3))
        if sharing == IntelSharing.DEPARTMENTS:
            post.departments = [IntelPostDepartment(department_id=departments["PRD"].id)]
            post.passed_at = now - timedelta(days=days * 3 - 1)
        db.session.add(post)
    db.session.flush()
