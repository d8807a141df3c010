"""The notification centre: private, newest first, unread marked, mark one/all read with htmx
and plain POST, the bell's count, preferences; the admin's log."""
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models.notifications import (Channel, DigestSetting, Notification,
                                         NotificationPreference)


def _notify(user, title, created_at, read=False):
    n = Notification(user_id=user.id, kind="survey_waiting", params={"title": title},
                     link="/surveys/", created_at=created_at,
                     read_at=created_at if read else None)
    db.session.add(n)
    db.session.flush()
    return n


def test_list_is_mine_newest_first_with_unread_marked(app, org, client_as_en):
    u = org.users
    old = _notify(u["staff1"], "旧调查", datetime(2026, 11, 1), read=True)
    new = _notify(u["staff1"], "新调查", datetime(2026, 11, 20))
    _notify(u["staff2"], "别人的调查", datetime(2026, 11, 21))
    db.session.commit()
    page = client_as_en("staff1").get("/notifications/")
    assert page.status_code == 200
    text = page.text
    assert text.index("新调查") < text.index("旧调查")
    assert "别人的调查" not in text
    assert f'id="notification-{new.id}" class="item unread"' in text
    assert f'id="notification-{old.id}" class="item"' in text
    assert 'href="/surveys/"' in text
    assert "1 unread" in text


def test_mark_one_read_plain_post_and_htmx(app, org, client_as):
    u = org.users
    first = _notify(u["staff1"], "甲", datetime(2026, 11, 20))
    second = _notify(u["staff1"], "乙", datetime(2026, 11, 21))
    db.session.commit()
    staff1 = client_as("staff1")
    response = staff1.post(f"/notifications/{first.id}/read")
    assert response.status_code == 303
    response = staff1.post(f"/notifications/{second.id}/read", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert response.headers["HX-Trigger"] == "notifications-changed"
    assert 'class="item"' in response.text
    db.session.expire_all()
    assert all(n.read_at for n in db.session.scalars(select(Notification)))


def test_someone_else_cannot_mark_mine(app, org, client_as):
    mine = _notify(org.users["staff1"], "甲", datetime(2026, 11, 20))
    db.session.commit()
    for who in ("staff2", "manager1", "admin"):
        assert client_as(who).post(f"/notifications/{mine.id}/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is None


def test_mark_all_read_and_the_bell(app, org, client_as):
    u = org.users
    for i in range(3):
        _notify(u["staff1"], f"调查{i}", datetime(2026, 11, 20) + timedelta(hours=i))
    other = _notify(u["staff2"], "别人的", datetime(2026, 11, 20))
    db.session.commit()
    staff1 = client_as("staff1")
    bell = staff1.get("/notifications/bell", headers={"HX-Request": "true"})
    assert bell.status_code == 200 and '<span class="badge badge-off">3</span>' in bell.text
    home = staff1.get("/")
    assert 'hx-get="/notifications/bell"' in home.text  # the bell is on every page
    response = staff1.post("/notifications/read-all", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Trigger"]
    bell = staff1.get("/notifications/bell", headers={"HX-Request": "true"})
    assert "badge" not in bell.text
    assert staff1.post("/notifications/read-all").status_code == 303
    db.session.expire_all()
    assert db.session.get(Notification, other.id).read_at is None  # not staff2's


def test_bell_is_one_statement(app, org, client_as, count_queries):
    staff1 = client_as("staff1")
    staff1.get("/notifications/bell")
    with count_queries() as counted:
        staff1.get("/notifications/bell")
    assert counted.count <= 3, counted.statements  # the session's user, its roles, the count


def test_preferences_saved_and_shown(app, org, client_as_en):
    staff1 = client_as_en("staff1")
    page = staff1.get("/notifications/preferences")
    assert page.status_code == 200 and "Complaint deadline passed" in page.text
    form = {"kind_action_item_due": "email", "kind_complaint_overdue": "off",
            "digest_hour": "17"}
    from portal.notifications.labels import KINDS
    for kind, spec in KINDS.items():
        form.setdefault(f"kind_{kind}", spec.default.value)
    assert staff1.post("/notifications/preferences", data=form).status_code == 303
    rows = dict(db.session.execute(select(NotificationPreference.kind,
                                          NotificationPreference.channel)
                                   .where(NotificationPreference.user_id
                                          == org.users["staff1"].id)).all())
    assert rows == {"action_item_due": Channel.EMAIL, "complaint_overdue": Channel.OFF}
    assert db.session.get(DigestSetting, org.users["staff1"].id).hour == 17
    bad = staff1.post("/notifications/preferences", data={**form, "kind_survey_waiting": "loud"})
    assert bad.status_code == 422


def test_admin_log_lists_what_went_out(app, org, client_as_en, client_as):
    from portal.reminders.services import run_reminder_pass
    from tests.comm_factories import make_series
    from datetime import date
    make_series(org.users["manager1"], org.users["staff2"], next_date=date(2026, 11, 20))
    db.session.commit()
    run_reminder_pass(datetime(2026, 11, 26, 2, 0))
    page = client_as_en("admin").get("/admin/reminders/?kind=one_on_one_overdue")
    assert page.status_code == 200
    assert "One-on-one overdue" in page.text and "(staff2)" in page.text
    assert "(manager1)" in page.text
    assert client_as("manager1").get("/admin/reminders/").status_code == 403
