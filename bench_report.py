#!/usr/bin/env python3
"""Writes docs/BENCHMARKS.md from the JSON reports in docs/bench/ (python3, standard library only).

Every figure in BENCHMARKS.md comes from a report that an htune command wrote: `htune compare
--json` (a table per workload), `htune sample --json` (status counts per workload), `htune
retrain --json` (held-out ranking metrics: operators, workloads, candidates) or the search
benchmark `build/tuner/htune_bench_search --json` (what the cost model is worth: trials to within
5% of the best known time, final bests and "A reaches B's final best" ratios per strategy, and a
link to the SVG plot it wrote next to the JSON). Each
report carries where it came from ("run": command, UTC date, htune commit) and compare reports
the machine's peak measured in the same run, which the tables repeat. Reports are listed in
file-name order; `docs/bench/<name>.md`, when present, is a short hand-written paragraph put
above the report's tables (what the run was for; no figures of its own).

    ./bench_report.py              # docs/bench/*.json -> docs/BENCHMARKS.md
    ./bench_report.py --check      # exit 1 when docs/BENCHMARKS.md is not up to date
"""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(ROOT, "docs", "bench")
OUT = os.path.join(ROOT, "docs", "BENCHMARKS.md")
AUTOSCHEDULERS = ("mullapudi2016", "li2018", "adams2019")


def fmt_ms(ms):
    return "%.4g" % ms if ms < 1000 else "%.0f" % ms


def provenance(report):
    run = report.get("run", {})
    return "`%s`  \n%s, htune %s" % (run.get("command", "(command not recorded)"),
                                     run.get("date", "(date not recorded)"),
                                     run.get("commit", "(commit not recorded)"))


def peak_text(m):
    """A machine object's peak and bandwidth, as every report states them."""
    return "peak %.1f GFLOP/s fp32 FMA (%s, %d threads), %.1f GB/s" % (
        m["peak_gflops"], m["fma_isa"], m["threads"], m["bandwidth_gbs"])


def model_lines(model):
    """The end-to-end table of `htune compare --workloads MODEL.json` (its JSON "model" object)."""
    params = ", ".join("%s=%s" % kv for kv in model.get("parameters", {}).items())
    lines = ["**Model %s**%s: %d distinct layers, %g layer instances; end-to-end time = the sum over layers of "
             "count x time." % (model["name"], " (%s)" % params if params else "", model["distinct_layers"],
                                model["instances"]), "",
             "| schedule | model total ms | vs heuristic | vs best autoscheduler | layers missing |",
             "|---|---:|---:|---:|---|"]
    for c in model["totals"]:
        f = lambda v: "-" if v is None else "%.2fx" % v
        missing = ", ".join("%d %s" % (n, why) for why, n in c.get("missing_by", {}).items())
        lines.append("| %s | %s | %s | %s | %s |" % (
            c["schedule"], "-" if c["total_ms"] is None else fmt_ms(c["total_ms"]),
            f(c.get("speedup_vs_heuristic")), f(c.get("speedup_vs_best_autoscheduler")),
            "%d (%s)" % (c["missing_layers"], missing) if c["missing_layers"] else "0"))
    if model.get("share_of"):
        lines += ["", "Share of the %s total per layer, largest first:" % model["share_of"], "",
                  "| layer | count | time ms | share |", "|---|---:|---:|---:|"]
        for l in model["layers"]:
            lines.append("| %s | %g | %s | %.1f%% |" % (l.get("label") or l["workload"], l["count"],
                                                       fmt_ms(l["time_ms"]), 100 * l["share"]))
    return lines + [""]


def compare_section(report):
    m = report["machine"]
    lines = ["Machine: `%s`, %s, measured in this run." % (m["device_key"], peak_text(m)), ""]
    if report.get("model"):
        lines += model_lines(report["model"])
    for w in report["workloads"]:
        if w.get("label") or w.get("count", 1) != 1:
            lines += ["Layer %s, count %g:" % (w.get("label") or "-", w.get("count", 1)), ""]
        rows = w["results"]
        ok = {r["schedule"]: r["time_ms"] for r in rows if r["status"] == "ok"}
        best_auto = min((ok[a] for a in AUTOSCHEDULERS if a in ok), default=None)
        what = "%.4g GFLOP" % (w["flops"] / 1e9) if w["flops"] > 0 else "%.4g MB min traffic" % (w["min_bytes"] / 1e6)
        lines += ["**%s** (%s)" % (w["workload"], what), "",
                  "| schedule | status | time ms | GFLOP/s | % peak | vs heuristic | vs best autoscheduler | note |",
                  "|---|---|---:|---:|---:|---:|---:|---|"]
        for r in rows:
            t = r["time_ms"] if r["status"] == "ok" else None
            vs_h = "%.2fx" % (ok["heuristic"] / t) if t and "heuristic" in ok else "-"
            vs_a = "%.2fx" % (best_auto / t) if t and best_auto else "-"
            gf = "%.1f" % r["gflops"] if t and r.get("gflops") else "-"
            pct = "%.1f%%" % r["pct_peak"] if t and r.get("pct_peak") else "-"
            note = r.get("error", "").replace("|", "\\|").replace("\n", " ")
            if len(note) > 120:
                note = note[:117] + "..."
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["schedule"], r["status"], fmt_ms(t) if t else "-", gf, pct, vs_h, vs_a, note))
        lines.append("")
    return lines


def sample_section(report):
    ws = report["workloads"] if "workloads" in report else [report]
    kinds = ("ok", "compile_error", "runtime_error", "timeout", "crash", "wrong_output")
    lines = ["| workload | heuristic | sampled | " + " | ".join(kinds) + " | ok share |",
             "|---|---|---:|" + "---:|" * len(kinds) + "---:|"]
    for w in ws:
        lines.append("| %s | %s | %d | %s | %.0f%% |" % (
            w["workload"], w["heuristic"]["status"], w["total"], " | ".join(str(w[k]) for k in kinds),
            100.0 * w["ok"] / max(1, w["total"])))
    return lines + [""]


def fmt_trials(x, ran=True):
    """A trial count or ratio from a search report: null = not reached (when the strategy ran)."""
    if not ran:
        return "-"
    return "not reached" if x is None else "%g" % x


def search_section(report):
    m, o = report.get("machine", {}), report.get("options", {})
    strategies = report["strategies"]
    lines = []
    if m.get("peak_gflops"):
        lines += ["Machine: `%s`, %s, measured at the start of this run."
                  % (m.get("device_key") or "(no run finished)", peak_text(m)), ""]
    runs = report["runs"]
    failed = [r for r in runs if not r["ok"]]
    commits = report.get("tune_commits", [])
    lines += ["%d workload(s) x %s x %d seed(s) (`--seed 0..%d`), %d trials per run, batch %d: %d runs, each `htune "
              "tune` into a fresh database%s; %d failed. The runs' htune: %s." % (
                  len(report["workloads"]), "/".join(strategies), o.get("seeds", 0), o.get("seeds", 1) - 1,
                  o.get("trials", 0), o.get("batch_size", 0), len(runs),
                  " with `%s`" % " ".join(o["tune_args"]) if o.get("tune_args") else "", len(failed),
                  ", ".join(commits) if commits else "(not recorded)"), ""]
    svg = report.get("svg")
    if svg and os.path.exists(os.path.join(BENCH, svg)):
        lines += ["![median of best known / best so far per strategy](bench/%s)" % svg, "",
                  "The plot ([%s](bench/%s)): per strategy, the median over every workload and seed of the best "
                  "known time / the best time so far (1 = the best any run of the workload found; dashed: within 5%%)."
                  % (svg, svg), ""]
    lines += ["**Headlines** (per workload: B's final best = the median over B's seeds; the trials A needs to reach it = "
              "the median over A's seeds, 'not reached' counting as the most; ratio = that / B's trials; then the "
              "median workload's ratio; issue 24's target: <= 1/3, and <= 1/2 for transfer (warm) vs cold):", "",
              "| A vs B | workloads | A reached B's final best on | median ratio | target | met |",
              "|---|---:|---:|---:|---|---|"]
    for h in report["headlines"]:
        r = h["median_ratio"]
        target = 1 / 2 if h["a"] == "transfer" else 1 / 3
        lines.append("| %s vs %s | %d | %d | %s | <= 1/%d | %s |" % (
            h["a"], h["b"], h["workloads"], h["reached"], fmt_trials(r, h["workloads"] > 0), round(1 / target),
            "yes" if r is not None and r <= target else "no"))
    lines += ["", "| workload | best known ms | strategy | ok runs | median trials to within 5% | median final best ms "
              "| final / best known |", "|---|---:|---|---:|---:|---:|---:|"]
    for w in report["workloads"]:
        for i, st in enumerate(w["strategies"]):
            ran = bool(st["final_ms"])
            fin = st["median_final_ms"]
            lines.append("| %s | %s | %s | %d of %d | %s | %s | %s |" % (
                w["workload"] if i == 0 else "", fmt_ms(w["best_known_ms"]) if i == 0 and w["best_known_ms"] else "",
                st["strategy"], st["runs"] - st["failed"], st["runs"],
                fmt_trials(st["median_trials_to_within_5pct"], ran), fmt_ms(fin) if fin else "-",
                "%.2fx" % (fin / w["best_known_ms"]) if fin and w["best_known_ms"] else "-"))
    pairs = [(p["a"], p["b"]) for p in report["workloads"][0]["reach"]] if report["workloads"] else []
    if pairs:
        lines += ["", "Trials A needs to reach B's final best (median over A's seeds) of B's trials, per workload:", "",
                  "| workload | " + " | ".join("%s -> %s's best" % p for p in pairs) + " |",
                  "|---|" + "---:|" * len(pairs)]
        for w in report["workloads"]:
            cells = []
            for p in w["reach"]:
                if not p["defined"]:
                    cells.append("-")
                elif p["median_trials"] is None:
                    cells.append("not reached (%s ms)" % fmt_ms(p["target_ms"]))
                else:
                    cells.append("%g of %g (%.2f; %s ms)" % (p["median_trials"], p["b_trials"], p["ratio"],
                                                             fmt_ms(p["target_ms"])))
            lines.append("| %s | %s |" % (w["workload"], " | ".join(cells)))
    if any("noise" in w for w in report["workloads"]):
        lines += ["", "Measurement noise: the same schedule measured in several runs of a workload (with one `--seed` "
                  "every strategy measures the same first batch); spread = slowest / fastest - 1. Where it is above "
                  "5%, \"within 5%\" and small differences between final bests are within the noise.", "",
                  "| workload | schedules in >= 2 runs | median spread | 90th percentile |", "|---|---:|---:|---:|"]
        for w in report["workloads"]:
            n = w.get("noise")
            if n:
                lines.append("| %s | %d | %s | %s |" % (
                    w["workload"], n["schedules"], "%.1f%%" % (100 * n["median_spread"]) if n["schedules"] else "-",
                    "%.1f%%" % (100 * n["p90_spread"]) if n["schedules"] else "-"))
    if failed:
        lines += ["", "Failed runs:", ""]
        for r in failed:
            lines.append("- %s, %s, seed %d: %s" % (r["workload"], r["strategy"], r["seed"],
                                                    (r["error"] or "").replace("\n", " ")))
    return lines + [""]


def retrain_section(report):
    """`htune retrain --json`: the held-out ranking metrics (README, `htune retrain`)."""
    def cell(m, key, fmt="%.3f"):
        v = m.get(key)
        return fmt % v if isinstance(v, (int, float)) else "n/a"
    lines = ["Training set: %d ok records of %d workloads (%d operators: %s), features `%s`, %s."
             % (report["records"], report["workloads"], len(report.get("operators", [])),
                ", ".join(report.get("operators", [])), report["feature_schema"], report["objective"])]
    if report.get("hold_out"):
        lines[0] += " Held out of everything: %s." % ", ".join(report["hold_out"])
    lines += ["", "| held out | pairwise accuracy | Spearman | top-1 | top-5% recall | records | workloads | folds |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key, label in (("held_out_named", "named operators"), ("held_out_operators", "whole operators"),
                       ("held_out_workloads", "whole workloads"), ("held_out_candidates", "candidates")):
        m = report.get(key)
        if m is None:
            continue
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, cell(m, "pairwise_accuracy"), cell(m, "spearman"), cell(m, "top1_recall"),
            cell(m, "top5pct_recall"), m.get("records", "-"), m.get("workloads", "-"), m.get("folds", "-")))
    gaps = [(label, report[key]) for key, label in
            (("held_out_named", "named operators"), ("held_out_operators", "whole operators"),
             ("held_out_workloads", "whole workloads"), ("held_out_candidates", "candidates"))
            if key in report and report[key].get("pairwise_by_time_gap")]
    if gaps:
        bands = [b["band"] for b in gaps[0][1]["pairwise_by_time_gap"]]
        lines += ["", "Pairwise accuracy by the time gap of the pair (the slower candidate's time over the "
                  "faster one's; pairs in the band):", "",
                  "| held out | " + " | ".join(bands) + " |", "|---|" + "---:|" * len(bands)]
        for label, m in gaps:
            lines.append("| %s | %s |" % (label, " | ".join(
                "%s (%d)" % (cell(b, "pairwise_accuracy"), b.get("pairs", 0)) for b in m["pairwise_by_time_gap"])))
    return lines + [""]


def stage_model_section(report):
    """`htune_bench_stage_model --json`: the stage-sum model against the row model (issue 24)."""
    lines = ["%d ok records (%d stage rows) of %d workloads, %d operators; held out: %s, %d folds; "
             "XGBoost %d rounds, depth %d, eta %g, seed %d." % (
                 report["records"], report["stage_rows"], report["workloads"], report["operators"],
                 report.get("hold_out", "operators"), report["folds"], report["rounds"], report["max_depth"],
                 report["eta"], report["seed"]),
             "", "| model | pairwise accuracy | Spearman | top-1 | top-5% recall | pairs |",
             "|---|---:|---:|---:|---:|---:|"]
    for key, label in (("row_model", "row model (`htune retrain`'s)"), ("stage_sum_model", "stage-sum model")):
        m = report[key]
        lines.append("| %s | %.3f | %.3f | %.3f | %.3f | %d |" % (
            label, m["pairwise_accuracy"], m["spearman"], m["top1_recall"], m["top5pct_recall"], m["pairs"]))
    return lines + [""]


def import_section(report):
    plugins = list(report.get("counts", {}).keys())
    lines = ["Target `%s`." % report.get("target", "?"), "",
             "| workload | " + " | ".join(plugins) + " |",
             "|---|" + "---|" * len(plugins)]
    by = {}
    for r in report.get("rows", []):
        by.setdefault(r["workload"], {})[r["plugin"]] = r
    details = []
    for wl, rows in by.items():
        cells = []
        for p in plugins:
            r = rows.get(p)
            if r is None:
                cells.append("")
            elif "error" in r:
                cells.append("no import")
                details.append("- %s, %s: no import: %s" % (wl, p, r["error"]))
            else:
                n = len(r.get("adaptations", []))
                cells.append(("exact" if n == 0 else "%d adaptation%s" % (n, "" if n == 1 else "s")) +
                             ("" if r.get("correct") else ", WRONG OUTPUT"))
                details += ["- %s, %s: %s" % (wl, p, a) for a in r.get("adaptations", [])]
        lines.append("| %s | %s |" % (wl, " | ".join(cells)))
    lines += ["", " ".join("%s: %d of %d exact, %d compute the reference." %
                           (p, c["exact"], c["workloads"], c["correct"])
                           for p, c in report.get("counts", {}).items())]
    if details:
        lines += ["", "Adaptations:", ""] + details
    return lines + [""]


def fleet_section(report):
    """`htune_bench_fleet --json`: `htune tune --mpi` throughput per host count, simulated (issue 26)."""
    st = report["settings"]
    lines = ["Simulated fleet: each candidate occupies a host %g s on average (lognormal noise %g), "
             "%d candidates per host, %s search on %s at test size; the coordinator's time is the real "
             "loop's (search, features, XGBoost, SQLite), measured." % (
                 st["candidate_s"], st["noise"], st["per_host"], st["search"], ", ".join(st["ops"])),
             "", "| hosts | batch | candidates | simulated min | candidates/min | speed-up vs 1 host | "
             "efficiency | coordinator s/candidate | coordinator share | host utilisation |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["rows"]:
        opt = lambda v, f: "-" if v is None else f % v
        lines.append("| %d | %d | %d | %.1f | %.1f | %s | %s | %.4f | %.3f | %.2f |" % (
            r["hosts"], r["batch_size"], r["candidates"], r["simulated_s"] / 60, r["candidates_per_min"],
            opt(r.get("speedup_vs_one_host"), "%.2f"), opt(r.get("efficiency"), "%.2f"),
            r["coordinator_s_per_candidate"], r["coordinator_share"], r["host_utilisation"]))
    return lines + [""]


def schedulers_section(report):
    """`./bench_schedulers.py`: weighted vs round-robin task scheduling on a network (issue 27)."""
    runs = report["runs"]
    lines = ["Model `%s`, `htune tune --time-budget %s%s` once per scheduler, each into a fresh database, one "
             "after the other. Model latency = the sum over the layers of count x best time, from the moment "
             "every layer has a best." % (report["model"], report["time_budget"],
                                          " " + " ".join(report["tune_args"]) if report.get("tune_args") else ""), ""]
    svg = report.get("svg")
    if svg and os.path.exists(os.path.join(BENCH, svg)):
        lines += ["![model latency over tuning time, weighted vs round-robin](bench/%s)" % svg, ""]
    lines += ["| scheduler | first model latency ms | final ms | heuristic ms | final vs heuristic | run s |",
              "|---|---:|---:|---:|---:|---:|"]
    for name, r in runs.items():
        c = r["curve"]
        first = "%.4g" % c[0]["ms"] if c else "-"
        final = "%.4g" % c[-1]["ms"] if c else "-"
        h = r.get("heuristic_ms")
        vs = "%.2fx" % (h / c[-1]["ms"]) if c and h else "-"
        lines.append("| %s | %s | %s | %s | %s | %.0f |" % (name, first, final, "%.4g" % h if h else "-", vs,
                                                             r["elapsed_s"]))
    # Both runs first set every layer up and measure its warm-up batch, the same work; "tuning s"
    # counts from the moment each run's curve starts (every layer has a best).
    start = {name: (r["curve"][0]["elapsed_s"] if r["curve"] else None) for name, r in runs.items()}
    lines += ["", "Time to reach a model latency (issue 27's target: weighted <= 2/3 of round-robin). Run s: from "
              "the start of the run; tuning s: from the moment every layer had a best (weighted %s s, round-robin "
              "%s s into the run):" % tuple("-" if start.get(n) is None else "%.0f" % start[n]
                                            for n in ("weighted", "round-robin")), "",
              "| model latency ms | weighted run s | round-robin run s | ratio | weighted tuning s | "
              "round-robin tuning s | ratio |", "|---:|---:|---:|---:|---:|---:|---:|"]
    f = lambda v: "not reached" if v is None else "%.0f" % v
    for r in report["levels"]:
        w, rr = r["weighted_s"], r["round_robin_s"]
        tw = None if w is None or start.get("weighted") is None else w - start["weighted"]
        trr = None if rr is None or start.get("round-robin") is None else rr - start["round-robin"]
        ratio2 = "%.2f" % (tw / trr) if tw is not None and trr else "-"
        lines.append("| %.4g | %s | %s | %s | %s | %s | %s |" % (
            r["latency_ms"], f(w), f(rr), "-" if r["ratio"] is None else "%.2f" % r["ratio"], f(tw), f(trr),
            ratio2))
    return lines + [""]


def schedulers_section_repeated(report):
    """`./bench_schedulers.py --repeats N` (format /2): every run's curve, and per latency the
    tuning time of each run and the ratio of the medians."""
    runs, n = report["runs"], report.get("repeats", 1)
    lines = []
    for when in ("before", "after"):
        m = (report.get("machine") or {}).get(when)
        if m:
            lines.append("Machine %s the runs: %s." % (when, peak_text(m)))
    lines += ["", "Model `%s`, `htune tune --time-budget %s%s`, %d run(s) per scheduler, each into a fresh database, "
              "one after the other (weighted first in odd repeats, round-robin first in even ones). Model latency = "
              "the sum over the layers of count x best time, from the moment every layer has a best." % (
                  report["model"], report["time_budget"],
                  " " + " ".join(report["tune_args"]) if report.get("tune_args") else "", n), ""]
    svg = report.get("svg")
    if svg and os.path.exists(os.path.join(BENCH, svg)):
        lines += ["![model latency over tuning time, weighted vs round-robin](bench/%s)" % svg, ""]
    lines += ["| scheduler | repeat | first model latency ms | final ms | heuristic ms | final vs heuristic | "
              "curve starts at s | run s |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, rs in runs.items():
        for r in rs:
            c, h = r["curve"], r.get("heuristic_ms")
            lines.append("| %s | %d | %s | %s | %s | %s | %s | %.0f |" % (
                name, r["repeat"], "%.4g" % c[0]["ms"] if c else "-", "%.4g" % c[-1]["ms"] if c else "-",
                "%.4g" % h if h else "-", "%.2fx" % (h / c[-1]["ms"]) if c and h else "-",
                "%.0f" % c[0]["elapsed_s"] if c else "-", r["elapsed_s"]))
    f = lambda vs: ", ".join("not reached" if v is None else "%.0f" % v for v in vs)
    lines += ["", "Tuning time (s from the moment every layer had a best) to reach a model latency, each run; "
              "issue 27's target: weighted <= 2/3 of round-robin.", "",
              "| model latency ms | weighted tuning s | round-robin tuning s | ratio of medians |",
              "|---:|---:|---:|---:|"]
    for r in report["levels"]:
        lines.append("| %.4g | %s | %s | %s |" % (r["latency_ms"], f(r["weighted_tuning_s"]),
                                                 f(r["round_robin_tuning_s"]),
                                                 "-" if r["ratio"] is None else "%.2f" % r["ratio"]))
    return lines + [""]


def profile_section(report):
    out = []
    for p in report["profiles"]:
        out += ["**%s** (%s): %d runs in %.2f s, %d samples, %.3f ms per run as sampled (with the profiler's overhead)"
                % (p["schedule"], report["workload"], p["runs"], p["wall_s"], p["samples"], p["ms_per_run"]), "",
                "| func | share | ms/run | threads |", "|---|---:|---:|---:|"]
        for f in p["funcs"]:
            out.append("| %s | %.1f%% | %.3f | %s |" % (f["name"], 100 * f["share"], f["ms_per_run"],
                                                       "%.2f" % f["threads"] if f["ms"] > 0 else "-"))
        out.append("")
    return out


def render():
    out = ["# Benchmarks", "",
           "Generated by `./bench_report.py` from the JSON reports in `docs/bench/` (do not edit by hand).",
           "Each table says the command that measured it, when, with which htune commit, and (for",
           "`compare`) this machine's FMA peak and bandwidth measured in the same run: the VM's speed",
           "varies from day to day, so figures compare only within one table.", ""]
    for path in sorted(glob.glob(os.path.join(BENCH, "*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path) as f:
            report = json.load(f)
        out += ["## " + name, "", provenance(report), ""]
        intro = os.path.join(BENCH, name + ".md")
        if os.path.exists(intro):
            with open(intro) as f:
                out += [f.read().strip(), ""]
        if report.get("format") == "htune-bench-search/1":
            out += search_section(report)
        elif report.get("format") == "htune-retrain/1":
            out += retrain_section(report)
        elif report.get("format") == "htune-bench-import/1":
            out += import_section(report)
        elif report.get("format") == "htune-bench-stage-model/1":
            out += stage_model_section(report)
        elif report.get("format") == "htune-bench-fleet/1":
            out += fleet_section(report)
        elif report.get("format") == "htune-bench-schedulers/1":
            out += schedulers_section(report)
        elif report.get("format") == "htune-bench-schedulers/2":
            out += schedulers_section_repeated(report)
        elif report.get("format") == "htune-profile/1":
            out += profile_section(report)
        elif "machine" in report:
            out += compare_section(report)
        else:
            out += sample_section(report)
    return "\n".join(out).rstrip() + "\n"


def main():
    text = render()
    if "--check" in sys.argv[1:]:
        current = open(OUT).read() if os.path.exists(OUT) else ""
        if current != text:
            print("bench_report: docs/BENCHMARKS.md is out of date; run ./bench_report.py", file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
