"""People import: a CSV or Excel file of people checked row by row, then imported with an
invitation link per new person (no typed passwords)."""
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal import audit
from portal.admin.services import needs_area
from portal.auth.services import create_invitation
from portal.extensions import db
from portal.spreadsheets import reading
from portal.spreadsheets import values as cells
from portal.spreadsheets.reading import SpreadsheetError
from portal.models import ROLE_LABELS, SOURCE_IMPORT, Area, Role, User

#: The columns of the file: key → the header names accepted (English and Chinese).
COLUMNS = {
    "username": ("username", "用户名"),
    "display_name": ("display name", "display_name", "name", "姓名"),
    "email": ("email", "e-mail", "邮箱", "电子邮件"),
    "phone": ("phone", "电话"),
    "roles": ("roles", "role", "角色"),
    "area_code": ("area code", "area_code", "area", "营业区", "营业区代码"),
    "manager_username": ("manager username", "manager_username", "manager", "上级", "上级用户名"),
}
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+()\- ]{1,40}$")
MAX_ROWS = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class PersonRow:
    """One row of the file: its number in the file, its values and its errors."""

    number: int
    values: dict
    errors: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return not self.errors


def read_rows(filename: str, content: bytes) -> list[list[str]]:
    """The cells of a .csv, .xlsx or .xls file as text, through the spreadsheet reading layer
    (encodings, delimiters, and its limits: upload size, a zipped workbook's unpacked size
    checked before unpacking, reading stopped past the row limit)."""
    try:
        table = reading.read(filename or "", content, max_rows=MAX_ROWS + 2)
    except SpreadsheetError as error:
        raise ImportFileError(str(error)) from error
    return [[_text(v) for v in row] for row in table.rows]


def _text(value) -> str:
    """A cell as the person typed it: a whole number stored as a float (a phone number in
    Excel) without its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _role_names() -> dict[str, Role]:
    """A role by its value or its label in any of the UI's languages."""
    names = {r.value: r for r in Role}
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            for role, label in ROLE_LABELS.items():
                names[str(label).lower()] = role
    return names


def check(rows: list[list[str]]) -> tuple[list[PersonRow], dict]:
    """Each data row with its errors (in the reader's language, naming the file's row and
    column), and the header's column positions."""
    if not any(any(row) for row in rows):
        raise ImportFileError(_("The file is empty."))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(_("A file may hold at most %(n)d people.", n=MAX_ROWS))
    found = cells.find_header(rows, COLUMNS, ("username", "display_name"))
    if found is None:  # the file's best guess at a header names the columns it lacks
        _row, named = cells.best_header_guess(rows, COLUMNS)
        labels = {"username": _("Username"), "display_name": _("Display name")}
        missing = [labels[k] for k in ("username", "display_name") if k not in named]
        raise ImportFileError(_("No header row names the columns: %(names)s. Put a header "
                                "row above the data (title rows above it are fine).",
                                names=", ".join(missing)))
    header_index, positions = found
    people = []
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if not any(row):
            continue
        values = {k: (row[i] if i < len(row) else "") for k, i in positions.items()}
        people.append(PersonRow(number, {k: values.get(k, "") for k in COLUMNS}))
    if not people:  # e.g. every cell a formula saved without its value
        raise ImportFileError(_("The file has a header but no rows."))
    _validate(people, positions, [h.strip() for h in rows[header_index]])
    return people, positions


def _validate(people: list[PersonRow], positions: dict, header: list[str]) -> None:
    def where(key):  # the column's letter and its heading in the file
        index = positions.get(key)
        return f"{_column_letter(index)} ({header[index]})" if index is not None else COLUMNS[key][0]

    def fail(row, key, message):
        row.errors.append(_("Row %(row)d, column %(column)s: %(error)s",
                            row=row.number, column=where(key), error=message))

    areas = {code.lower(): code for code in db.session.scalars(select(Area.code))}
    role_names = _role_names()
    seen: dict[str, int] = {}
    in_file = {p.values["username"].lower() for p in people}
    for row in people:
        v = row.values
        username = v["username"]
        if not username:
            fail(row, "username", _("The username is missing."))
        elif not USERNAME.match(username):
            fail(row, "username", _("Use letters, digits, '.', '-' and '_' only (at most 50)."))
        elif username.lower() in seen:
            fail(row, "username", _("The same username is on row %(row)d.", row=seen[username.lower()]))
        elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
            fail(row, "username", _("This username is taken."))
        if username:
            seen.setdefault(username.lower(), row.number)
        if not v["display_name"]:
            fail(row, "display_name", _("The name is missing."))
        elif len(v["display_name"]) > 100 or any(ord(c) < 32 for c in v["display_name"]):
            fail(row, "display_name", _("Use at most 100 characters, without control characters."))
        if v["email"] and (len(v["email"]) > 200 or not EMAIL.match(v["email"])):
            fail(row, "email", _("This is not an e-mail address."))
        if v["phone"] and not PHONE.match(v["phone"]):
            fail(row, "phone", _("Use digits, spaces and + ( ) - only."))
        roles = set()
        for name in re.split(r"[,;，；、\s]+", v["roles"].strip()) if v["roles"].strip() else ["staff"]:
            role = role_names.get(name.lower())
            if role is None:
                fail(row, "roles", _("Unknown role %(name)s: use staff, manager, hr or admin.", name=name))
            else:
                roles.add(role.value)
        v["role_list"] = sorted(roles)
        if v["area_code"] and v["area_code"].lower() not in areas:
            fail(row, "area_code", _("There is no area with the code %(code)s.", code=v["area_code"]))
        elif not v["area_code"] and needs_area(roles):
            fail(row, "area_code", _("Account managers and area managers belong to an area."))
        manager = v["manager_username"]
        if manager:
            if manager.lower() == username.lower():
                fail(row, "manager_username", _("A person cannot be their own manager."))
            elif manager.lower() not in in_file and not db.session.scalar(
                    select(User.id).where(func.lower(User.username) == manager.lower(), User.active)):
                fail(row, "manager_username", _("There is no active account %(name)s.", name=manager))
    # A manager named from the file must arrive in the same import.
    bad = {p.values["username"].lower() for p in people if p.errors}
    for row in people:
        manager = row.values["manager_username"].lower()
        if manager and manager in bad and manager not in {row.values["username"].lower()} and row.good:
            fail(row, "manager_username", _("The manager's own row has errors."))


def import_people(people: list[PersonRow]) -> list[tuple[User, str]]:
    """Create the accounts of the good rows (audited), each with an invitation; returns the
    people and their invitation tokens."""
    areas = {a.code.lower(): a.id for a in db.session.scalars(select(Area))}
    made: dict[str, User] = {}
    invited = []
    for row in people:
        if not row.good:
            continue
        v = row.values
        user = User(username=v["username"], display_name=v["display_name"], email=v["email"],
                    phone=v["phone"], password_hash="", source=SOURCE_IMPORT,
                    area_id=areas.get(v["area_code"].lower()))
        user.roles = v["role_list"]
        db.session.add(user)
        made[user.username.lower()] = user
    db.session.flush()
    for row in people:
        if not row.good:
            continue
        user = made[row.values["username"].lower()]
        manager = row.values["manager_username"].lower()
        if manager:
            user.manager = made.get(manager) or db.session.scalar(
                select(User).where(func.lower(User.username) == manager))
        db.session.flush()
        audit.record("user.import", "user", user.id, None,
                     audit.snapshot(user, ["username", "display_name", "email", "phone", "roles",
                                           "area_id", "manager_id", "source"]))
        invited.append((user, create_invitation(user)))
    return invited


IMPORT_HELP = _l("Columns: username, display name, email, phone, roles (staff, manager, hr, admin; "
                 "several separated by commas), area code, manager username. The first row names "
                 "the columns.")
