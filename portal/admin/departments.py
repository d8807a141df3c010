"""Admin › departments: the company's departments besides the areas, their head and members."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from portal import audit, people_picker
from portal.admin import bp
from portal.extensions import db
from portal.htmx import render
from portal.kernel.forms import NoControlCharacters, PeopleField, PersonField, strip_filter
from portal.models.departments import Department, DepartmentMember

TEXT = [NoControlCharacters()]


class DepartmentForm(FlaskForm):
    """A department: code, names, head and members."""

    code = StringField(_l("Code"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=20), *TEXT])
    name = StringField(_l("Name (Chinese)"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=100), *TEXT])
    name_en = StringField(_l("Name (English)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=100), *TEXT])
    head_id = PersonField(_l("Head"), scope="admin.active_people")
    member_ids = PeopleField(_l("Members"), scope="admin.active_people")


def _fill(form: DepartmentForm, department: Department | None = None) -> None:
    """The head and members are picked among the active people (searched, not listed)."""
    people_picker.bind(form.head_id)
    people_picker.bind(form.member_ids)
    if department is not None:  # people already members stay, active or not
        form.member_ids.keep = {m.user_id for m in department.members}


def _save(form: DepartmentForm, department: Department) -> str | None:
    """Write the form into the department; an error message when the code is taken or a member
    already sits in another department."""
    taken = db.session.scalar(select(Department.id).where(Department.code == form.code.data,
                                                          Department.id != (department.id or 0)))
    if taken:
        form.code.errors.append(_("This code is taken."))
        return "code"
    wanted = set(form.member_ids.data or [])
    elsewhere = db.session.scalars(select(DepartmentMember.user_id).where(
        DepartmentMember.user_id.in_(wanted),
        DepartmentMember.department_id != (department.id or 0))).all()
    if elsewhere:
        form.member_ids.errors.append(_("A person belongs to one department only."))
        return "members"
    department.code, department.name = form.code.data, form.name.data
    department.name_en = form.name_en.data or ""
    department.head_id = form.head_id.data or None
    department.members = ([m for m in department.members if m.user_id in wanted]
                          + [DepartmentMember(user_id=u) for u in sorted(
                              wanted - {m.user_id for m in department.members})])
    return None


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    """The departments with their head and members; a form to add one."""
    form = DepartmentForm()
    _fill(form)
    if form.validate_on_submit():
        department = Department(members=[])
        if _save(form, department) is None:
            db.session.add(department)
            db.session.flush()
            audit.record("department.create", "department", department.id, None,
                         {"code": department.code})
            db.session.commit()
            flash(_("Department %(name)s added.", name=department.label), "success")
            return redirect(url_for("admin.departments"), code=303)
        db.session.rollback()
    rows = db.session.scalars(select(Department).order_by(Department.code).options(
        selectinload(Department.head),
        selectinload(Department.members).selectinload(DepartmentMember.user))).all()
    return render("admin/departments.html", rows=rows, form=form,
                  status=422 if request.method == "POST" else 200)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int):
    """Change a department's names, head and members."""
    department = db.get_or_404(Department, department_id)
    form = DepartmentForm(obj=department)
    _fill(form, department)
    if request.method == "GET":
        form.head_id.data = department.head_id
        form.member_ids.data = [m.user_id for m in department.members]
    if form.validate_on_submit():
        before = {"head_id": department.head_id,
                  "members": sorted(m.user_id for m in department.members)}
        if _save(form, department) is None:
            audit.record("department.update", "department", department.id, before,
                         {"head_id": department.head_id,
                          "members": sorted(form.member_ids.data or [])})
            db.session.commit()
            flash(_("Department %(name)s saved.", name=department.label), "success")
            return redirect(url_for("admin.departments"), code=303)
        db.session.rollback()
    return render("admin/department_edit.html", department=department, form=form,
                  status=422 if request.method == "POST" else 200)
