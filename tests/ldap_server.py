"""A throw-away OpenLDAP (scripts/ldap-server) for the directory tests, and a test CA for TLS."""
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DN = "cn=admin,dc=example,dc=com"
ADMIN_PASSWORD = "admin-secret"
GROUPS = "ou=groups,dc=example,dc=com"
PEOPLE = "ou=people,dc=example,dc=com"


def slapd_missing() -> str | None:
    """Why slapd cannot run here (None when it can)."""
    if shutil.which("slapd") or os.path.exists("/usr/sbin/slapd"):
        return None
    return "slapd is not installed (scripts/setup installs the Debian packages slapd, ldap-utils)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LdapServer:
    """One running slapd loaded with tests/ldap/company.ldif."""

    def __init__(self, tls: dict | None = None):
        self.port, self.ldaps_port = free_port(), free_port()
        env = {**os.environ, "LDAP_PORT": str(self.port), "LDAPS_PORT": str(self.ldaps_port),
               **(tls or {})}
        out = subprocess.run([str(ROOT / "scripts/ldap-server")], env=env, check=True,
                             capture_output=True, text=True, timeout=120).stdout
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        self.dir, self.url = values["DIR"], values["URL"]

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts/ldap-server"), "stop", self.dir], check=False)

    def admin(self):
        """A connection bound as the directory's root, to change entries in a test."""
        from ldap3 import Connection, Server

        return Connection(Server(self.url), ADMIN_DN, ADMIN_PASSWORD, auto_bind=True)


def settings_for(url: str) -> dict:
    """PORTAL_LDAP_* settings (as app.config keys) for the test company."""
    return {
        "LDAP_URL": url,
        "LDAP_BIND_DN": f"uid=svc-portal,{PEOPLE}",
        "LDAP_BIND_PASSWORD": "svc-secret",
        "LDAP_USER_BASE": PEOPLE,
        "LDAP_GROUP_ROLES": {f"cn=portal-staff,{GROUPS}": "staff",
                             f"cn=portal-managers,{GROUPS}": "manager",
                             f"cn=portal-hr,{GROUPS}": "hr"},
        "LDAP_TIMEOUT": 3,
    }


@pytest.fixture
def ldap_server():
    reason = slapd_missing()
    if reason:
        pytest.skip(reason)
    server = LdapServer()
    yield server
    server.stop()


@pytest.fixture
def directory(app, ldap_server, monkeypatch):
    """The app signing in with the running test directory."""
    for key, value in settings_for(ldap_server.url).items():
        monkeypatch.setitem(app.config, key, value)
    return ldap_server


def make_ca(folder: Path) -> dict:
    """A self-signed CA and a server certificate for 127.0.0.1 it signed (openssl CLI): the TLS
    env of scripts/ldap-server, plus OTHER_CA (a CA that signed nothing)."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)

    for name, subject in (("ca", "/CN=Portal test CA"), ("other", "/CN=Another CA")):
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}-key.pem", "-out", f"{name}.pem", "-days", "30", "-subj", subject)
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
        "-CAcreateserial", "-out", "cert.pem", "-days", "30", "-extfile", "san.ext")
    for path in folder.iterdir():
        path.chmod(0o644)
    folder.chmod(0o755)
    return {"LDAP_TLS_CERT": str(folder / "cert.pem"), "LDAP_TLS_KEY": str(folder / "key.pem"),
            "LDAP_TLS_CA": str(folder / "ca.pem"), "OTHER_CA": str(folder / "other.pem")}
