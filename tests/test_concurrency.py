"""Two people at once: stale forms are refused with a conflict (422) and overwrite nothing; seats
and one-time links never go past their limits under real parallel requests against gunicorn."""
import http.cookiejar
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from portal.concurrency import CONFLICT
from portal.extensions import db
from portal.models import utcnow
from portal.models.communication import Meeting, OneOnOne
from portal.models.customers import Customer
from tests.comm_factories import make_meeting, make_one_on_one, make_series
from tests.customer_factories import make_customer
from tests.server_factories import NoRedirect, serving

CONFLICT_EN = str(CONFLICT)[:40]
#: Requests made against gunicorn in this file, for the report.
SENT = {"parallel": 0}


class FormValues(HTMLParser):
    """The values a browser would submit for the first POST form whose action contains `action`."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.values, self._in, self._select, self._textarea = action, [], False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in = (a.get("method") or "").lower() == "post" and self.action in (a.get("action") or "") \
                and not self.values
        if not self._in:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in = False
        elif tag == "textarea" and self._textarea is not None:
            self.values.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(html: str, action: str) -> dict:
    """The form's fields as a browser would send them (one value per name is enough here)."""
    parser = FormValues(action)
    parser.feed(html)
    assert parser.values, f"no form posting to {action}"
    return dict(parser.values)


# --- stale forms through the test client --------------------------------------------------------

def both_open(client_as, first: str, second: str, url: str, action: str):
    """Two people open the same edit form; returns their clients and the form each got."""
    a, b = client_as(first), client_as(second)
    return a, b, form_values(a.get(url).text, action), form_values(b.get(url).text, action)


def assert_conflict(response, typed: str):
    """A 422 that says what happened and keeps what the person typed."""
    assert response.status_code == 422
    assert CONFLICT_EN in response.text
    assert typed in response.text


def test_customer_second_save_of_a_stale_form_is_refused(client_as, org):
    customer = make_customer(org.users["staff1"], "并发客户")
    url = f"/customers/{customer.id}/edit"
    a, b, form_a, form_b = both_open(client_as, "staff1", "manager1", url, "/edit")
    assert form_a["row_version"] == form_b["row_version"] == "1"
    assert a.post(url, data={**form_a, "name": "甲的名字"}).status_code == 303
    response = b.post(url, data={**form_b, "name": "乙的名字"},
                      headers={"Accept-Language": "en"})
    assert_conflict(response, "乙的名字")
    db.session.expire_all()
    saved = db.session.get(Customer, customer.id)
    assert saved.name == "甲的名字" and saved.row_version == 2
    # The answer carries the current version: saving again is a deliberate choice, and works.
    again = form_values(response.text, "/edit")
    assert again["row_version"] == "2" and again["name"] == "乙的名字"
    assert b.post(url, data=again).status_code == 303
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).name == "乙的名字"


def test_meeting_notes_second_save_of_a_stale_form_is_refused(client_as, org):
    manager1 = org.users["manager1"]
    meeting = make_meeting(manager1, [manager1, org.users["staff1"]], notes="原始纪要")
    url = f"/meetings/{meeting.id}/edit"
    # The organiser in two tabs (the area head is the same person here).
    a, b, form_a, form_b = both_open(client_as, "manager1", "manager1", url, "/edit")
    assert a.post(url, data={**form_a, "notes": "第一份纪要"}).status_code == 303
    response = b.post(url, data={**form_b, "notes": "第二份纪要"}, headers={"Accept-Language": "en"})
    assert_conflict(response, "第二份纪要")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).notes == "第一份纪要"


def test_one_on_one_shared_notes_conflict_but_not_because_of_the_mood(client_as, org):
    series = make_series(org.users["manager1"], org.users["staff1"])
    one = make_one_on_one(series, shared_notes="开头")
    url = f"/one-on-ones/{one.id}"
    a, b, form_a, form_b = both_open(client_as, "manager1", "staff1", url, "/notes")
    action = f"/one-on-ones/{one.id}/notes"
    # The report's mood check-in changes the one-on-one but not the notes: no conflict from it.
    mood = form_values(b.get(url).text, "/mood")
    assert b.post(f"/one-on-ones/{one.id}/mood", data={**mood, "score": "4"}).status_code in (200, 303)
    assert a.post(action, data={**form_a, "shared_notes": "经理写的"},
                  headers={"HX-Request": "true"}).status_code in (200, 303)
    response = b.post(action, data={**form_b, "shared_notes": "员工写的"},
                      headers={"HX-Request": "true", "Accept-Language": "en"})
    assert_conflict(response, "员工写的")
    db.session.expire_all()
    assert db.session.get(OneOnOne, one.id).shared_notes == "经理写的"


def test_appraisal_feedback_stale_form_is_refused(client_as, org):
    from portal.models.appraisals import Appraisal, AppraisalStatus
    from tests.appraisal_factories import appraisal_of, make_cycle, make_template

    appraisal = appraisal_of(make_cycle(make_template(), areas=[org.areas[0]]), org.users["staff1"])
    appraisal.status = AppraisalStatus.FEEDBACK
    db.session.commit()
    url = f"/appraisals/{appraisal.id}/feedback"
    a, b, form_a, form_b = both_open(client_as, "manager1", "manager1", url, "/feedback")
    assert a.post(url, data={**form_a, "improvement_plan": "计划一"}).status_code == 303
    response = b.post(url, data={**form_b, "improvement_plan": "计划二"},
                      headers={"Accept-Language": "en"})
    assert_conflict(response, "计划二")
    db.session.expire_all()
    assert db.session.get(Appraisal, appraisal.id).improvement_plan == "计划一"


@pytest.mark.slow  # two apps racing
def test_a_save_that_loses_the_race_in_the_database_answers_422(app):
    """On PostgreSQL two saves can pass the form check together; the ORM's versioned UPDATE of
    the second matches no row and raises StaleDataError: the answer is the conflict, as 422."""
    from sqlalchemy.orm.exc import StaleDataError

    from portal import create_app
    from tests.conftest import TEST_CONFIG

    other = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    from portal.kernel.audience import PUBLIC, audience

    @other.route("/lost-race")
    @audience(PUBLIC)
    def lost_race():
        raise StaleDataError("UPDATE statement on table 'customers' expected to update 1 row(s)")

    response = other.test_client().get("/lost-race", headers={"Accept-Language": "en"})
    assert response.status_code == 422 and CONFLICT_EN in response.text
    assert "expected to update" not in response.text


# --- real parallel requests against gunicorn ----------------------------------------------------

class Browser:
    """One person's browser: its own cookies and CSRF token; redirects are not followed."""

    def __init__(self, base: str):
        self.base, self.token = base, None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode()
        try:
            response = self.opener.open(self.base + path, data=body, timeout=60)
            status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        found = re.search(r'name="csrf-token" content="([^"]+)"', text)
        if found:
            self.token = found.group(1)
        return status, text

    def login(self, username: str) -> "Browser":
        self.open("/login")
        status, _ = self.open("/login", {"username": username, "password": "portal-demo"})
        assert status == 302, username
        self.open("/")
        return self


def all_at_once(calls) -> list:
    """Run the calls in parallel threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        results = list(pool.map(run, calls))
    SENT["parallel"] += len(calls)
    return results


def browsers(base, usernames):
    """Signed-in browsers, signed in in parallel (each sign-in checks a slow password hash)."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda u: Browser(base).login(u), usernames))


@pytest.fixture
def server(app, org, tmp_path):
    """gunicorn on the test database, quick to stop: (base URL, master process)."""
    with serving(app, tmp_path, "--graceful-timeout", "2", start_tries=300,
                 stop_timeout=20) as started:
        yield started


def workers(master: subprocess.Popen) -> list[int]:
    """The process ids of gunicorn's workers (the master's children)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def people(org) -> list[str]:
    """Twelve account managers of both areas."""
    return sorted(u for u in org.users if u.startswith(("a01-am", "a02-am")))[:12]


def make_session(capacity: int, title: str = "并发课程"):
    """A training session a week from now with this many seats."""
    from portal.models.training import Course, CourseCategory, CourseMode, TrainingSession

    course = Course(title=title, category=CourseCategory.CRM, hours=Decimal("2"),
                    mode=CourseMode.CLASSROOM)
    start = utcnow() + timedelta(days=7)
    session = TrainingSession(course=course, starts_at=start, ends_at=start + timedelta(hours=2),
                              place="会议室", trainer="王老师", capacity=capacity)
    db.session.add_all([course, session])
    db.session.commit()
    return session


def seats_match_enrolments() -> list:
    """Sessions whose seat counter disagrees with their enrolments (should be none)."""
    from portal.models.training import Enrolment, TrainingSession

    db.session.rollback()
    counted = (select(func.count(Enrolment.id)).where(Enrolment.session_id == TrainingSession.id)
               .scalar_subquery())
    return db.session.execute(select(TrainingSession.id, TrainingSession.seats_taken, counted)
                              .where(TrainingSession.seats_taken != counted)).all()


@pytest.mark.slow  # gunicorn
def test_limits_hold_under_parallel_requests_against_gunicorn(app, org, server):
    """Seats, one-time survey links and one customer form, each hit by parallel requests."""
    from portal.models.feedback import SurveyAudience, SurveyInvitation, SurveyResponse
    from tests.feedback_factories import answer_form, make_customer as feedback_customer, make_survey

    base, _master = server
    clients = browsers(base, people(org))

    # Seats: twelve people ask for three seats at once, and one of them double-clicks.
    session = make_session(capacity=3)
    path = f"/training/sessions/{session.id}/enrol"
    calls = [lambda b=b: b.open(path, {})[0] for b in clients]
    statuses = all_at_once(calls + [lambda: clients[0].open(path, {})[0]])
    assert all(s == 303 for s in statuses), statuses
    db.session.rollback()
    assert db.session.get(type(session), session.id).seats_taken == 3
    assert seats_match_enrolments() == []

    # A customer's survey link: twelve answers posted at once, one kept.
    survey = make_survey(org.users["manager1"], area=org.areas[0], audience=SurveyAudience.CUSTOMER)
    customer = feedback_customer(org.users["staff1"], name="并发客户")
    db.session.add(SurveyInvitation(survey=survey, customer_id=customer.id, token="parallel-token-1",
                                    account_manager_id=org.users["staff1"].id))
    db.session.commit()
    link, data = "/surveys/r/parallel-token-1", answer_form(survey)
    visitors = [Browser(base) for _ in range(12)]
    for visitor in visitors:
        assert visitor.open(link)[0] == 200
    statuses = all_at_once([lambda v=v: v.open(link, data)[0] for v in visitors])
    assert set(statuses) <= {303, 200}, statuses
    db.session.rollback()
    assert db.session.scalar(select(func.count(SurveyResponse.id))
                             .where(SurveyResponse.survey_id == survey.id)) == 1

    # One customer form saved by eight people at once, all from version 1: one wins.
    target = make_customer(org.users["staff1"], "抢存客户")
    db.session.commit()
    url = f"/customers/{target.id}/edit"
    editors = browsers(base, ["staff1", "manager1"] * 4)
    forms = [form_values(b.open(url)[1], "/edit") for b in editors]
    statuses = all_at_once([lambda b=b, f=f, i=i: b.open(url, {**f, "name": f"名字{i}"})[0]
                            for i, (b, f) in enumerate(zip(editors, forms))])
    assert sorted(statuses) == [303] + [422] * (len(editors) - 1), statuses
    db.session.rollback()
    saved = db.session.get(Customer, target.id)
    assert saved.row_version == 2 and saved.name == f"名字{statuses.index(303)}"
    print(f"parallel requests: {SENT['parallel']}")


@pytest.mark.slow  # gunicorn
def test_a_worker_killed_in_the_middle_of_writes_leaves_the_database_consistent(app, org, server):
    """SIGKILL one worker while both take seats; the master starts a new one; every seat
    counter still matches its enrolments, and the portal answers again without a restart."""
    base, master = server
    clients = browsers(base, people(org))
    sessions = [make_session(capacity=30, title=f"课程{i}").id for i in range(4)]
    before = workers(master)
    assert len(before) == 2

    def enrol_everywhere(browser):
        outcomes = []
        for session_id in sessions:
            try:
                outcomes.append(browser.open(f"/training/sessions/{session_id}/enrol", {})[0])
            except OSError:  # the worker died under this request
                outcomes.append("cut")
        return outcomes

    def killer():
        time.sleep(0.3)
        os.kill(before[0], signal.SIGKILL)
        return ["killed"]

    results = all_at_once([lambda b=b: enrol_everywhere(b) for b in clients] + [killer])
    outcomes = [o for r in results for o in r]
    assert "killed" in outcomes
    for _ in range(100):  # the master replaces the dead worker
        now = workers(master)
        if len(now) == 2 and before[0] not in now:
            break
        time.sleep(0.1)
    assert before[0] not in workers(master)
    assert urllib.request.urlopen(base + "/healthz", timeout=5).status == 200
    assert seats_match_enrolments() == []
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
    # Whoever was cut off can simply try again: every seat is taken exactly once.
    for browser in clients:
        enrol_everywhere(browser)
    from portal.models.training import Enrolment

    db.session.rollback()
    for session_id in sessions:
        assert db.session.scalar(select(func.count(Enrolment.id))
                                 .where(Enrolment.session_id == session_id)) == len(clients)
    assert seats_match_enrolments() == []
    print(f"kill test: {len(outcomes) - 1} enrolment requests, "
          f"{sum(1 for o in outcomes if o == 'cut')} cut off by the kill")
