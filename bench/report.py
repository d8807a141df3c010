#!/usr/bin/env python
"""The README's Performance tables, in Markdown, from the latest runs of bench/run.py.

    /work/main/.venv/bin/python bench/report.py [--pages] > /tmp/performance.md

Reads bench/results/<database>-<size>-latest.json (sqlite and postgresql; s, m, l) and prints the
goals of each run side by side, then (with --pages) the main page of each module per role.
"""
import argparse
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
MAIN = ["/", "/targets/", "/targets/duties", "/customers/", "/customers/visits", "/complaints/",
        "/complaints/new", "/training/", "/meetings/", "/one-on-ones/", "/surveys/",
        "/appraisals/", "/incentives/", "/careers/", "/tasks/", "/reviews/", "/admin/",
        "/pipeline/", "/pipeline/list", "/pipeline/team", "/pipeline/forecast", "/care/", "/intel/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true")
    args = parser.parse_args()
    runs = []
    for database in ("sqlite", "postgresql"):
        for size in ("s", "m", "l"):
            path = RESULTS / f"{database}-{size}-latest.json"
            if path.exists():
                runs.append(json.loads(path.read_text()))
    if not runs:
        raise SystemExit("no runs in bench/results/")
    heads = [f"{r['database']} {r['size'].upper()}" for r in runs]
    print("| run | " + " | ".join(heads) + " |")
    print("| --- |" + " --- |" * len(runs))
    print("| date (UTC), commit | " + " | ".join(f"{r['when'][:16]} {r['commit']}" for r in runs)
          + " |")
    print("| load average at the end | " + " | ".join(f"{r['load_average']:.1f}" for r in runs)
          + " |")
    print("| floor p50 ms | " + " | ".join(f"{r['floor']['p50_ms']}" for r in runs) + " |")
    names = []
    for r in runs:
        for g in r["goals"]:
            key = g["goal"].split(" (worst")[0]
            if key not in names:
                names.append(key)
    for name in names:
        cells = []
        for r in runs:
            g = next((g for g in r["goals"] if g["goal"].split(" (worst")[0] == name), None)
            if g is None or g["value"] is None:
                cells.append("–")
                continue
            worst = g["goal"].split("(worst: ")[1].rstrip(")") if "(worst" in g["goal"] else ""
            mark = "ok" if g["met"] else f"**missed ×{g['miss_factor']}**"
            cells.append(f"{g['value']} {mark}" + (f" ({worst})" if worst else ""))
        print(f"| {name} (limit {next(g['limit'] for r in runs for g in r['goals'] if g['goal'].split(' (worst')[0] == name)}) | "
              + " | ".join(cells) + " |")
    if args.pages:
        print()
        print("| role | page | " + " | ".join(f"{h} p50 / p95 ms, SQL" for h in heads) + " |")
        print("| --- | --- |" + " --- |" * len(runs))
        for role in ("admin", "hr", "manager1", "staff1"):
            for route in MAIN:
                cells = []
                for r in runs:
                    p = next((p for p in r["pages"] if p["role"] == role and p["route"] == route),
                             None)
                    cells.append(f"{p['p50_ms']:.0f} / {p['p95_ms']:.0f}, {p['sql']}" if p else "–")
                if any(c != "–" for c in cells):
                    print(f"| {role} | {route} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
