#!/usr/bin/env python
"""How long the printed review form takes, beside a minimal WeasyPrint page, and what a batch costs.

    /work/main/.venv/bin/python bench/pdf_bench.py [--forms 200] [--runs 5]

Builds a throw-away SQLite database (migrations, demo organisation, a template, one cycle with
--forms closed appraisals), then prints:
- a minimal WeasyPrint page (one line, no web fonts), cold and warm;
- one review form in Chinese and in English, cold and warm (median of --runs);
- a whole-cycle print job of --forms forms, run as the worker runs it (one form at a time, each
  laid out by the helper processes, merged into one PDF): total time, forms per second, PDF size,
  and the peak RSS of the process and its helpers together.
With --database-url (bench/run.py uses it): the same single form and batch on the closed
appraisals of that database, as one JSON line with --json.
No assertions: the figures are for the issue's note (goals: one form <= 0.5 s; 500 forms <= 120 s
within 500 MB).
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def closed_forms(count: int) -> tuple[list[int], int, object]:
    """`count` closed appraisal forms of area A01 (a 5-indicator template, cycle 2026-Q4) made in
    the current app's empty database, one person each: (their ids, the cycle's id, the HR user
    who prints them); shared by the print benchmarks."""
    from portal.demo import seed_organisation
    from portal.extensions import db
    from portal.models import Role, User
    from portal.models.appraisals import AppraisalStatus
    from tests.appraisal_factories import advance, make_cycle, make_template

    ctx = seed_organisation(date(2026, 11, 26))
    area, manager, hr = ctx.areas[0], ctx.users["manager1"], ctx.users["hr"]
    existing = sum(1 for u in ctx.users.values() if u.area is area and u.has_role(Role.STAFF))
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰涛明超喆堃玥昇"
    for i in range(max(0, count - existing)):
        user = User(username=f"bench{i:04d}", display_name=surnames[i % 20] + given[(i // 20) % 20]
                    + given[(i * 7) % 20], password_hash="x", area=area, manager=manager)
        user.roles = [Role.STAFF]
        db.session.add(user)
    db.session.flush()
    cycle = make_cycle(make_template((30, 20, 20, 15, 15)), areas=[area], name="2026-Q4")
    appraisals = sorted(cycle.appraisals, key=lambda a: a.id)[:count]
    for appraisal in appraisals:
        advance(appraisal, AppraisalStatus.CLOSED, hr=hr)
    db.session.commit()
    return [a.id for a in appraisals], cycle.id, hr

def _rss_kb(pid: int | str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:  # gone meanwhile
        pass
    return 0


def rss_mb() -> float:
    """The resident set size of this process and of its child processes (the helper processes
    that lay out a batch) now, in MB."""
    me, total = os.getpid(), _rss_kb("self")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == me:
                total += _rss_kb(stat.parent.name)
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024


class PeakRSS:
    """Samples the RSS every 20 ms in a thread and keeps the highest."""

    def __enter__(self):
        self.peak, self._stop = rss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def timed(func, runs: int) -> tuple[float, float, float]:
    """(first call, median of the next runs, median CPU time of the next runs) in seconds.

    The CPU time is what the render costs when the machine is shared (wall time grows with load).
    """
    start = time.perf_counter()
    func()
    cold = time.perf_counter() - start
    warm, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        warm.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return cold, statistics.median(warm), statistics.median(cpu)


def on_database(url: str, forms: int, runs: int) -> dict:
    """One form and a batch of `forms` closed appraisals of an existing (generated) database.

    Forms kept from an earlier run are dropped first, so every run renders them all.
    """
    os.environ["DATABASE_URL"] = url
    os.environ["PORTAL_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="pdf-bench-")
    from sqlalchemy import delete, select

    from portal import create_app
    from portal.appraisals import printing
    from portal.database import writing
    from portal.extensions import db
    from portal.models import User
    from portal.models.appraisals import Appraisal, AppraisalDocument, AppraisalStatus, PrintJob

    app = create_app()
    with app.app_context():
        ids = list(db.session.scalars(select(Appraisal.id).where(
            Appraisal.status == AppraisalStatus.CLOSED).order_by(Appraisal.id).limit(forms)))
        hr = db.session.scalar(select(User).where(User.username == "hr"))
        with writing():
            db.session.execute(delete(AppraisalDocument).where(AppraisalDocument.appraisal_id.in_(ids)))
            db.session.commit()

        def one():
            appraisal = printing.load_for_print([ids[0]])[ids[0]]
            return printing.render_forms([appraisal], "zh_Hans_CN")
        cold, warm, cpu = timed(one, runs)
        with writing():
            job = printing.create_job(hr, ids, "zh_Hans_CN")
            db.session.commit()
        with PeakRSS() as peak:
            start = time.perf_counter()
            printing.run_job(job.id)
            total = time.perf_counter() - start
        db.session.expire_all()
        job = db.session.get(PrintJob, job.id)
        result = {"single_cold_s": round(cold, 3), "single_warm_s": round(warm, 3),
                  "single_cpu_s": round(cpu, 3), "batch_forms": job.total,
                  "batch_state": job.state.value, "batch_s": round(total, 1),
                  "batch_mb": round(job.size / 1e6, 1), "batch_peak_mb": round(peak.peak)}
        printing._print_setup.value = None
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="measure on this (generated) database instead")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    if args.database_url:
        result = on_database(args.database_url, args.forms, args.runs)
        print(json.dumps(result) if args.json else result)
        return

    work = tempfile.mkdtemp(prefix="pdf-bench-")
    os.environ["PORTAL_INSTANCE_PATH"] = work
    os.environ.pop("DATABASE_URL", None)
    from flask import g
    from flask_migrate import upgrade

    from portal import create_app
    from portal.appraisals import printing, workflow
    from portal.extensions import db
    from portal.models.appraisals import PrintJob

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/bench.db",
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    with app.app_context():
        g.bench = True
        upgrade()
        ids, cycle_id, hr = closed_forms(args.forms)
        print(f"{len(ids)} closed forms of a 5-indicator template ready in {work}")

        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        from weasyprint import HTML
        cold, warm, cpu = timed(lambda: HTML(string="<p>Hello</p>").write_pdf(), args.runs)
        print(f"minimal WeasyPrint page (no stylesheet):      "
              f"cold {cold:.3f} s, warm {warm:.3f} s (CPU {cpu:.3f} s)")
        cold, warm, cpu = timed(lambda: printing.html_to_pdf("<p>Hello 你好</p>"), args.runs)
        print(f"minimal page with the print CSS and CJK font: "
              f"cold {cold:.3f} s, warm {warm:.3f} s (CPU {cpu:.3f} s)")

        for locale in ("zh_Hans_CN", "en"):
            def one():
                appraisal = printing.load_for_print([ids[0]])[ids[0]]
                return printing.render_forms([appraisal], locale)
            size = len(one())
            cold, warm, cpu = timed(one, args.runs)
            print(f"one review form, {locale:10}: cold {cold:.3f} s, warm {warm:.3f} s "
                  f"(CPU {cpu:.3f} s), {size / 1024:.0f} KB")

        job = printing.create_job(hr, ids, "zh_Hans_CN", cycle_id=cycle_id)
        db.session.commit()
        before = rss_mb()
        with PeakRSS() as peak:
            start, start_cpu = time.perf_counter(), time.process_time()
            printing.run_job(job.id)
            total, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        db.session.expire_all()
        job = db.session.get(PrintJob, job.id)
        print(f"batch of {job.total} forms (state {job.state.value}): {total:.1f} s "
              f"(CPU {cpu:.1f} s), {job.total / total:.2f} forms/s, PDF {job.size / 1e6:.1f} MB, "
              f"RSS {before:.0f} MB before, peak {peak.peak:.0f} MB")
        start = time.perf_counter()
        again = printing.create_job(hr, ids, "zh_Hans_CN", cycle_id=cycle_id)
        db.session.commit()
        printing.run_job(again.id)
        print(f"reprint of the same {job.total} kept forms: {time.perf_counter() - start:.1f} s")
        print(f"load average now: {os.getloadavg()[0]:.1f}")
        del workflow
        printing._print_setup.value = None  # let WeasyPrint clean up before exit


if __name__ == "__main__":
    main()
