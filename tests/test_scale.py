"""seed-scale: the generated company is deterministic, holds the demo accounts, and its pages open
within their SQL budget."""
import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User
from portal.models.customers import Customer, Visit
from portal.models.feedback import SurveyAnswer
from portal.models.sales import SalesRecord
from portal.targets.duties import duties_for, duties_for_people, measure, measure_people
from portal.targets.queries import visible_staff
from tests.conftest import login

pytestmark = pytest.mark.slow  # generates a whole company

ARGS = ["seed-scale", "--size", "s", "--today", "2026-11-26"]


def _fingerprint() -> tuple[dict, str]:
    """Row counts of the big tables, and a checksum over a few rows of each."""
    counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
              for model in (User, Customer, SalesRecord, Visit, SurveyAnswer)}
    digest = hashlib.sha256()
    for row in db.session.execute(select(Customer.code, Customer.name, Customer.tier,
                                         User.username)
                                  .join(User, User.id == Customer.account_manager_id)
                                  .order_by(Customer.code).limit(200)):
        digest.update(repr(tuple(row)).encode())
    for row in db.session.execute(select(SalesRecord.customer_id, SalesRecord.sold_on,
                                         SalesRecord.amount).order_by(SalesRecord.id.desc())
                                  .limit(200)):
        digest.update(repr(tuple(row)).encode())
    return counts, digest.hexdigest()


def test_the_same_seed_gives_the_same_company(app, runner):
    result = runner.invoke(args=ARGS + ["--seed", "3"])
    assert result.exit_code == 0, result.output
    first = _fingerprint()
    assert first[0]["customers"] >= 20 * 100 and first[0]["sales_records"] >= 20 * 1000
    refused = runner.invoke(args=ARGS + ["--seed", "3"])
    assert refused.exit_code != 0 and "--reset" in refused.output
    assert runner.invoke(args=ARGS + ["--seed", "3", "--reset"]).exit_code == 0
    assert _fingerprint() == first
    assert runner.invoke(args=ARGS + ["--seed", "4", "--reset"]).exit_code == 0
    other = _fingerprint()
    assert other[0] == first[0] and other[1] != first[1]


def test_the_generated_company_opens_for_every_demo_role(app, runner, count_queries):
    assert runner.invoke(args=ARGS).exit_code == 0
    db.session.commit()
    main_pages = ["/", "/targets/", "/customers/", "/complaints/", "/training/", "/meetings/",
                  "/one-on-ones/", "/surveys/", "/appraisals/", "/incentives/", "/careers/",
                  "/tasks/", "/reviews/"]
    for username in ("admin", "hr", "manager1", "staff1"):
        client = login(app.test_client(), username)
        for path in main_pages:
            status = client.get(path).status_code
            assert status in (200, 302, 403, 404), (username, path, status)
            if username in ("manager1", "staff1") and path not in ("/careers/",):
                assert status == 200, (username, path, status)
    manager = login(app.test_client(), "manager1")
    with count_queries() as counter:
        assert manager.get("/targets/duties").status_code == 200
    assert counter.count <= 20


def test_duties_measured_together_equal_one_at_a_time(app, runner):
    assert runner.invoke(args=ARGS).exit_code == 0
    manager = db.session.scalar(select(User).where(User.username == "manager1"))
    people = db.session.scalars(visible_staff(manager).order_by(User.id)).all()
    start, end = date(2026, 7, 1), date(2026, 11, 26)
    applying = duties_for_people(people)
    together = measure_people(applying, start, end)
    assert applying and any(v is not None for v in together.values())
    for person in people:
        assert [d.id for d in applying[person.id]] == [d.id for d in duties_for(person.id)]
        for duty in applying[person.id]:
            assert together[(duty.id, person.id)] == measure(duty, person.id, start, end)
