// SearchBench: what the cost model is worth (issue 24), the library behind the bench program
// `htune_bench_search` (SearchBenchMain.cpp). Start at run_search_bench, then summarize.
//   run_search_bench  runs `htune tune` (the binary: the CLI's own code path and defaults) once
//                     per (workload, strategy, seed), each into a fresh database of its own, and
//                     reads each run's best-so-far curve from the tune's --json summary.
//   summarize         per workload and strategy: trials to within 5% of the best known time,
//                     final best; per pair of strategies (A, B): trials A needs to reach B's
//                     final best, over B's trials; the median normalized curves.
//   search_bench_json / search_bench_svg   the report (bench_report.py turns it into a section
//                     of docs/BENCHMARKS.md) and the plot, written by our own code.
// "Not reached" is +infinity in memory and null in JSON; every median counts it as the largest
// value, so a median is "not reached" when at least half of what it summarizes is.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

constexpr double kNotReached = std::numeric_limits<double>::infinity();
constexpr double kWithinBestKnown = 1.05;  // "within 5% of the best known time"

// One tuning run: one workload, one strategy, one --seed, its own database.
struct BenchRun {
    std::string workload;  // canonical name (the tune summary's), or the bench's label of it
    std::string strategy;
    uint64_t seed = 0;
    bool ok = false;            // the run gave a curve with at least one ok measurement
    bool reused = false;        // read from an earlier invocation's summary (resume)
    std::string error;          // why not ok (or the workload's error in the summary)
    int exit_code = 0;          // of `htune tune`
    std::vector<double> curve;  // best ms after i trials of this run, i = 0..trials; 0 = none ok yet
    double best_ms = 0;         // the summary's best_ms (after confirmation when it ran)
    double heuristic_ms = 0;
    double elapsed_s = 0;
    std::string stop, device, commit;  // the tune's stop reason, device key, htune commit
    std::string db, summary, log;      // files of this run
    // min_ms of each ok record of its database, by schedule hash (not written to the JSON): the
    // same schedule measured in several runs of a workload shows the measurement noise.
    std::map<std::string, double> times;
};

// --- the figures (SearchBench.cpp) ---

// The last positive value of `curve` (its final best), or 0 when none is.
double final_best(const std::vector<double> &curve);
// The first trial count i >= 1 with 0 < curve[i] <= target_ms, or kNotReached.
double trials_to_reach(const std::vector<double> &curve, double target_ms);
// The median; kNotReached values count as the largest; empty -> kNotReached. An even count
// takes the mean of the two middle values (kNotReached when either is).
double median_of(std::vector<double> values);
// best_known / curve[i] (0 where curve[i] is 0), padded with its last value to `length` points.
std::vector<double> normalized_curve(const std::vector<double> &curve, double best_known, size_t length);

struct StrategyStats {
    std::string strategy;
    int runs = 0, failed = 0;
    std::vector<double> trials_to_within;  // per ok run (seed order); kNotReached = never
    std::vector<double> final_ms;          // per ok run
    double median_trials_to_within = kNotReached;
    double median_final_ms = 0;  // 0 = no ok run
};

// Strategy A against strategy B on one workload: B's final best (median over its ok runs) is the
// target; `trials` = per ok run of A, the trials it took to get there; ratio = median of those
// over B's trials (median over its ok runs).
struct ReachStats {
    std::string a, b;
    double target_ms = 0, b_trials = 0;
    std::vector<double> trials;
    double median_trials = kNotReached, ratio = kNotReached;
    bool defined = false;  // both strategies have an ok run on this workload
};

// The same schedule measured in several runs of one workload (with one --seed every strategy
// measures the same first batch): spread = slowest / fastest - 1 per such schedule. When it is
// above kWithinBestKnown - 1, "within 5%" is within the noise.
struct NoiseStats {
    int schedules = 0;  // measured ok in at least two runs
    double median_spread = 0, p90_spread = 0;
};
// The spread of BenchRun::times over `runs` (see NoiseStats).
NoiseStats measurement_noise(const std::vector<const BenchRun *> &runs);

struct WorkloadStats {
    std::string workload;
    double best_known_ms = 0;  // the best over every run of the workload; 0 = none ran ok
    NoiseStats noise;
    std::vector<StrategyStats> strategies;
    std::vector<ReachStats> reach;  // one per pair of strategies (see summarize)
};

// A against B over the workloads where both ran: the median workload's ratio.
struct Headline {
    std::string a, b;
    int workloads = 0;  // where the pair is defined
    int reached = 0;    // where A reached B's final best at all
    double median_ratio = kNotReached;
};

struct BenchSummary {
    std::vector<std::string> strategies;
    std::vector<WorkloadStats> workloads;
    std::vector<Headline> headlines;
    // Per strategy (in `strategies` order): at each trial count 0..trials, the median over its
    // ok runs (every workload, every seed) of best known / best so far.
    std::vector<std::vector<double>> median_curves;
};

// The figures of `runs`. Workloads in first-appearance order; pairs of strategies are the
// neighbours in `strategies` (guided,evolution,random -> guided vs evolution, evolution vs
// random): each is "A reaches B's final best in what share of B's trials".
BenchSummary summarize(const std::vector<BenchRun> &runs, const std::vector<std::string> &strategies);

// --- the report and the plot ---

// {"format": "htune-bench-search/1", "strategies", "within", "runs": [...], "workloads": [...],
//  "headlines": [...], "median_curves": {strategy: [...]}}; kNotReached -> null. The bench
// program adds "run" (provenance), "machine", "options" and "svg" (the plot's file name).
nlohmann::json search_bench_json(const std::vector<BenchRun> &runs, const BenchSummary &summary);

// An SVG (no script, no external reference) of summary.median_curves: one <polyline> per
// strategy, trials on x, best known / best so far on y (0..1), a dashed line at 1/1.05, a legend.
std::string search_bench_svg(const BenchSummary &summary, const std::string &title);

// --- the runs (SearchBenchRuns.cpp) ---

struct SearchBenchOptions {
    std::string htune;  // the htune binary
    std::vector<WorkloadSpec> workloads;
    std::vector<std::string> strategies = {"guided", "evolution", "random"};
    int seeds = 3;  // --seed 0 .. seeds-1
    int trials = 200;
    int batch_size = 16;
    std::string out_dir;                 // databases, summaries, logs, workload files
    std::vector<std::string> tune_args;  // more `htune tune` arguments, the same for every run
    // The "transfer" arm (a strategy name here, not one of `htune tune --search`): guided search
    // warm-started (`tune --model`) from a model `htune retrain --hold-out OP` trained on this
    // corpus database without the workload's operator. Its fresh database holds no model, so
    // "guided" next to it is the cold run. Empty: transfer runs fail saying so.
    std::string transfer_corpus;
    bool resume = true;        // reuse a run whose summary an earlier invocation wrote with the same command
    double run_timeout_s = 0;  // SIGTERM a run after this long (0 = never); it is then a failed run
    std::ostream *log = nullptr;  // one line per run
};

// The `htune tune` arguments of one run (without the binary). `model`: the transfer arm's
// model file (strategy "transfer": --search guided --model MODEL).
std::vector<std::string> tune_arguments(const SearchBenchOptions &o, const std::string &workloads_file,
                                        const std::string &strategy, uint64_t seed, const std::string &db,
                                        const std::string &summary, const std::string &model = "");
// The `htune retrain` arguments that make the transfer arm's model of operator `op`.
std::vector<std::string> transfer_retrain_arguments(const std::string &corpus_db, const std::string &op,
                                                    const std::string &model, const std::string &report);

// Reads one run from a tune --json summary (the first workload); a missing or malformed file,
// or a workload error, makes a failed run that says why.
BenchRun read_tune_summary(const std::string &path);

// Every run, workload by workload (strategies and seeds inside). A run that fails is a failed
// BenchRun, never an exception; throws only when the output directory cannot be written.
std::vector<BenchRun> run_search_bench(const SearchBenchOptions &o);

}  // namespace htune
