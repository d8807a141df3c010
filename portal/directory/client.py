"""Talking to the directory with ldap3: connections (TLS), the person search and group members."""
import ssl
import uuid
from dataclasses import dataclass, field

from ldap3 import BASE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from portal.directory.config import DirectorySettings


class DirectoryUnavailable(Exception):
    """The directory cannot be reached or refuses the service account (an outage, not a no)."""


@dataclass
class Entry:
    """What the portal reads of one person's directory entry."""

    dn: str
    username: str
    display_name: str
    email: str = ""
    phone: str = ""
    manager_dn: str = ""
    guid: str = ""
    area_code: str = ""
    disabled: bool = False
    roles: set[str] = field(default_factory=set)


def user_filter(config: DirectorySettings, username: str) -> str:
    """The search filter for a typed username, escaped per RFC 4515 so `*)(uid=*` stays text."""
    return config.user_filter.replace("{username}", escape_filter_chars(username))


def _server(config: DirectorySettings) -> Server:
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file or None,
              version=ssl.PROTOCOL_TLS_CLIENT)
    return Server(config.url, use_ssl=config.url.lower().startswith("ldaps://"), tls=tls,
                  connect_timeout=config.timeout, get_info="NO_INFO")


def connect(config: DirectorySettings, dn: str | None = None, password: str | None = None):
    """A bound connection, as the service account or (dn, password); None when the directory
    says the credentials are wrong. Raises DirectoryUnavailable when it cannot be reached."""
    as_service = dn is None
    if as_service:
        dn, password = config.bind_dn or None, config.bind_password or None
    try:
        conn = Connection(_server(config), user=dn, password=password,
                          receive_timeout=config.timeout, raise_exceptions=False,
                          read_only=True)
        conn.open()
        if config.starttls and not conn.server.ssl and not conn.start_tls():
            raise DirectoryUnavailable(f"StartTLS refused: {conn.result.get('description')}")
        if conn.bind():
            return conn
        result = dict(conn.result or {})
        conn.unbind()
    except LDAPException as error:
        raise DirectoryUnavailable(f"{type(error).__name__}: {error}") from error
    if as_service:
        raise DirectoryUnavailable(f"the service account cannot bind: {result.get('description')}")
    return None


def _first(entry, name: str) -> str:
    if not name or name not in entry["attributes"]:
        return ""
    value = entry["attributes"][name]
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bytes):  # AD's objectGUID
        return str(uuid.UUID(bytes_le=value)) if len(value) == 16 else value.hex()
    return str(value).strip()


def _area_from_ou(dn: str) -> str:
    for attribute, value, _ in parse_dn(dn):
        if attribute.lower() == "ou":
            return value
    return ""


def _check(conn: Connection) -> None:
    """An error result other than 'no such object' is an outage."""
    if conn.result and conn.result.get("result") not in (0, 32, 4):  # ok, no such object, size
        raise DirectoryUnavailable(f"search failed: {conn.result.get('description')}")


def search_people(config: DirectorySettings, conn: Connection, ldap_filter: str) -> list[Entry]:
    """The people entries under the user base matching the filter, with their roles and flags."""
    attributes = [a for a in (config.username_attribute, config.name_attribute, "cn",
                              config.email_attribute, config.phone_attribute,
                              config.manager_attribute, config.guid_attribute,
                              config.area_attribute if config.area_attribute != "ou" else "")
                  if a]
    try:
        conn.search(config.user_base, ldap_filter, SUBTREE, attributes=attributes)
        _check(conn)
        found = list(conn.response or [])
        disabled: set[str] = set()
        if found and config.disabled_filter:
            conn.search(config.user_base, f"(&{ldap_filter}{config.disabled_filter})", SUBTREE,
                        attributes=["1.1"])
            _check(conn)
            disabled = {e["dn"].lower() for e in conn.response or [] if e.get("type") == "searchResEntry"}
        members = group_members(config, conn)
    except LDAPException as error:
        raise DirectoryUnavailable(f"{type(error).__name__}: {error}") from error
    people = []
    for raw in found:
        if raw.get("type") != "searchResEntry":
            continue
        dn = raw["dn"]
        area = (_area_from_ou(dn) if config.area_attribute.lower() == "ou"
                else _first(raw, config.area_attribute))
        people.append(Entry(
            dn=dn, username=_first(raw, config.username_attribute),
            display_name=_first(raw, config.name_attribute) or _first(raw, "cn"),
            email=_first(raw, config.email_attribute), phone=_first(raw, config.phone_attribute),
            manager_dn=_first(raw, config.manager_attribute),
            guid=_first(raw, config.guid_attribute), area_code=area,
            disabled=dn.lower() in disabled,
            roles={role for group, role in config.group_roles.items()
                   if dn.lower() in members.get(group, set())}))
    return people


def group_members(config: DirectorySettings, conn: Connection) -> dict[str, set[str]]:
    """Each mapped group's member DNs, lower-cased (groupOfNames and AD groups: `member`)."""
    members = {}
    for group in config.group_roles:
        conn.search(group, "(objectClass=*)", BASE, attributes=["member"])
        _check(conn)
        values = []
        for raw in conn.response or []:
            if raw.get("type") == "searchResEntry":
                values = raw["attributes"].get("member", [])
        members[group] = {str(v).lower() for v in values}
    return members


def find_person(config: DirectorySettings, conn: Connection, username: str) -> Entry | None:
    """The one entry the typed username names; None when there is none (or, oddly, several)."""
    people = search_people(config, conn, user_filter(config, username))
    return people[0] if len(people) == 1 else None


def read_person(config: DirectorySettings, conn: Connection, dn: str) -> Entry | None:
    """The person at this DN (a manager), or None."""
    attributes = [config.username_attribute]
    try:
        conn.search(dn, config.people_filter, BASE, attributes=attributes)
        _check(conn)
    except LDAPException:
        return None
    for raw in conn.response or []:
        if raw.get("type") == "searchResEntry":
            username = _first(raw, config.username_attribute)
            if username:
                return find_person(config, conn, username)
    return None
