"""The reminder pass: each kind once per event, to the right people, never to someone who may
not see the thing; preferences; the digest; the command; statements do not grow per person."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models.appraisals import AppraisalStatus
from portal.models.notifications import (Channel, DigestSetting, Notification,
                                         NotificationPreference, OutgoingMail, ReminderLog)
from portal.reminders.services import run_reminder_pass
from tests.comm_factories import make_action, make_meeting, make_one_on_one, make_series
from tests.customer_factories import make_customer, make_visit
from tests.feedback_factories import make_complaint
from tests.feedback_factories import make_customer as make_fb_customer

#: 2026-11-26 10:00 in Beijing.
NOW = datetime(2026, 11, 26, 2, 0)
TODAY = date(2026, 11, 26)


def _sent(kind=None):
    query = select(ReminderLog.kind, ReminderLog.user_id)
    if kind:
        query = query.where(ReminderLog.kind == kind)
    return sorted(db.session.execute(query).all())


def _ids(org, *names):
    return sorted(org.users[n].id for n in names)


def test_one_on_one_tomorrow_reaches_both_once(app, org):
    u = org.users
    series = make_series(u["manager1"], u["staff1"], next_date=date(2026, 11, 27))
    make_one_on_one(series, starts_at=datetime(2026, 11, 27, 1, 30))  # 09:30 tomorrow, Beijing
    make_one_on_one(make_series(u["manager2"], u["staff3"], next_date=date(2026, 12, 20)),
                    starts_at=datetime(2026, 11, 29, 1, 30))  # not tomorrow
    db.session.commit()
    first = run_reminder_pass(NOW)
    assert sorted(r.user_id for r in first if r.kind == "one_on_one_tomorrow") == \
        _ids(org, "manager1", "staff1")
    texts = {r.user_id: r.text() for r in first if r.kind == "one_on_one_tomorrow"}
    assert u["staff1"].display_name in texts[u["manager1"].id]
    assert "09:30" in texts[u["staff1"].id]
    assert run_reminder_pass(NOW + timedelta(hours=1)) == []  # not again
    assert len(_sent("one_on_one_tomorrow")) == 2


def test_one_on_one_overdue_by_the_series_date(app, org):
    u = org.users
    make_series(u["manager1"], u["staff2"], next_date=date(2026, 11, 20))
    db.session.commit()
    run_reminder_pass(NOW)
    assert [uid for _k, uid in _sent("one_on_one_overdue")] == _ids(org, "manager1", "staff2")
    run_reminder_pass(NOW + timedelta(days=1))
    assert len(_sent("one_on_one_overdue")) == 2


def test_overdue_visit_to_owner_and_weekly_summary_to_manager(app, org):
    u = org.users
    customer = make_customer(u["staff1"], name="东方电子")
    make_visit(customer, u["staff1"], planned_on=date(2026, 11, 10))
    make_visit(customer, u["staff1"], planned_on=date(2026, 12, 30))  # not yet due
    make_visit(customer, u["staff1"], planned_on=date(2026, 11, 5), cancelled=True)
    other = make_customer(u["staff3"], name="西城贸易")
    make_visit(other, u["staff3"], planned_on=date(2026, 11, 11))
    db.session.commit()
    fresh = run_reminder_pass(NOW)
    visits = [r for r in fresh if r.kind == "visit_overdue"]
    assert sorted(r.user_id for r in visits) == _ids(org, "staff1", "staff3")
    assert any("东方电子" in r.text() for r in visits)
    summary = {r.user_id: r.params["count"] for r in fresh if r.kind == "visit_summary"}
    assert summary == {u["manager1"].id: 1, u["manager2"].id: 1}
    # The same week: no second summary; the next week: a new one.
    assert not run_reminder_pass(NOW + timedelta(days=1))
    again = run_reminder_pass(NOW + timedelta(days=7))
    assert {r.kind for r in again} == {"visit_summary"}


def test_complaint_assigned_due_soon_and_passed(app, org):
    u = org.users
    customer = make_fb_customer(u["staff1"])
    # critical: deadline 24 h or less after receipt (the services decide); received 30 h ago.
    late = make_complaint(customer, severity="medium", received_at=NOW - timedelta(days=30))
    soon = make_complaint(customer, severity="medium", received_at=NOW - timedelta(days=30))
    soon.due_at = NOW + timedelta(hours=5)
    closed = make_complaint(customer, status="closed", received_at=NOW - timedelta(days=30))
    db.session.commit()
    fresh = run_reminder_pass(NOW)
    by_kind = {}
    for r in fresh:
        by_kind.setdefault(r.kind, set()).add((r.event_key.split(":")[1], r.user_id))
    staff1, manager1 = u["staff1"].id, u["manager1"].id
    assert by_kind["complaint_overdue"] == {(str(late.id), staff1), (str(late.id), manager1)}
    assert by_kind["complaint_due_soon"] == {(str(soon.id), staff1)}
    assert (str(late.id), staff1) in by_kind["complaint_assigned"]
    assert all(cid != str(closed.id) for kind in by_kind.values() for cid, _u in kind)
    # the urgent one is by e-mail at once (default: portal and e-mail)
    assert all(r.channel == Channel.BOTH for r in fresh if r.kind == "complaint_overdue")
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)
                             .where(OutgoingMail.kind == "urgent")) == 2
    assert run_reminder_pass(NOW + timedelta(minutes=5)) == []


def test_no_reminder_for_someone_who_may_not_see_the_thing(app, org):
    """staff3's complaint and overdue visit reach staff3 and manager2, never manager1 or staff1."""
    u = org.users
    customer = make_fb_customer(u["staff3"])
    make_complaint(customer, received_at=NOW - timedelta(days=30))
    make_visit(make_customer(u["staff3"]), u["staff3"], planned_on=date(2026, 11, 1))
    db.session.commit()
    fresh = run_reminder_pass(NOW)
    assert fresh
    assert {r.user_id for r in fresh} == set(_ids(org, "staff3", "manager2"))


def test_action_items_due_tomorrow_and_overdue(app, org):
    u = org.users
    meeting = make_meeting(u["manager1"], attendees=[u["staff1"]])
    make_action(u["staff1"], meeting=meeting, title="报价单", due=date(2026, 11, 27))
    make_action(u["staff2"], meeting=meeting, title="回访", due=date(2026, 11, 20))
    make_action(u["staff2"], meeting=meeting, title="已完成", due=date(2026, 11, 20), done=True)
    db.session.commit()
    fresh = run_reminder_pass(NOW)
    assert sorted((r.kind, r.user_id) for r in fresh) == sorted(
        [("action_item_due", u["staff1"].id), ("action_item_overdue", u["staff2"].id)])
    assert run_reminder_pass(NOW + timedelta(hours=2)) == []


def test_survey_waiting_for_the_people_it_asks(app, org):
    from tests.feedback_factories import make_survey
    u = org.users
    survey = make_survey(u["hr"], area=u["staff1"].area)
    survey.status = "published"
    db.session.commit()
    fresh = run_reminder_pass(NOW)
    asked = {r.user_id for r in fresh if r.kind == "survey_waiting"}
    assert u["staff1"].id in asked and u["manager1"].id in asked
    assert u["staff3"].id not in asked and u["hr"].id not in asked  # other area; HR not asked
    assert not run_reminder_pass(NOW + timedelta(hours=1))


def test_appraisal_steps_and_closing_cycle(app, org):
    from tests.appraisal_factories import appraisal_of, make_cycle, make_template
    u = org.users
    cycle = make_cycle(make_template(), areas=[u["staff1"].area])
    cycle.period_end = TODAY + timedelta(days=2)
    appraisal = appraisal_of(cycle, u["staff1"])
    appraisal.status = AppraisalStatus.MANAGER_REVIEW
    db.session.commit()
    fresh = run_reminder_pass(NOW)
    steps = {(r.event_key, r.user_id) for r in fresh if r.kind == "appraisal_step"}
    assert (f"appraisal_step:{appraisal.id}:manager_review", u["manager1"].id) in steps
    assert not any(key.startswith(f"appraisal_step:{appraisal.id}:") and who == u["staff1"].id
                   for key, who in steps)
    assert u["staff3"].id not in {who for _k, who in steps}  # not in the cycle's area
    closing = [r for r in fresh if r.kind == "appraisal_closing"]
    assert {r.user_id for r in closing} == {u["hr"].id}
    assert closing[0].params["count"] == len(cycle.appraisals)
    # the next step is a new event, for the other person
    appraisal.status = AppraisalStatus.ACKNOWLEDGEMENT
    db.session.commit()
    again = run_reminder_pass(NOW + timedelta(hours=1))
    assert [(r.kind, r.user_id) for r in again] == [("appraisal_step", u["staff1"].id)]


def test_training_session_tomorrow(app, org):
    from portal.models.training import Enrolment
    from tests.test_training import make_course, make_session
    u = org.users
    session = make_session(make_course(), starts_at=datetime(2026, 11, 27, 6, 0))  # 14:00
    later = make_session(make_course(title="谈判技巧"), starts_at=datetime(2026, 12, 3, 6, 0))
    db.session.add_all([Enrolment(session=session, user=u["staff1"]),
                        Enrolment(session=later, user=u["staff2"])])
    db.session.commit()
    fresh = run_reminder_pass(NOW)
    assert [(r.kind, r.user_id) for r in fresh] == [("training_tomorrow", u["staff1"].id)]
    assert "14:00" in fresh[0].text() and "培训室" in fresh[0].text()
    assert not run_reminder_pass(NOW + timedelta(hours=3))


def test_preferences_respected(app, org):
    u = org.users
    meeting = make_meeting(u["manager1"], attendees=[u["staff1"]])
    make_action(u["staff1"], meeting=meeting, due=date(2026, 11, 27))
    make_action(u["staff2"], meeting=meeting, due=date(2026, 11, 27))
    db.session.add(NotificationPreference(user_id=u["staff1"].id, kind="action_item_due",
                                          channel=Channel.OFF))
    db.session.add(NotificationPreference(user_id=u["staff2"].id, kind="action_item_due",
                                          channel=Channel.EMAIL))
    db.session.commit()
    run_reminder_pass(NOW)
    shown = db.session.execute(select(Notification.user_id, Notification.in_portal,
                                      Notification.by_email)).all()
    assert shown == [(u["staff2"].id, False, True)]  # staff1: off, nothing; staff2: e-mail only
    assert len(_sent("action_item_due")) == 2  # both logged: neither comes again


def test_digest_groups_at_the_persons_hour(app, org):
    u = org.users
    meeting = make_meeting(u["manager1"], attendees=[u["staff1"]])
    for title in ("甲", "乙", "丙"):
        make_action(u["staff1"], meeting=meeting, title=title, due=date(2026, 11, 27))
    db.session.add(NotificationPreference(user_id=u["staff1"].id, kind="action_item_due",
                                          channel=Channel.BOTH))
    db.session.add(DigestSetting(user_id=u["staff1"].id, hour=17))
    db.session.commit()
    run_reminder_pass(NOW)  # 10:00: before the person's hour
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    run_reminder_pass(datetime(2026, 11, 26, 9, 5))  # 17:05 Beijing
    digests = db.session.scalars(select(OutgoingMail)).all()
    assert len(digests) == 1 and digests[0].kind == "digest"
    assert all(t in digests[0].text_body for t in ("甲", "乙", "丙"))
    run_reminder_pass(datetime(2026, 11, 26, 11, 0))  # once a day
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 1


def test_dry_run_writes_nothing_and_command_prints(app, org, runner):
    u = org.users
    make_series(u["manager1"], u["staff2"], next_date=date(2026, 11, 20))
    db.session.commit()
    result = runner.invoke(args=["send-reminders", "--dry-run", "--now", "2026-11-26T10:00"])
    assert result.exit_code == 0, result.output
    assert "one_on_one_overdue" in result.output and "staff2" in result.output
    assert "2 reminders would send" in result.output
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 0
    result = runner.invoke(args=["send-reminders", "--now", "2026-11-26T10:00"])
    assert result.exit_code == 0 and "2 reminders sent" in result.output
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 2
    result = runner.invoke(args=["send-reminders", "--now", "2026-11-26T10:00"])
    assert "0 reminders sent" in result.output


def test_statements_do_not_grow_with_people(app, org, count_queries):
    """The pass reads in bulk: 4 more people with due items add no statement."""
    from tests.factories import make_user
    u = org.users

    def add_people(n):
        meeting = make_meeting(u["manager1"])
        for _i in range(n):
            person = make_user(area=u["staff1"].area, manager=u["manager1"])
            make_action(person, meeting=meeting, due=date(2026, 11, 27))
            make_visit(make_customer(person), person, planned_on=date(2026, 11, 2))
        db.session.commit()

    add_people(2)
    with count_queries() as small:
        run_reminder_pass(NOW)
    db.session.execute(ReminderLog.__table__.delete())
    db.session.execute(Notification.__table__.delete())
    db.session.commit()
    add_people(8)
    with count_queries() as big:
        run_reminder_pass(NOW)
    assert big.count == small.count, "\n".join(s[:90] for s in big.statements)
    assert big.count < 40


def test_care_occasions_reach_the_account_manager_once(app, org):
    """A contact's birthday in the coming week: the customer's account manager is reminded,
    once (portal.care.services.care_reminders through the pass)."""
    from portal.models.customers import CustomerContact

    customer = make_customer(org.users["staff1"], name="老客户")
    db.session.add(CustomerContact(customer_id=customer.id, name="王总",
                                   birthday=date(1970, 11, 29)))
    db.session.commit()
    first = run_reminder_pass(NOW)
    birthdays = [r for r in first if r.kind == "care_birthday"]
    assert [(r.user_id, r.params["name"]) for r in birthdays] == [(org.users["staff1"].id, "王总")]
    assert "王总" in birthdays[0].text() and "2026-11-29" in birthdays[0].text()
    assert [r for r in run_reminder_pass(NOW) if r.kind == "care_birthday"] == []


def test_a_handed_off_late_complaint_is_escalated_to_both_heads_once(app, org):
    from portal.complaints import services as complaints
    from tests.dept_factories import department_person, make_department

    head = department_person("fin-head")
    finance = make_department("FIN", head=head)
    complaint = make_complaint(make_customer(org.users["staff1"]),
                               received_at=NOW - timedelta(days=9), status="in_progress")
    complaints.hand_off(complaint, finance, org.users["staff1"].id, "退费",
                        now=NOW - timedelta(days=8))
    db.session.commit()
    assert complaint.due_at < NOW - timedelta(hours=24)
    sent = [r for r in run_reminder_pass(NOW) if r.kind == "complaint_escalated"]
    assert sorted(r.user_id for r in sent) == sorted([org.users["manager1"].id, head.id])
    assert [r for r in run_reminder_pass(NOW) if r.kind == "complaint_escalated"] == []
