"""The people import (/admin/users/import) with invitation links, and where accounts come from."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditLog, Invitation, Role, User, utcnow
from tests.conftest import login

GOOD = ("username,display name,email,phone,roles,area code,manager username\n"
        "li.lei,李雷,li.lei@example.com,010-1234,staff,A01,han.mei\n"
        "han.mei,韩梅梅,han.mei@example.com,,manager,A01,\n"
        "wang.hr,王红,,,hr,,\n")
BAD_ROWS = ("li.lei2,李雷二,not-an-email,,staff,A01,\n"
            "staff1,重名,,,staff,A01,\n"
            "x.y,某人,,,boss,Z99,nobody\n")


def upload(client, content, filename="people.csv", lang="en"):
    data = {"file": (io.BytesIO(content.encode("utf-8") if isinstance(content, str) else content),
                     filename)}
    return client.post("/admin/users/import", data=data, content_type="multipart/form-data",
                       headers={"Accept-Language": lang})


def payload(page: str) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)


def account(username):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def test_a_clean_file_is_checked_then_imported_with_invitations(client_as, org):
    admin = client_as("admin")
    checked = upload(admin, GOOD)
    assert checked.status_code == 200 and "3 rows ready, 0 with errors" in checked.text
    assert account("li.lei") is None  # checking changes nothing
    done = admin.post("/admin/users/import/run", data={"payload": payload(checked.text), "mode": "all"},
                      headers={"Accept-Language": "en"})
    assert done.status_code == 200 and "3 people imported" in done.text
    li = account("li.lei")
    assert li.display_name == "李雷" and li.roles == {Role.STAFF} and li.area.code == "A01"
    assert li.manager.username == "han.mei" and li.source == "import" and li.password_hash == ""
    assert account("wang.hr").roles == {Role.HR}
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "user.import")) == 3
    links = re.findall(r'<code class="invite-link">([^<]+)</code>', done.text)
    assert len(links) == 3 and all("/invite/" in link for link in links)
    # The invitation sets the password once; then the person signs in with it.
    path = "/invite/" + links[0].rsplit("/invite/", 1)[1]
    from portal import create_app  # noqa: F401  (the app is the fixture's)
    anonymous = admin.application.test_client()
    assert anonymous.get(path).status_code == 200
    short = anonymous.post(path, data={"new": "short", "confirm": "short"})
    assert short.status_code == 422
    ok = anonymous.post(path, data={"new": "a-good-password", "confirm": "a-good-password"})
    assert ok.status_code == 303 and ok.location.endswith("/login")
    assert login(anonymous, "li.lei", "a-good-password").get("/").status_code == 200
    again = admin.application.test_client().get(path, headers={"Accept-Language": "en"})
    assert again.status_code == 404 and "not valid" in again.text  # one time only


def test_errors_name_the_row_and_column_in_the_readers_language(client_as, org):
    admin = client_as("admin")
    english = upload(admin, GOOD + BAD_ROWS)
    assert "3 rows ready, 3 with errors" in english.text
    # The button says which rows to import; no hidden field of the same name shadows it.
    assert 'name="mode" value="valid"' in english.text and 'name="mode" type="hidden"' not in english.text
    assert "Row 5, column C (email): This is not an e-mail address." in english.text
    assert "Row 6, column A (username): This username is taken." in english.text
    assert "Row 7, column E (roles): Unknown role boss" in english.text
    assert "Row 7, column F (area code): There is no area with the code Z99." in english.text
    assert "Row 7, column G (manager username): There is no active account nobody." in english.text
    chinese = upload(admin, GOOD + BAD_ROWS, lang="zh-CN")
    assert "第5行" in chinese.text and "C (email)" in chinese.text
    # "Import all" is refused while rows have errors; "only the valid rows" imports the three.
    refused = admin.post("/admin/users/import/run", data={"payload": payload(english.text),
                                                          "mode": "all"})
    assert refused.status_code == 422 and account("li.lei") is None
    done = admin.post("/admin/users/import/run", data={"payload": payload(english.text),
                                                       "mode": "valid"},
                      headers={"Accept-Language": "en"})
    assert "3 people imported" in done.text and "3 rows with errors were left out" in done.text
    assert account("li.lei") and account("x.y") is None and account("li.lei2") is None


def test_an_excel_file_and_chinese_headers(client_as, org):
    book = Workbook()
    sheet = book.active
    sheet.append(["用户名", "姓名", "邮箱", "电话", "角色", "营业区", "上级"])
    sheet.append(["zhang.san", "张三", "zs@example.com", 13800000000, "客户经理", "A02", "manager2"])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = upload(client_as("admin"), buffer.getvalue(), filename="people.xlsx")
    assert "1 rows ready, 0 with errors" in checked.text, checked.text


def test_a_title_row_above_a_header_with_units_and_line_numbers_of_the_sheet(client_as, org):
    """The header is found below a title row (the shared reading layer's synonyms: full-width
    brackets, spaces), and errors name the file's own lines."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年12月新入职人员（城东营业区）"])
    sheet.append([])
    sheet.append(["用户名", "姓名", "电子邮件", "角色", "营业区代码", "上级用户名"])
    sheet.append(["zhao.liu", "赵六", "zl@example.com", "客户经理", "A01", "manager1"])
    sheet.append(["qian.qi", "钱七", "not-an-address", "客户经理", "A01", "manager1"])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = upload(client_as("admin"), buffer.getvalue(), filename="people.xlsx")
    assert checked.status_code == 200 and "1 rows ready, 1 with errors" in checked.text
    assert "Row 5, column C (电子邮件)" in checked.text  # the sheet's own line 5


def test_a_file_without_the_name_columns_says_which_in_the_readers_language(client_as, org):
    refused = upload(client_as("admin"), "用户名,电话\nzhao.liu,1\n", lang="zh-CN")
    assert refused.status_code == 422 and "没有找到包含以下列的表头行：姓名" in refused.text
    assert db.session.scalar(select(func.count(User.id))) == len(org.users)


def test_a_tampered_payload_or_a_bad_file_imports_nothing(client_as, org):
    admin = client_as("admin")
    assert admin.post("/admin/users/import/run", data={"payload": "forged", "mode": "all"}
                      ).status_code == 422
    bad = upload(admin, b"\x00\x01not excel", filename="people.xlsx")
    assert bad.status_code == 422 and "not a readable Excel" in bad.text
    assert upload(admin, "a,b\n1,2\n").status_code == 422  # no username/name columns
    assert db.session.scalar(select(func.count(User.id))) == len(org.users)


def test_an_expired_invitation_does_not_work(client_as, client, org):
    from portal.auth.services import create_invitation

    token = create_invitation(org.users["staff2"])
    db.session.commit()
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/invite/{token}").status_code == 404
    assert client.post(f"/invite/{token}", data={"new": "a-good-password",
                                                 "confirm": "a-good-password"}).status_code == 404
    assert client.get("/invite/" + "x" * 43).status_code == 404


def test_admin_sees_where_accounts_come_from_and_sets_local_only(client_as, org):
    admin = client_as("admin")
    listing = admin.get("/admin/users", headers={"Accept-Language": "en"})
    assert "Source" in listing.text and "Local" in listing.text
    page = admin.get("/admin/directory", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "No directory is configured" in page.text
    staff = org.users["manager1"]
    form = admin.get(f"/admin/users/{staff.id}/edit").text
    assert 'name="local_only"' in form
    data = {"username": "manager1", "display_name": staff.display_name, "email": staff.email,
            "phone": staff.phone, "locale": "", "roles": ["manager"], "area_id": staff.area_id,
            "manager_id": 0, "active": "y", "local_only": "y"}
    assert admin.post(f"/admin/users/{staff.id}/edit", data=data).status_code == 303
    assert account("manager1").local_only is True
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity_id == staff.id)
                               .order_by(AuditLog.id.desc())).first()
    assert entry.after["local_only"] is True and entry.before["local_only"] is False


@pytest.mark.slow
@pytest.mark.parametrize("name, make, message", [
    ("bomb.xlsx", "zip_bomb", "unpacks to more than"),
    ("big.csv", "oversize", "larger than"),
    ("nothing.xlsx", None, "not a readable Excel"),
])
def test_bad_files_are_refused_quickly_and_write_nothing(client_as, org, name, make, message):
    """Issue 15 finding 4 for the people import: a decompression bomb, an oversize file and a
    file that is no workbook get a clear error within 2 s and 100 MB, and nobody is added."""
    import resource
    import time

    from tests import make_files

    content = getattr(make_files, make)() if make else b"not a workbook"
    admin = client_as("admin")
    people = db.session.scalar(select(func.count(User.id)))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    response = upload(admin, content, name)
    elapsed = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert message in response.get_data(as_text=True)
    assert elapsed < 2 and grown < 100 * 1024 * 1024
    assert db.session.scalar(select(func.count(User.id))) == people
    assert admin.get("/admin/users/import").status_code == 200  # the server is still up
