"""E-mail through a real SMTP server (aiosmtpd, started by the test): headers, the RFC 2047
Chinese subject, plain and HTML parts, working links; claimed once, sent once; no server set."""
import email
import email.policy
import socket
from datetime import date, datetime, timedelta
from email.header import decode_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from portal.extensions import db
from portal.models.notifications import Channel, NotificationPreference, OutgoingMail
from portal.reminders.services import run_reminder_pass, send_pending_mail
from tests.comm_factories import make_action, make_meeting
from tests.feedback_factories import make_complaint
from tests.feedback_factories import make_customer as make_fb_customer

NOW = datetime(2026, 11, 26, 2, 0)


class Inbox(Message):
    """Keeps every message that arrives, as received bytes."""

    def __init__(self):
        super().__init__()
        self.received = []

    def handle_message(self, message):
        self.received.append(message)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free local port; the app configured to send to it."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's controller cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER",
                                            "BASE_URL")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_DEFAULT_SENDER="门户 <portal@example.com>",
                      BASE_URL="https://portal.example.com")
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


def _raw(message) -> bytes:
    return message.as_bytes()


def test_urgent_mail_arrives_in_chinese_with_encoded_subject_and_links(app, org, smtp_server,
                                                                       client_as):
    staff1 = org.users["staff1"]
    staff1.locale = "zh_Hans_CN"
    complaint = make_complaint(make_fb_customer(staff1), subject="网络经常中断",
                               received_at=NOW - timedelta(days=30))
    db.session.commit()
    run_reminder_pass(NOW)
    assert send_pending_mail() == 2  # the owner and the owner's manager
    mine = [m for m in smtp_server.received if m["To"] == staff1.email]
    assert len(mine) == 1
    raw = _raw(mine[0]).decode("ascii")  # nothing but ASCII on the wire
    subject_line = next(line for line in raw.splitlines() if line.startswith("Subject:"))
    assert "=?utf-8?" in subject_line.lower()  # RFC 2047 encoded-word
    subject = "".join(part.decode(enc or "ascii") if isinstance(part, bytes) else part
                      for part, enc in decode_header(mine[0]["Subject"]))
    assert "网络经常中断" in subject and "紧急" in subject
    parsed = email.message_from_bytes(_raw(mine[0]), policy=email.policy.default)
    assert parsed["Message-ID"] and parsed["Date"] and "portal@example.com" in parsed["From"]
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    link = f"https://portal.example.com/complaints/{complaint.id}"
    assert link in text and f'href="{link}"' in html
    # the link works for the recipient
    page = client_as("staff1").get(link.removeprefix("https://portal.example.com"))
    assert page.status_code == 200 and "网络经常中断" in page.text
    # sent once: the next call finds nothing to send
    assert send_pending_mail() == 0 and len(smtp_server.received) == 2


def test_english_recipient_gets_english(app, org, smtp_server):
    manager = org.users["manager1"]
    manager.locale = "en"
    make_complaint(make_fb_customer(org.users["staff1"]), received_at=NOW - timedelta(days=30))
    db.session.commit()
    run_reminder_pass(NOW)
    send_pending_mail()
    mine = [m for m in smtp_server.received if m["To"] == manager.email]
    assert mine and mine[0]["Subject"].startswith("Urgent:")
    assert "past its deadline" in mine[0]["Subject"]


def test_digest_groups_into_one_message(app, org, smtp_server):
    staff1 = org.users["staff1"]
    meeting = make_meeting(org.users["manager1"], attendees=[staff1])
    for title in ("准备报价", "回访客户"):
        make_action(staff1, meeting=meeting, title=title, due=date(2026, 11, 27))
    db.session.add(NotificationPreference(user_id=staff1.id, kind="action_item_due",
                                          channel=Channel.EMAIL))
    db.session.commit()
    run_reminder_pass(NOW)  # 10:00 Beijing: past the default 08:00 digest hour
    assert send_pending_mail() == 1
    (message,) = smtp_server.received
    parsed = email.message_from_bytes(_raw(message), policy=email.policy.default)
    body = parsed.get_body(("plain",)).get_content()
    assert "准备报价" in body and "回访客户" in body


def test_a_claimed_message_is_not_sent_twice(app, org, smtp_server):
    """A second sender (a retried job) finds the message claimed or sent, and sends nothing."""
    make_complaint(make_fb_customer(org.users["staff1"]), received_at=NOW - timedelta(days=30))
    db.session.commit()
    run_reminder_pass(NOW)
    ids = db.session.scalars(select(OutgoingMail.id)).all()
    from portal.reminders.services import _claim
    from portal.kernel import clock
    claimed = _claim(clock.utcnow(), 10)
    assert sorted(claimed) == sorted(ids)
    assert send_pending_mail() == 0  # all claimed by the first sender
    assert smtp_server.received == []


def test_no_smtp_configured_keeps_mail_and_says_so(app, org, client_as_en):
    app.config["MAIL_SERVER"] = None
    make_complaint(make_fb_customer(org.users["staff1"]), received_at=NOW - timedelta(days=30))
    db.session.commit()
    run_reminder_pass(NOW)
    assert send_pending_mail() == 0
    assert db.session.scalar(select(OutgoingMail.id).where(OutgoingMail.sent_at.is_(None)))
    page = client_as_en("admin").get("/admin/reminders/")
    assert page.status_code == 200
    assert "No SMTP server is configured" in page.text
    assert "Messages waiting: 2" in page.text
