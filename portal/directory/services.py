"""Signing in with the directory and keeping local accounts in step with it (the people sync).

A person's local account follows their directory entry: name, e-mail, phone, area (an area
code), manager (another person's entry) and roles (the mapped groups). The account is found by
the entry's stable id first (entryUUID / objectGUID), then its DN, then its username, so a
renamed person keeps their account and their history. Every change is audited.
"""
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal import audit
from portal.directory import client
from portal.directory.client import DirectoryUnavailable, Entry
from portal.directory.config import settings
from portal.extensions import db
from portal.models import SOURCE_DIRECTORY, Area, User, utcnow
from portal.passwords import verify_password

__all__ = ["DirectoryUnavailable", "authenticate", "check_sign_in", "enabled", "status", "sync"]

log = logging.getLogger(__name__)
#: The fields of an account the directory owns (audited before/after).
FIELDS = ["username", "display_name", "email", "phone", "active", "roles", "area_id",
          "manager_id", "directory_dn", "directory_guid", "source"]
#: The last outage this process saw: when, and what (for the admin page; never shown elsewhere).
_last_outage: dict = {}


def enabled() -> bool:
    """Whether a directory is configured."""
    return settings().enabled


def _outage(error: DirectoryUnavailable) -> DirectoryUnavailable:
    _last_outage.update(at=utcnow(), detail=str(error))
    log.warning("directory unavailable: %s", error)
    return error


def authenticate(username: str, password: str) -> User | None:
    """The person's account when the directory knows the username and the password binds as its
    entry (the account created or updated from the entry); None otherwise. A disabled entry or
    one in no mapped group gets None (and its account is deactivated). Raises
    DirectoryUnavailable when the directory cannot be asked."""
    found, user = _authenticate(username, password)
    return user


def _authenticate(username: str, password: str) -> tuple[bool, User | None]:
    """(whether the directory has this person, their account when the password is right)."""
    config = settings()
    if not config.enabled or not username or not password:  # an empty password binds anonymously
        return False, None
    try:
        conn = client.connect(config)
        try:
            entry = client.find_person(config, conn, username)
            if entry is None:
                return False, None
            if client.connect(config, entry.dn, password) is None:
                return True, None
            user = apply_entry(entry, conn=conn)
        finally:
            conn.unbind()
    except DirectoryUnavailable as error:
        raise _outage(error) from error
    return True, (user if user is not None and user.active else None)


def check_sign_in(user: User | None, username: str, password: str) -> User | None:
    """The account these credentials sign in to, or None; for the login view.

    Local-only accounts (break-glass administrators) and every account while no directory is
    configured check the local password. Otherwise the directory decides for the people it has;
    an account it does not have (a local or imported one) checks its local password. Raises
    DirectoryUnavailable when the directory is needed and cannot be asked."""
    if user is not None and (user.local_only or not enabled()):
        return user if verify_password(user, password) else None
    if not enabled():
        verify_password(None, password)  # the same time as a wrong password
        return None
    try:
        found, signed = _authenticate(username, password)
    except DirectoryUnavailable:
        if user is not None and user.source != SOURCE_DIRECTORY and verify_password(user, password):
            return user
        raise
    if not found and user is not None and user.source != SOURCE_DIRECTORY:
        return user if verify_password(user, password) else None
    return signed


def _account_for(entry: Entry) -> User | None:
    if entry.guid:
        user = db.session.scalar(select(User).where(User.directory_guid == entry.guid))
        if user is not None:
            return user
    user = db.session.scalar(select(User).where(func.lower(User.directory_dn) == entry.dn.lower()))
    if user is not None:
        return user
    return db.session.scalar(select(User).where(func.lower(User.username) == entry.username.lower()))


def _area_id(code: str) -> int | None:
    if not code:
        return None
    return db.session.scalar(select(Area.id).where(func.lower(Area.code) == code.lower()))


def apply_entry(entry: Entry, conn=None, depth: int = 0, changes: list | None = None,
                set_manager: bool = True) -> User | None:
    """Create or update the local account of a directory entry, audited; None when the entry
    may not use the portal and has no account. A disabled entry, or one in no mapped group,
    deactivates the account and ends its sessions. With a connection, a manager without an
    account yet is read from the directory and created too."""
    user = _account_for(entry)
    allowed = bool(entry.roles) and not entry.disabled and bool(entry.username)
    if user is None and not allowed:
        return None
    if user is not None and user.local_only:
        return user  # a local-only account is never changed by the directory
    manager_id = _manager_id(entry.manager_dn, conn, depth) if set_manager and entry.manager_dn else None
    created = user is None
    if created:
        user = User(password_hash="", source=SOURCE_DIRECTORY)
        db.session.add(user)
        before = None
    else:
        before = audit.snapshot(user, FIELDS)
    user.username = entry.username[:50]
    user.display_name = (entry.display_name or entry.username)[:100]
    user.email = entry.email[:200]
    user.phone = entry.phone[:40]
    user.directory_dn = entry.dn[:500]
    user.directory_guid = entry.guid[:100] or None
    user.source = SOURCE_DIRECTORY
    user.password_hash = ""
    if allowed:
        user.roles = entry.roles
        user.area_id = _area_id(entry.area_code)
        if set_manager:
            user.manager_id = manager_id if manager_id != user.id else None
    if user.active and not allowed:
        user.session_version += 1  # their open sessions end at the next request
    user.active = allowed
    db.session.flush()
    after = audit.snapshot(user, FIELDS)
    action = "user.directory_create" if created else "user.directory_update"
    if audit.record(action, "user", user.id, before, after) is not None and changes is not None:
        changes.append((action, user.username, _diff(before, after)))
    return user


def _diff(before: dict | None, after: dict) -> dict:
    if before is None:
        return after
    return {k: (before[k], after[k]) for k in after if before.get(k) != after[k]}


def _manager_id(manager_dn: str, conn, depth: int) -> int | None:
    manager = db.session.scalar(select(User).where(func.lower(User.directory_dn) == manager_dn.lower()))
    if manager is not None:
        return manager.id
    if conn is None or depth >= 3:
        return None
    entry = client.read_person(settings(), conn, manager_dn)
    if entry is None:
        return None
    manager = apply_entry(entry, conn=conn, depth=depth + 1)
    return manager.id if manager is not None else None


@dataclass
class SyncReport:
    """What a sync changed (or, in a dry run, would change)."""

    changes: list = field(default_factory=list)
    seen: int = 0


def sync(dry_run: bool = False) -> SyncReport:
    """Create, update and deactivate directory accounts from the directory's people.

    People in a mapped group get an account; a disabled entry, one that left every mapped group
    or one no longer in the directory loses it (deactivated, sessions ended; records stay).
    A dry run rolls everything back and reports what would have changed."""
    config = settings()
    report = SyncReport()
    try:
        conn = client.connect(config)
        try:
            people = client.search_people(config, conn, config.people_filter)
        finally:
            conn.unbind()
    except DirectoryUnavailable as error:
        raise _outage(error) from error
    report.seen = len(people)
    # Two passes: every account first, then the managers, so the order of entries is no matter.
    accounts = {}
    for entry in people:
        user = apply_entry(entry, changes=report.changes, set_manager=False)
        if user is not None:
            accounts[entry.dn.lower()] = (entry, user)
    for entry, user in accounts.values():
        if not user.active or user.local_only:
            continue
        manager = accounts.get(entry.manager_dn.lower())
        wanted = manager[1].id if manager and manager[1].active else None
        if user.manager_id != wanted:
            before = {"manager_id": user.manager_id}
            user.manager_id = wanted
            audit.record("user.directory_update", "user", user.id, before, {"manager_id": wanted})
            report.changes.append(("user.directory_update", user.username,
                                   {"manager_id": (before["manager_id"], wanted)}))
    seen = {user.id for _, user in accounts.values()}
    gone = db.session.scalars(select(User).where(User.source == SOURCE_DIRECTORY, User.active,
                                                 User.local_only.is_(False)))
    for user in gone:
        if user.id not in seen:
            user.active = False
            user.session_version += 1
            audit.record("user.directory_update", "user", user.id, {"active": True}, {"active": False})
            report.changes.append(("user.directory_update", user.username, {"active": (True, False)}))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


@dataclass
class Status:
    """The directory's state for the admin page."""

    configured: bool
    ok: bool = False
    detail: str = ""
    people: int = 0
    last_outage: dict = field(default_factory=dict)


def status() -> Status:
    """Ask the directory now (bind as the service account, count the people)."""
    config = settings()
    result = Status(configured=config.enabled, last_outage=dict(_last_outage))
    if not config.enabled:
        return result
    try:
        conn = client.connect(config)
        try:
            result.people = len(client.search_people(config, conn, config.people_filter))
        finally:
            conn.unbind()
        result.ok = True
    except DirectoryUnavailable as error:
        _outage(error)
        result.detail = str(error)
        result.last_outage = dict(_last_outage)
    return result

