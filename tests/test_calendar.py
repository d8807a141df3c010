"""The .ics feed: planned customer visits join it, UIDs do not depend on the host name, and
ETag/Last-Modified answer 304 to a client that already has the current version."""
from datetime import date, datetime

from portal.extensions import db
from portal.kernel import clock
from portal.models.communication import CalendarToken
from tests.comm_factories import make_meeting
from tests.customer_factories import make_customer, make_visit


def _feed_url(org):
    user = org.users["staff1"]
    db.session.add(CalendarToken(user_id=user.id, token="t" * 43))
    db.session.commit()
    return "/meetings/calendar/" + "t" * 43 + ".ics"


def test_planned_visits_join_the_feed(app, org, client):
    u = org.users
    mine = make_customer(u["staff1"], name="东方电子")
    planned = make_visit(mine, u["staff1"], planned_on=date(2026, 11, 30), purpose="季度回访")
    make_visit(mine, u["staff1"], planned_on=date(2026, 11, 20), done_on=date(2026, 11, 20))
    make_visit(mine, u["staff1"], planned_on=date(2026, 12, 2), cancelled=True)
    theirs = make_customer(u["staff3"], name="西城贸易")
    make_visit(theirs, u["staff3"], planned_on=date(2026, 11, 30))
    url = _feed_url(org)
    with clock.frozen(date(2026, 11, 26)):
        body = client.get(url).text
    assert body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Visit: 东方电子" in body or "SUMMARY:拜访：东方电子" in body
    assert "DTSTART;VALUE=DATE:20261130" in body and "DTEND;VALUE=DATE:20261201" in body
    assert f"UID:visit-{planned.id}-" in body
    assert "西城贸易" not in body


def test_uids_do_not_depend_on_the_host(app, org, client):
    make_meeting(org.users["staff1"], starts_at=datetime(2026, 11, 28, 1, 0))
    url = _feed_url(org)
    with clock.frozen(date(2026, 11, 26)):
        one = client.get(url, base_url="http://portal.example.com").text
        other = client.get(url, base_url="http://10.0.0.5:8000").text

    def uids(body):
        return [line for line in body.splitlines() if line.startswith("UID:")]

    assert uids(one) and uids(one) == uids(other)
    assert "example.com" not in "".join(uids(one)) and "10.0.0.5" not in "".join(uids(one))


def test_etag_and_last_modified_give_304_until_the_feed_changes(app, org, client):
    u = org.users
    customer = make_customer(u["staff1"], name="东方电子")
    make_visit(customer, u["staff1"], planned_on=date(2026, 11, 30))
    url = _feed_url(org)
    with clock.frozen(datetime(2026, 11, 26, 9, 0)):
        first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and etag and modified
    assert "no-store" not in first.headers["Cache-Control"]
    with clock.frozen(datetime(2026, 11, 26, 11, 0)):
        again = client.get(url)
        assert again.headers["ETag"] == etag  # DTSTAMP is the change time, not the fetch time
        assert again.headers["Last-Modified"] == modified
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    make_visit(customer, u["staff1"], planned_on=date(2026, 12, 5))
    db.session.commit()
    with clock.frozen(datetime(2026, 11, 26, 12, 0)):
        changed = client.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert changed.headers["Last-Modified"] != modified
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 200
