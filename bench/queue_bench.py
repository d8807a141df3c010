#!/usr/bin/env python
"""A batch print job through the task queue: enqueued by the app, run by a real worker process.

    /work/main/.venv/bin/python bench/queue_bench.py [--forms 100] [--queue-url redis://…]

Builds a throw-away SQLite database (migrations, demo organisation, one cycle of --forms closed
appraisals, as bench/pdf_bench.py), starts `flask --app wsgi worker -w 1` on it (the queue: a
SQLite file in the throw-away instance folder, or --queue-url), enqueues a whole-cycle print job
and prints the time from enqueuing to the stored PDF and the peak RSS of the worker process with
its helper processes. Goals (issue 19, from the printing issue): 500 forms <= 120 s within 500 MB.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> float:
    """RSS of a process and all its descendants, in MB."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(_rss_kb(pid) for pid in tree) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=100)
    parser.add_argument("--queue-url", default=None)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="queue-bench-")
    db_url = f"sqlite:///{work}/bench.db"
    queue_url = args.queue_url or f"sqlite:///{work}/queue.db"
    os.environ.update(PORTAL_INSTANCE_PATH=work, DATABASE_URL=db_url, PORTAL_QUEUE_URL=queue_url)
    from flask_migrate import upgrade

    from portal import create_app
    from bench.pdf_bench import closed_forms
    from portal.appraisals import printing
    from portal.extensions import db
    from portal.models.appraisals import PrintJob, PrintJobState

    app = create_app({"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    with app.app_context():
        upgrade()
        ids, cycle_id, hr = closed_forms(args.forms)
        print(f"{len(ids)} closed forms ready in {work}; queue {queue_url}")

        log = open(f"{work}/worker.log", "w")
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "-w", "1",
                                   "--max-delay", "0.2"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "PYTHONPATH": str(REPO)})
        try:
            time.sleep(1)
            while "Huey consumer started" not in Path(f"{work}/worker.log").read_text():
                if worker.poll() is not None:
                    sys.exit(Path(f"{work}/worker.log").read_text())
                time.sleep(0.2)
            idle = tree_rss_mb(worker.pid)
            job = printing.create_job(hr, ids, "zh_Hans_CN", cycle_id=cycle_id)
            db.session.flush()
            job_id = job.id
            db.session.commit()
            peak, stop = [idle], threading.Event()

            def sample():
                while not stop.wait(0.05):
                    peak[0] = max(peak[0], tree_rss_mb(worker.pid))
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            start = time.perf_counter()
            printing.print_job(job_id)  # enqueued
            while True:
                db.session.expire_all()
                job = db.session.get(PrintJob, job_id)
                if job.state in (PrintJobState.DONE, PrintJobState.FAILED):
                    break
                db.session.rollback()
                time.sleep(0.2)
            total = time.perf_counter() - start
            stop.set()
            sampler.join()
            print(f"batch of {job.total} forms through the queue ({job.state.value}, attempts "
                  f"{job.attempts}): {total:.1f} s, {job.total / total:.2f} forms/s, PDF "
                  f"{job.size / 1e6:.1f} MB; worker RSS idle {idle:.0f} MB, peak {peak[0]:.0f} MB "
                  f"(with its helper processes); scaled to 500 forms: {total * 500 / job.total:.0f} s")
            print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        finally:
            worker.terminate()  # TERM: graceful, nothing is running any more
            worker.wait(60)


if __name__ == "__main__":
    main()
