#!/usr/bin/env python3
"""Weighted vs round-robin task scheduling on a network (issue 27's target: the weighted
scheduler reaches a given model latency in <= 2/3 of round-robin's wall time).

Runs `htune tune --workloads MODEL --scheduler S --time-budget T` once per scheduler, each into a
fresh database, one after the other on this machine, and reads the model latency curve each run
writes in its summary JSON ("model": {"curve": [{"elapsed_s", "ms"}]}: the sum of count x best
time, from the moment every layer has a best). Writes a report (format htune-bench-schedulers/1)
with both curves, the time each run needed to reach a series of latencies (from the worse of the
two first points down to the worse of the two final ones) and the ratio weighted / round-robin,
plus an SVG of the two curves next to it. `./bench_report.py` renders it in docs/BENCHMARKS.md.

    ./bench_schedulers.py --model examples/models/resnet18.json --time-budget 15m \\
        --json docs/bench/DATE-resnet18-schedulers.json [--htune build/htune] [-- TUNE ARGS...]

Standard library only. Arguments after `--` go to both `htune tune` runs unchanged.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

SCHEDULERS = ("weighted", "round-robin")


def git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        c = subprocess.check_output(["git", "-C", here, "rev-parse", "--short", "HEAD"], text=True).strip()
        dirty = subprocess.call(["git", "-C", here, "diff", "--quiet", "HEAD"]) != 0
        return c + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def time_to_reach(curve, latency):
    """Seconds until the curve is at or below `latency`; None when it never is."""
    for p in curve:
        if p["ms"] <= latency * (1 + 1e-9):
            return p["elapsed_s"]
    return None


def levels(curves):
    """Latencies both runs reached: from the worse first point down to the worse final point."""
    hi = max(c[0]["ms"] for c in curves)
    lo = max(c[-1]["ms"] for c in curves)
    if hi <= lo:
        return [lo]
    n = 8
    return [hi * (lo / hi) ** (i / n) for i in range(1, n + 1)]


def svg(runs, path):
    w, h, pad = 640, 360, 50
    pts = [p for r in runs.values() for p in r["curve"]]
    if not pts:
        return False
    tmax = max(p["elapsed_s"] for p in pts) or 1
    ymax = max(p["ms"] for p in pts)
    ymin = min(p["ms"] for p in pts)
    span = (ymax - ymin) or 1
    x = lambda t: pad + (w - 2 * pad) * t / tmax
    y = lambda ms: h - pad - (h - 2 * pad) * (ms - ymin) / span
    colors = {"weighted": "#d62728", "round-robin": "#1f77b4"}
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
           % (w, h), '<rect width="100%" height="100%" fill="white"/>',
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, h - pad, w - pad, h - pad),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (pad, pad, pad, h - pad),
           '<text x="%d" y="%d" text-anchor="middle">minutes of tuning</text>' % (w / 2, h - 12),
           '<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle">model latency ms</text>'
           % (h / 2, h / 2)]
    for i in range(5):
        t = tmax * i / 4
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%.0f</text>' % (x(t), h - pad + 16, t / 60))
        ms = ymin + span * i / 4
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.3g</text>' % (pad - 4, y(ms) + 4, ms))
    for k, (name, r) in enumerate(runs.items()):
        c = r["curve"]
        if not c:
            continue
        d = "M%.1f,%.1f" % (x(c[0]["elapsed_s"]), y(c[0]["ms"]))
        for a, b in zip(c, c[1:]):  # a step curve: the best so far holds until the next point
            d += " L%.1f,%.1f L%.1f,%.1f" % (x(b["elapsed_s"]), y(a["ms"]), x(b["elapsed_s"]), y(b["ms"]))
        d += " L%.1f,%.1f" % (x(r["elapsed_s"]), y(c[-1]["ms"]))
        out.append('<path d="%s" fill="none" stroke="%s" stroke-width="2"/>' % (d, colors.get(name, "gray")))
        out.append('<text x="%d" y="%d" fill="%s">%s</text>' % (w - pad - 120, pad + 16 * k, colors.get(name, "gray"),
                                                                 name))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="model file (examples/models/*.json)")
    ap.add_argument("--time-budget", required=True, help="per run, as htune tune takes it (15m, 1h)")
    ap.add_argument("--json", required=True, help="report to write; the SVG goes next to it")
    ap.add_argument("--htune", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "build", "htune"))
    ap.add_argument("--keep", help="directory for the runs' databases and summaries (default: a temporary one)")
    ap.add_argument("tune_args", nargs="*", help="after --: more htune tune arguments for both runs")
    a = ap.parse_args()
    commit = git_commit()  # of the htune that runs, before anything is committed meanwhile
    work = a.keep or tempfile.mkdtemp(prefix="htune-schedulers-")
    os.makedirs(work, exist_ok=True)
    runs = {}
    for s in SCHEDULERS:
        db = os.path.join(work, s + ".db")
        summary = os.path.join(work, s + ".json")
        for f in (db, summary):
            if os.path.exists(f):
                os.remove(f)
        cmd = [a.htune, "tune", "--workloads", a.model, "--scheduler", s, "--time-budget", a.time_budget,
               "--db", db, "--json", summary] + a.tune_args
        print("bench_schedulers: " + " ".join(cmd), file=sys.stderr, flush=True)
        if subprocess.call(cmd) != 0:
            print("bench_schedulers: error: the %s run failed" % s, file=sys.stderr)
            return 1
        with open(summary) as f:
            j = json.load(f)
        model = j.get("model") or {}
        runs[s] = {"elapsed_s": j["elapsed_s"], "curve": model.get("curve", []),
                   "best_ms": model.get("best_ms"), "heuristic_ms": model.get("heuristic_ms"),
                   "trials": {w["workload"]: w["trials_this_run"] for w in j["workloads"]},
                   "command": " ".join(cmd)}
    curves = [r["curve"] for r in runs.values()]
    rows = []
    if all(curves):
        for latency in levels(curves):
            t = {s: time_to_reach(runs[s]["curve"], latency) for s in SCHEDULERS}
            ratio = t["weighted"] / t["round-robin"] if t["weighted"] is not None and t["round-robin"] else None
            rows.append({"latency_ms": latency, "weighted_s": t["weighted"], "round_robin_s": t["round-robin"],
                         "ratio": ratio})
    out = os.path.abspath(a.json)
    svg_name = os.path.splitext(os.path.basename(out))[0] + ".svg"
    report = {"format": "htune-bench-schedulers/1", "model": a.model, "time_budget": a.time_budget,
              "tune_args": a.tune_args, "runs": runs, "levels": rows,
              "svg": svg_name if svg(runs, os.path.join(os.path.dirname(out), svg_name)) else None,
              "run": {"command": "./bench_schedulers.py " + " ".join(sys.argv[1:]),
                      "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                      "commit": commit}}
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    for r in rows:
        fmt = lambda v: "not reached" if v is None else "%.0f s" % v
        print("%.4g ms: weighted %s, round-robin %s%s" % (
            r["latency_ms"], fmt(r["weighted_s"]), fmt(r["round_robin_s"]),
            ", ratio %.2f" % r["ratio"] if r["ratio"] is not None else ""))
    print("json: " + out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
