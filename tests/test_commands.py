"""The commands operators rely on: seed-demo and create-user."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Area, ProductLine, Role, User
from tests.conftest import login


def users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)))


@pytest.mark.slow  # seeds the whole demo company
def test_seed_demo_fills_an_empty_database(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    names = set(db.session.scalars(select(User.username)))
    assert {"admin", "hr", "manager1", "manager2", "staff1", "staff2", "staff3"} <= names
    assert users() >= 7 + 20  # about ten more account managers per area
    assert db.session.scalar(select(func.count(Area.id))) == 2
    assert db.session.scalar(select(func.count(ProductLine.id))) >= 3
    staff1 = db.session.scalar(select(User).where(User.username == "staff1"))
    staff3 = db.session.scalar(select(User).where(User.username == "staff3"))
    assert staff1.manager.username == "manager1" and staff1.area.head.username == "manager1"
    assert staff3.manager.username == "manager2"
    assert staff1.display_name == "李娜"
    assert login(app.test_client(), "manager2")  # the documented password works


@pytest.mark.slow  # seeds the whole demo company
def test_seed_demo_refuses_a_database_with_data(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    count = users()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "--reset" in result.output
    assert users() == count
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0 and users() == count


@pytest.mark.slow  # seeds the whole demo company
def test_seed_demo_reset_starts_over(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    admin.display_name = "改过的名字"
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--reset"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(User.display_name).where(User.username == "admin")) == "系统管理员"


def test_create_user(app, runner):
    result = runner.invoke(args=["create-user", "root2", "--name", "IT 管理员", "--role", "admin",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "root2"))
    assert user.roles == {Role.ADMIN}
    assert login(app.test_client(), "root2", "a-long-password")
    again = runner.invoke(args=["create-user", "root2", "--name", "x", "--role", "admin",
                                "--password", "a-long-password"])
    assert again.exit_code != 0 and "taken" in again.output
    short = runner.invoke(args=["create-user", "root3", "--name", "x", "--role", "admin",
                                "--password", "short"])
    assert short.exit_code != 0
