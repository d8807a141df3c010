#!/usr/bin/env python
"""What the fallback fonts cost: the printed form with today's font stack (the SC subset alone,
the stylesheet before issue 18) beside the new one (SC, SC Ext, BabelStone Han, Noto Emoji), in
the same run, on forms of people with rare names and comments with emoji.

    /work/main/.venv/bin/python bench/print_fonts.py [--forms 100] [--runs 5]

Each variant runs in its own process (fresh font caches): one form warm (median of --runs), and
a whole-cycle batch of --forms closed forms as the worker runs it, with its peak RSS (process and
helpers). Goals: one form <= 0.5 s warm; 500 forms <= 120 s and <= 500 MB (a smaller --forms is
extrapolated linearly to 500 in the summary).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY_CSS = ROOT / "static" / "css" / ".bench-today-print.css"
NAMES = ["高𠮷", "李𠀀", "王𪚥", "陈𪜀", "周豈", "龚䶮", "张喆堃", "刘玥"]
COMMENT = "完成了目标 👍🎉 ≤ ≥ ✓ " + "每周拜访三家客户。" * 20


def today_css() -> str:
    """The print stylesheet with only the SC subset in its font stack (as before issue 18)."""
    css = (ROOT / "static" / "css" / "appraisal-print.css").read_text()
    return css.replace('"Portal Noto Sans SC", "Portal Noto Sans SC Ext", "Portal BabelStone Han", '
                       '"Portal Noto Emoji", sans-serif', '"Portal Noto Sans SC", sans-serif')


def variant(forms: int, runs: int) -> dict:
    from bench.pdf_bench import PeakRSS, rss_mb, timed

    work = tempfile.mkdtemp(prefix="print-fonts-")
    os.environ["PORTAL_INSTANCE_PATH"] = work
    os.environ.pop("DATABASE_URL", None)
    from flask import g
    from flask_migrate import upgrade

    from portal import create_app
    from portal.appraisals import printing
    from portal.demo import seed_organisation
    from portal.extensions import db
    from portal.models import Role, User
    from portal.models.appraisals import AppraisalStatus, PrintJob
    from tests.appraisal_factories import advance, make_cycle, make_template

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/bench.db",
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    with app.app_context():
        g.bench = True
        upgrade()
        ctx = seed_organisation(date(2026, 11, 26))
        area, manager, hr = ctx.areas[0], ctx.users["manager1"], ctx.users["hr"]
        for i in range(forms):
            user = User(username=f"bench{i:04d}", display_name=NAMES[i % len(NAMES)] + str(i),
                        password_hash="x", area=area, manager=manager)
            user.roles = [Role.STAFF]
            db.session.add(user)
        db.session.flush()
        cycle = make_cycle(make_template((30, 20, 20, 15, 15)), areas=[area], name="2026-Q4")
        appraisals = [a for a in sorted(cycle.appraisals, key=lambda a: a.id)
                      if a.user.username.startswith("bench")][:forms]
        for appraisal in appraisals:
            advance(appraisal, AppraisalStatus.CLOSED, hr=hr)
            appraisal.self_comment = appraisal.employee_comment = COMMENT
        db.session.commit()
        ids = [a.id for a in appraisals]

        def one():
            appraisal = printing.load_for_print([ids[0]])[ids[0]]
            return printing.render_forms([appraisal], "zh_Hans_CN")
        cold, warm, cpu = timed(one, runs)
        job = printing.create_job(hr, ids, "zh_Hans_CN", cycle_id=cycle.id)
        db.session.commit()
        before = rss_mb()
        with PeakRSS() as peak:
            start = time.perf_counter()
            printing.run_job(job.id)
            total = time.perf_counter() - start
        db.session.expire_all()
        job = db.session.get(PrintJob, job.id)
        printing._print_setup.value = None
        return {"cold": cold, "warm": warm, "warm_cpu": cpu, "forms": job.total,
                "state": job.state.value, "batch_s": total, "pdf_mb": job.size / 1e6,
                "rss_before_mb": before, "rss_peak_mb": peak.peak,
                "processes": app.config["APPRAISAL_PRINT_PROCESSES"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variant", choices=["today", "new"])
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(variant(args.forms, args.runs)))
        return
    TODAY_CSS.write_text(today_css())
    try:
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
              f"{args.forms} forms per batch")
        for name in ("today", "new"):
            env = dict(os.environ)
            if name == "today":
                env["PORTAL_PRINT_CSS"] = str(TODAY_CSS)
            out = subprocess.run([sys.executable, __file__, "--variant", name, "--forms",
                                  str(args.forms), "--runs", str(args.runs)], env=env,
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            per500 = r["batch_s"] / r["forms"] * 500
            print(f"{name:5}: one form cold {r['cold']:.2f} s, warm {r['warm']:.3f} s "
                  f"(CPU {r['warm_cpu']:.3f} s); batch of {r['forms']} ({r['state']}, "
                  f"{r['processes']} processes) {r['batch_s']:.1f} s -> 500 forms ~{per500:.0f} s; "
                  f"PDF {r['pdf_mb']:.1f} MB; RSS {r['rss_before_mb']:.0f} MB before, "
                  f"peak {r['rss_peak_mb']:.0f} MB")
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        TODAY_CSS.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
