"""Builders of departments for the tests of departments, hand-offs, intelligence and care."""
from portal.extensions import db
from portal.models.departments import Department, DepartmentMember
from tests.factories import make_user


def make_department(code: str, head=None, members=(), is_product: bool = False) -> Department:
    """A department with its head and members (people made with make_user)."""
    department = Department(code=code, name=f"{code}部", name_en=code, is_product=is_product,
                            head_id=head.id if head else None,
                            members=[DepartmentMember(user_id=u.id) for u in members])
    db.session.add(department)
    db.session.flush()
    return department


def department_person(username: str):
    """A staff-role person without an area (a department's people)."""
    return make_user(username)
