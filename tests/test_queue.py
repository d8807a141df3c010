"""The task queue: storage by URL, the worker command, and real consumer processes (Redis, and
the default SQLite storage) running print jobs, one of them killed mid-job."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey.storage import PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy import func, select

from portal import queue
from portal.extensions import db
from portal.models import utcnow
from portal.models.appraisals import PrintJob, PrintJobState
from portal.models.exports import ExportJob
from tests.appraisal_factories import make_cycle, make_template
from tests.pdf_fonts import page_count

REPO = Path(__file__).resolve().parent.parent


def test_the_storage_follows_the_queue_url(tmp_path):
    assert queue.storage_for(None, str(tmp_path)) == (
        SqliteStorage, {"filename": str(tmp_path / "queue.db")})
    assert queue.storage_for("redis://127.0.0.1:6379/0", "") == (
        RedisStorage, {"url": "redis://127.0.0.1:6379/0"})
    for url in ("postgresql://u:p@db/portal", "postgresql+psycopg://u:p@db/portal",
                "postgres://u:p@db/portal"):
        assert queue.storage_for(url, "") == (PostgresStorage, {"dsn": "postgresql://u:p@db/portal"})
    with pytest.raises(ValueError):
        queue.storage_for("amqp://rabbit/", "")


def test_the_app_configures_the_one_queue(app, tmp_path):
    """create_app points the queue at its storage; tests run tasks in the caller."""
    assert queue.huey.immediate
    try:
        queue.configure(None, str(tmp_path))
        assert isinstance(queue.huey.storage, SqliteStorage) and not queue.huey.immediate
        assert "portal.appraisals.printing.print_job" in queue.huey._registry._registry
        assert "portal.schedule.reminder_pass" in queue.huey._registry._registry
        assert "portal.exports.services.export_job" in queue.huey._registry._registry
        assert {m for m, _task in queue._recoverable} == {PrintJob, ExportJob}
    finally:
        queue.configure(None, str(tmp_path), immediate=True)


def test_the_worker_refuses_immediate_mode(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "QUEUE_IMMEDIATE" in result.output


# --- real consumers --------------------------------------------------------------------------

#: The queue's name in the tests with real consumers: CI's two runs share one Redis server.
QUEUE_NAME = f"portal-test-{os.getpid()}"


@pytest.fixture
def redis_url():
    """CI's Redis server (TEST_REDIS_URL), else a throw-away one (scripts/redis-server)."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    port = str(20000 + os.getpid() % 20000)
    out = subprocess.run([str(REPO / "scripts/redis-server")], capture_output=True, text=True,
                         check=True, env={**os.environ, "REDIS_PORT": port}).stdout
    values = dict(line.split("=", 1) for line in out.split())
    yield values["URL"]
    subprocess.run([str(REPO / "scripts/redis-server"), "stop", values["DIR"]], check=False)


@pytest.fixture
def queue_at(app):
    """Point this process's queue at a real storage (enqueue only), and back afterwards."""
    def point(url: str) -> None:
        queue.configure(url, app.instance_path, name=QUEUE_NAME)
    yield point
    queue.configure(None, app.instance_path, immediate=True)


class Consumer:
    """`flask --app wsgi worker` in its own process group, on the test's database."""

    def __init__(self, db_url: str, queue_url: str, instance: Path, **config):
        env = {**os.environ, "DATABASE_URL": db_url, "PORTAL_QUEUE_URL": queue_url,
               "PORTAL_INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret",
               "PYTHONPATH": str(REPO), "PORTAL_APPRAISAL_PRINT_PROCESSES": "1",
               "PORTAL_QUEUE_NAME": QUEUE_NAME,
               **{f"PORTAL_{k}": str(v) for k, v in config.items()}}
        self.log = open(instance / f"worker-{time.monotonic_ns()}.log", "w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "-w", "1",
             "--max-delay", "0.2"], cwd=REPO, env=env, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine loses power."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # graceful
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()


def wait_for(condition, seconds: float, what: str, consumer: Consumer | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if value := condition():
            db.session.rollback()
            return value
        db.session.rollback()
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}:\n{consumer.output() if consumer else ''}")


def print_cycle(client, cycle) -> int:
    response = client.post(f"/appraisals/cycles/{cycle.id}/print", data={"area_id": "0", "status": ""})
    assert response.status_code == 303
    return int(response.location.rsplit("/", 1)[1])


@pytest.mark.slow
def test_a_job_enqueued_by_the_app_is_run_by_a_consumer_on_redis(org, client_as, db_url,
                                                                 redis_url, queue_at, tmp_path):
    queue_at(redis_url)
    cycle = make_cycle(make_template(), areas=[org.areas[0]])
    db.session.commit()
    hr = client_as("hr")
    job_id = print_cycle(hr, cycle)
    assert db.session.get(PrintJob, job_id).state == PrintJobState.QUEUED  # not run in the request
    db.session.rollback()
    consumer = Consumer(db_url, redis_url, tmp_path)
    try:
        job = wait_for(lambda: (j := db.session.get(PrintJob, job_id)).state == PrintJobState.DONE
                       and j, 120, "the job", consumer)
    finally:
        consumer.stop()
    assert job.done == job.total == len(cycle.appraisals) and job.attempts == 1
    page = hr.get(f"/appraisals/print-jobs/{job_id}", headers={"HX-Request": "true"})
    assert "/download" in page.text  # this process, not the worker, answers the poll
    assert hr.get(f"/appraisals/print-jobs/{job_id}/download").data == job.pdf


@pytest.mark.slow
def test_a_consumer_killed_mid_job_the_job_is_retried_and_stored_once(org, client_as, db_url,
                                                                      queue_at, tmp_path):
    """The default SQLite storage; the consumer is SIGKILLed while the batch renders. The next
    consumer finds the job's lease run out, runs it again from the start, and stores one PDF."""
    queue_url = "sqlite:///" + str(tmp_path / "queue.db")
    queue_at(queue_url)
    cycle = make_cycle(make_template(), areas=org.areas)
    db.session.commit()
    hr = client_as("hr")
    job_id = print_cycle(hr, cycle)
    lease = 4
    first = Consumer(db_url, queue_url, tmp_path, QUEUE_LEASE_SECONDS=lease)
    try:
        wait_for(lambda: db.session.get(PrintJob, job_id).state == PrintJobState.RUNNING, 60,
                 "the job to start", first)
    finally:
        first.kill()
    killed = db.session.get(PrintJob, job_id)
    assert killed.state == PrintJobState.RUNNING and killed.attempts == 1 and not killed.pdf
    db.session.rollback()
    time.sleep(lease + 1)  # the lease of the dead consumer runs out

    second = Consumer(db_url, queue_url, tmp_path, QUEUE_LEASE_SECONDS=lease)
    try:
        job = wait_for(lambda: (j := db.session.get(PrintJob, job_id)).state == PrintJobState.DONE
                       and j, 180, "the retried job", second)
    finally:
        second.stop()
    assert "Recovered 1 abandoned job(s)." in second.output()
    assert job.attempts == 2 and job.done == job.total == len(cycle.appraisals)
    assert db.session.scalar(select(func.count(PrintJob.id))) == 1
    forms = len(cycle.appraisals)
    pages = page_count(job.pdf)
    assert pages % forms == 0 and pages // forms in (1, 2), (pages, forms)  # each form once
    assert job.lease_until is None and utcnow() > job.finished_at
