"""Small builders of records for tests; each returns the flushed object."""
import re
from itertools import count

from portal.extensions import db
from portal.models import Area, CustomerType, ProductLine, Role, User
from portal.passwords import hash_password

_seq = count(1)


def make_area(code: str | None = None, name: str | None = None, head: User | None = None) -> Area:
    """An area with a unique code."""
    n = next(_seq)
    area = Area(code=code or f"T{n:03d}", name=name or f"测试营业区{n}", name_en=f"Test area {n}",
                head=head)
    db.session.add(area)
    db.session.flush()
    return area


def make_user(username: str | None = None, roles=(Role.STAFF,), area: Area | None = None,
              manager: User | None = None, password: str = "portal-demo",
              display_name: str | None = None, active: bool = True) -> User:
    """A person with the given roles and place in the organisation."""
    n = next(_seq)
    user = User(username=username or f"user{n}", display_name=display_name or f"测试用户{n}",
                password_hash=hash_password(password), area=area, manager=manager,
                active=active)
    user.roles = roles
    db.session.add(user)
    db.session.flush()
    return user


def _make_reference(model, code: str | None, prefix: str, name: str, name_en: str):
    """A product line or customer type with a unique code."""
    n = next(_seq)
    row = model(code=code or f"{prefix}{n}", name=f"{name}{n}", name_en=f"{name_en} {n}")
    db.session.add(row)
    db.session.flush()
    return row


def make_product_line(code: str | None = None) -> ProductLine:
    """A product line with a unique code."""
    return _make_reference(ProductLine, code, "PL", "产品线", "Line")


def make_customer_type(code: str | None = None) -> CustomerType:
    """A customer type with a unique code."""
    return _make_reference(CustomerType, code, "CT", "客户类型", "Type")


def build_url(app, rule, args) -> str:
    """The URL of a rule with sample values for its arguments."""
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})


def token_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def csrf_login(client, username="admin"):
    token = token_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": "portal-demo",
                                           "csrf_token": token})
    assert response.status_code == 302
    return token_from(client.get("/").text)
