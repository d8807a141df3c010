"""The directory's settings (PORTAL_LDAP_*), read from the app's configuration."""
import json
from dataclasses import dataclass, field

from flask import current_app

#: Defaults of the settings; README's "Company directory" section has OpenLDAP and AD examples.
DEFAULTS = {
    "LDAP_URL": "",  # ldap://host:389 or ldaps://host:636; empty: no directory
    "LDAP_STARTTLS": False,
    "LDAP_CA_FILE": "",  # the CA that signed the server's certificate (else the system's)
    "LDAP_BIND_DN": "",  # the service account the searches use (empty: anonymous)
    "LDAP_BIND_PASSWORD": "",
    "LDAP_USER_BASE": "",
    "LDAP_USER_FILTER": "(uid={username})",  # AD: (sAMAccountName={username})
    "LDAP_PEOPLE_FILTER": "(objectClass=inetOrgPerson)",  # AD: (objectCategory=person)
    "LDAP_DISABLED_FILTER": "(employeeType=disabled)",
    # AD: (userAccountControl:1.2.840.113556.1.4.803:=2)
    "LDAP_USERNAME_ATTRIBUTE": "uid",  # AD: sAMAccountName
    "LDAP_NAME_ATTRIBUTE": "displayName",
    "LDAP_EMAIL_ATTRIBUTE": "mail",
    "LDAP_PHONE_ATTRIBUTE": "telephoneNumber",
    "LDAP_MANAGER_ATTRIBUTE": "manager",
    "LDAP_GUID_ATTRIBUTE": "entryUUID",  # AD: objectGUID
    "LDAP_AREA_ATTRIBUTE": "departmentNumber",  # its value is an area code; "ou": the entry's OU
    "LDAP_GROUP_ROLES": "{}",  # JSON: {"group DN": "staff|manager|hr|admin"}
    "LDAP_TIMEOUT": 5,
}
ROLE_NAMES = {"staff", "manager", "hr", "admin"}


@dataclass(frozen=True)
class DirectorySettings:
    """One reading of the PORTAL_LDAP_* settings."""

    url: str
    starttls: bool
    ca_file: str
    bind_dn: str
    bind_password: str
    user_base: str
    user_filter: str
    people_filter: str
    disabled_filter: str
    username_attribute: str
    name_attribute: str
    email_attribute: str
    phone_attribute: str
    manager_attribute: str
    guid_attribute: str
    area_attribute: str
    timeout: int
    group_roles: dict = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.url)


def _flag(value) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


def settings() -> DirectorySettings:
    """The settings of the running app; PORTAL_LDAP_X in the environment arrives as LDAP_X."""
    config = current_app.config
    value = {key: config.get(key, default) for key, default in DEFAULTS.items()}
    roles = value["LDAP_GROUP_ROLES"]
    if isinstance(roles, str):
        roles = json.loads(roles or "{}")
    unknown = set(roles.values()) - ROLE_NAMES
    if unknown:
        raise ValueError(f"PORTAL_LDAP_GROUP_ROLES names unknown roles: {sorted(unknown)}")
    return DirectorySettings(
        url=value["LDAP_URL"], starttls=_flag(value["LDAP_STARTTLS"]),
        ca_file=value["LDAP_CA_FILE"], bind_dn=value["LDAP_BIND_DN"],
        bind_password=value["LDAP_BIND_PASSWORD"], user_base=value["LDAP_USER_BASE"],
        user_filter=value["LDAP_USER_FILTER"], people_filter=value["LDAP_PEOPLE_FILTER"],
        disabled_filter=value["LDAP_DISABLED_FILTER"],
        username_attribute=value["LDAP_USERNAME_ATTRIBUTE"],
        name_attribute=value["LDAP_NAME_ATTRIBUTE"], email_attribute=value["LDAP_EMAIL_ATTRIBUTE"],
        phone_attribute=value["LDAP_PHONE_ATTRIBUTE"],
        manager_attribute=value["LDAP_MANAGER_ATTRIBUTE"],
        guid_attribute=value["LDAP_GUID_ATTRIBUTE"], area_attribute=value["LDAP_AREA_ATTRIBUTE"],
        timeout=int(value["LDAP_TIMEOUT"]),
        group_roles={dn.lower(): role for dn, role in roles.items()},
    )
