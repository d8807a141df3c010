"""E-mail through the standard library: `email.message.EmailMessage` builds the message (plain
text and HTML alternatives, RFC 2047 headers for Chinese subjects and names), `smtplib` sends it.

Settings (environment `PORTAL_MAIL_*` or instance/config.py `MAIL_*`): MAIL_SERVER, MAIL_PORT,
MAIL_USE_TLS (STARTTLS), MAIL_USE_SSL (implicit TLS), MAIL_USERNAME, MAIL_PASSWORD,
MAIL_DEFAULT_SENDER. Without MAIL_SERVER nothing is sent: the portal works, mail waits in the
outgoing table, and the admin page says so.
"""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


def configured() -> bool:
    """Whether an SMTP server is set."""
    return bool(current_app.config.get("MAIL_SERVER"))


def settings() -> dict:
    """The mail settings as the admin page shows them (never the password)."""
    config = current_app.config
    return {"server": config.get("MAIL_SERVER") or "", "port": _port(),
            "tls": bool(config.get("MAIL_USE_TLS")), "ssl": bool(config.get("MAIL_USE_SSL")),
            "username": config.get("MAIL_USERNAME") or "", "sender": sender()}


def _port() -> int:
    config = current_app.config
    if config.get("MAIL_PORT"):
        return int(config["MAIL_PORT"])
    return 465 if config.get("MAIL_USE_SSL") else 587 if config.get("MAIL_USE_TLS") else 25


def sender() -> str:
    """The From address: MAIL_DEFAULT_SENDER, else portal@<the server's domain>."""
    return current_app.config.get("MAIL_DEFAULT_SENDER") or "portal@localhost"


def build_message(recipient: str, subject: str, text: str, html: str,
                  message_id: str | None = None) -> EmailMessage:
    """A multipart/alternative message: plain text first, then HTML (the library encodes)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender()
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain="portal")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def connect() -> smtplib.SMTP:
    """An open, authenticated SMTP connection by the settings."""
    config = current_app.config
    server, port = config["MAIL_SERVER"], _port()
    timeout = config.get("MAIL_TIMEOUT", 30)
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(server, port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp

