#!/usr/bin/env python3
"""Weighted vs round-robin task scheduling on a network (issue 27's target: the weighted
scheduler reaches a given model latency in <= 2/3 of round-robin's wall time).

Runs `htune tune --workloads MODEL --scheduler S --time-budget T` once per scheduler and repeat,
each into a fresh database, one after the other on this machine (repeat k runs weighted first when
k is even, round-robin first when odd, so a drift of the machine's speed does not favour one), and
reads the model latency curve each run writes in its summary JSON ("model": {"curve":
[{"elapsed_s", "ms"}]}: the sum of count x best time, from the moment every layer has a best).
The htune binary is copied into the work directory first, so a rebuild meanwhile changes nothing.
The machine's FMA peak and bandwidth are measured before and after (htune_bench_measure peak).

Writes a report (format htune-bench-schedulers/2) with every curve and, for a series of
latencies (from the worst first point down to the worst final one over all runs), the tuning time
each run needed to reach it (from its curve's start: both schedulers first set every layer up and
measure its heuristic and seeds, the same work) and the ratio of the medians, weighted /
round-robin; plus an SVG of the curves next to it. `./bench_report.py` renders it in
docs/BENCHMARKS.md.

    ./bench_schedulers.py --model examples/models/resnet18.json --time-budget 15m --repeats 2 \\
        --json docs/bench/DATE-resnet18-schedulers.json [--htune build/htune] [-- TUNE ARGS...]

Standard library only. Arguments after `--` go to every `htune tune` run unchanged.
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
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
    """Latencies every run reached: from the worst first point down to the worst final point."""
    hi = max(c[0]["ms"] for c in curves)
    lo = max(c[-1]["ms"] for c in curves)
    if hi <= lo:
        return [lo]
    n = 8
    return [hi * (lo / hi) ** (i / n) for i in range(1, n + 1)]


def svg(runs, path):
    """A step curve per run; the first repeat of each scheduler drawn solid, the others dashed."""
    w, h, pad = 640, 360, 50
    pts = [p for rs in runs.values() for r in rs for p in r["curve"]]
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
    for k, (name, rs) in enumerate(runs.items()):
        for i, r in enumerate(rs):
            c = r["curve"]
            if not c:
                continue
            d = "M%.1f,%.1f" % (x(c[0]["elapsed_s"]), y(c[0]["ms"]))
            for a, b in zip(c, c[1:]):  # a step curve: the best so far holds until the next point
                d += " L%.1f,%.1f L%.1f,%.1f" % (x(b["elapsed_s"]), y(a["ms"]), x(b["elapsed_s"]), y(b["ms"]))
            d += " L%.1f,%.1f" % (x(r["elapsed_s"]), y(c[-1]["ms"]))
            out.append('<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>'
                       % (d, colors.get(name, "gray"), ' stroke-dasharray="6,4"' if i else ""))
        out.append('<text x="%d" y="%d" fill="%s">%s%s</text>' % (
            w - pad - 160, pad + 16 * k, colors.get(name, "gray"), name,
            " (%d runs)" % len(rs) if len(rs) > 1 else ""))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def measure_peak(tool):
    """This machine's peak now (htune_bench_measure peak), or None when the tool is missing."""
    try:
        return json.loads(subprocess.check_output([tool, "peak"], text=True))
    except (OSError, subprocess.CalledProcessError, ValueError) as e:
        print("bench_schedulers: no peak measured (%s)" % e, file=sys.stderr)
        return None


def median(xs):
    return statistics.median(xs) if xs and None not in xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="model file (examples/models/*.json)")
    ap.add_argument("--time-budget", required=True, help="per run, as htune tune takes it (15m, 1h)")
    ap.add_argument("--repeats", type=int, default=1, help="runs per scheduler (default 1)")
    ap.add_argument("--json", required=True, help="report to write; the SVG goes next to it")
    ap.add_argument("--htune", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "build", "htune"))
    ap.add_argument("--peak-tool", help="htune_bench_measure (default: build/measure/ next to --htune)")
    ap.add_argument("--keep", help="directory for the runs' databases and summaries (default: a temporary one)")
    ap.add_argument("tune_args", nargs="*", help="after --: more htune tune arguments for every run")
    a = ap.parse_args()
    if a.repeats < 1:
        print("bench_schedulers: error: --repeats must be at least 1", file=sys.stderr)
        return 2
    commit = git_commit()  # of the htune that runs, before anything is committed meanwhile
    work = a.keep or tempfile.mkdtemp(prefix="htune-schedulers-")
    os.makedirs(work, exist_ok=True)
    htune = os.path.join(work, "htune")
    if os.path.abspath(a.htune) != htune:
        shutil.copy2(a.htune, htune)
    peak_tool = a.peak_tool or os.path.join(os.path.dirname(os.path.abspath(a.htune)), "measure",
                                            "htune_bench_measure")
    machine = {"before": measure_peak(peak_tool)}
    runs = {s: [] for s in SCHEDULERS}
    for k in range(a.repeats):
        for s in (SCHEDULERS if k % 2 == 0 else SCHEDULERS[::-1]):
            tag = s if a.repeats == 1 else "%s-%d" % (s, k + 1)
            db = os.path.join(work, tag + ".db")
            summary = os.path.join(work, tag + ".json")
            for f in (db, summary):
                if os.path.exists(f):
                    os.remove(f)
            cmd = [htune, "tune", "--workloads", a.model, "--scheduler", s, "--time-budget", a.time_budget,
                   "--db", db, "--json", summary] + a.tune_args
            print("bench_schedulers: " + " ".join(cmd), file=sys.stderr, flush=True)
            if subprocess.call(cmd) != 0:
                print("bench_schedulers: error: the %s run failed" % tag, file=sys.stderr)
                return 1
            with open(summary) as f:
                j = json.load(f)
            model = j.get("model") or {}
            runs[s].append({"repeat": k + 1, "elapsed_s": j["elapsed_s"], "curve": model.get("curve", []),
                            "best_ms": model.get("best_ms"), "heuristic_ms": model.get("heuristic_ms"),
                            "trials": {w["workload"]: w["trials_this_run"] for w in j["workloads"]},
                            "command": " ".join(cmd)})
    machine["after"] = measure_peak(peak_tool)
    curves = [r["curve"] for rs in runs.values() for r in rs]
    rows = []
    if all(curves):
        for latency in levels(curves):
            row = {"latency_ms": latency}
            for s in SCHEDULERS:
                key = s.replace("-", "_")
                row[key + "_s"] = [time_to_reach(r["curve"], latency) for r in runs[s]]
                row[key + "_tuning_s"] = [None if t is None else t - r["curve"][0]["elapsed_s"]
                                          for t, r in zip(row[key + "_s"], runs[s])]
            w, rr = median(row["weighted_tuning_s"]), median(row["round_robin_tuning_s"])
            row["ratio"] = w / rr if w is not None and rr else None
            rows.append(row)
    out = os.path.abspath(a.json)
    svg_name = os.path.splitext(os.path.basename(out))[0] + ".svg"
    report = {"format": "htune-bench-schedulers/2", "model": a.model, "time_budget": a.time_budget,
              "repeats": a.repeats, "tune_args": a.tune_args, "machine": machine, "runs": runs, "levels": rows,
              "svg": svg_name if svg(runs, os.path.join(os.path.dirname(out), svg_name)) else None,
              "run": {"command": "./bench_schedulers.py " + " ".join(sys.argv[1:]),
                      "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                      "commit": commit}}
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    for r in rows:
        fmt = lambda vs: ", ".join("not reached" if v is None else "%.0f s" % v for v in vs)
        print("%.4g ms: weighted %s; round-robin %s%s" % (
            r["latency_ms"], fmt(r["weighted_tuning_s"]), fmt(r["round_robin_tuning_s"]),
            "; ratio of medians %.2f" % r["ratio"] if r["ratio"] is not None else ""))
    print("json: " + out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
