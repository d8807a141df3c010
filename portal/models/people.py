"""People and organisation: users, their roles, areas and the reporting line."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import BilingualName, utcnow


class Role(enum.StrEnum):
    """What a person does in the portal; one person may hold several."""

    STAFF = "staff"
    MANAGER = "manager"
    HR = "hr"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role's name in the reader's language."""
        return str(ROLE_LABELS[self])


#: Where an account comes from: created here, read from the company directory, or imported.
SOURCE_LOCAL = "local"
SOURCE_DIRECTORY = "directory"
SOURCE_IMPORT = "import"
SOURCE_LABELS = {
    SOURCE_LOCAL: _l("Local"),
    SOURCE_DIRECTORY: _l("Directory"),
    SOURCE_IMPORT: _l("Imported"),
}


ROLE_LABELS = {
    Role.STAFF: _l("Account manager"),
    Role.MANAGER: _l("Area manager"),
    Role.HR: _l("HR"),
    Role.ADMIN: _l("Administrator"),
}


class Area(BilingualName, db.Model):
    """A sales area (营业区) with its head."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short unique code used in exports and URLs of other systems, e.g. "A01".
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: The head of the area (营业区经理); sees everyone in it.
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    head: Mapped["User | None"] = relationship(foreign_keys=[head_id], post_update=True)
    members: Mapped[list["User"]] = relationship(
        back_populates="area", foreign_keys="User.area_id", order_by="User.username"
    )


class User(UserMixin, db.Model):
    """A person who signs in to the portal."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    #: The name people know the person by, in Chinese or English.
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: The UI language the person chose: a key of LANGUAGES, or None to follow the browser.
    locale: Mapped[str | None] = mapped_column(String(20))
    #: Inactive people cannot sign in; their records stay.
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    #: Part of the session id: raising it ends every session signed in with the old value.
    session_version: Mapped[int] = mapped_column(default=1)
    #: Failed sign-ins since the last success; past LOGIN_FREE_ATTEMPTS the account backs off.
    failed_logins: Mapped[int] = mapped_column(default=0)
    #: No sign-in is tried before this time (UTC).
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Where the account comes from: SOURCE_LOCAL, SOURCE_DIRECTORY or SOURCE_IMPORT.
    source: Mapped[str] = mapped_column(String(20), default=SOURCE_LOCAL,
                                        server_default=SOURCE_LOCAL)
    #: Signs in with its local password only, never through the directory (break-glass admins).
    local_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The directory entry's DN and its stable id (entryUUID, objectGUID): a rename keeps the id.
    directory_dn: Mapped[str | None] = mapped_column(String(500))
    directory_guid: Mapped[str | None] = mapped_column(String(100), unique=True)

    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    area: Mapped[Area | None] = relationship(back_populates="members", foreign_keys=[area_id])
    #: The person this one reports to.
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    manager: Mapped["User | None"] = relationship(
        remote_side=[id], back_populates="reports", foreign_keys=[manager_id]
    )
    reports: Mapped[list["User"]] = relationship(
        back_populates="manager", foreign_keys=[manager_id], order_by="User.username"
    )
    #: Loaded when read: pages name other people (owners, attendees, authors) far more often
    #: than they read their roles, and a selectin default cost a statement for every such page.
    #: Who reads the roles of a list of people loads them with the list (selectinload).
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        """The session id: the user id and the session version, so a version bump logs out."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users."""
        return self.active

    @property
    def roles(self) -> set[Role]:
        """The roles this person holds."""
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles: Role | str) -> bool:
        """Whether the person holds any of these roles."""
        return any(Role(r) in self.roles for r in roles)

    @property
    def source_label(self) -> str:
        """Where the account comes from, in the reader's language."""
        return str(SOURCE_LABELS.get(self.source, self.source))

    def __str__(self) -> str:
        return self.display_name


class UserRole(db.Model):
    """One role held by one person."""

    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint("role IN ('staff', 'manager', 'hr', 'admin')", name="role_known"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(
        enum_column(Role),
        primary_key=True,
    )
    user: Mapped[User] = relationship(back_populates="role_rows")


class Invitation(db.Model):
    """A one-time, expiring link a new person follows to set their first password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()
