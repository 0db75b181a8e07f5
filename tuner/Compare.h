// `htune compare`: one workload measured under several schedules with one
// protocol (naive, heuristic, Halide's three autoschedulers, the tuned record,
// openblas for matmul, onednn for the DNN ops and matmul), plus the derived
// figures (GFLOP/s, GB/s, % of this machine's peak, speedups). The command is
// tuner/cmd/CompareCommand.cpp; the HTML page is Report.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/Database.h"
#include "measure/Machine.h"
#include "measure/Runner.h"
#include "ops/Workload.h"
#include "tuner/WorkloadSet.h"

namespace htune {

// Every row name, in table order.
const std::vector<std::string> &compare_schedule_names();
// "naive,adams2019" -> {"naive", "adams2019"} (table order kept as given,
// duplicates refused); throws a usage Error naming an unknown entry.
std::vector<std::string> parse_compare_schedules(const std::string &list);
// Row name -> Halide 14 autoscheduler name ("adams2019" -> "Adams2019", loaded from
// libautoschedule_adams2019.so); nullptr for rows that are not autoschedulers.
const char *plugin_name(const std::string &row);
// Where that plugin lives in `plugin_dir`: "<dir>/libautoschedule_<row>.so".
std::string plugin_path(const std::string &plugin_dir, const std::string &row);

struct CompareOptions {
    std::vector<std::string> schedules = compare_schedule_names();
    double naive_limit_s = 10;  // naive is skipped when its runs would take longer
    std::string plugin_dir;     // where libautoschedule_<name>.so live
    AutoschedulerMachine machine;
    std::string device_key;  // for the tuned record and the history
    int timed_runs = 8;      // 3 + warmup + min_repeats: runs of one candidate, for
                             // the naive estimate
    // The batch is measured this many times, one round after another; each row reports its
    // best round. On a machine whose speed drifts over minutes (shared memory bandwidth),
    // rounds spread every row over the same stretch of time. Rows that fail in the first
    // round are not measured again.
    int rounds = 1;
};

struct CompareRow {
    std::string schedule;  // naive | heuristic | mullapudi2016 | li2018 |
                           // adams2019 | as_written | tuned | openblas | onednn
    // A measurement status (ok, compile_error, runtime_error, timeout, crash,
    // wrong_output), or skipped (naive too slow), unavailable (plugin/library
    // missing), no_record (nothing tuned).
    std::string status;
    double time_ms = 0;  // best (min) of the timed repeats; 0 unless ok
    double median_ms = 0;
    int repeats = 0;
    int rounds = 0;                // rounds this row was measured in (ok rows)
    std::vector<double> round_ms;  // its min time in each round
    double compile_s = 0;
    double gflops = 0, gbs = 0;  // 0 when unknown
    double pct_peak = 0;         // of the FMA peak (workloads with flops) or of the bandwidth
    double vs_heuristic = 0,
           vs_adams2019 = 0;  // time ratio, > 1 = this row is faster; 0 = n/a
    std::string error;        // the failure text, or a note (why skipped, the tuned
                              // record's origin)
    bool ok() const { return status == "ok"; }
};

struct CompareWorkload {
    std::string workload;  // canonical form, "matmul:M=1024,N=1024,K=1024"
    std::string key;       // database workload key
    double count = 1;      // WorkloadSpec::count: how often this layer occurs in the model
    std::string label;     // WorkloadSpec::label: the model's name(s) for it; may be empty
    double flops = 0, bytes = 0;
    std::vector<CompareRow> rows;
    std::vector<HistoryPoint> history;  // the tuning curve in the database (may be empty)
};

struct CompareReport {
    std::string device_key;
    MachinePeaks peaks;
    std::vector<CompareWorkload> workloads;
    // The network the workloads are the layers of: a model file's ModelInfo, or (a plain list
    // with counts) name "total". An empty name = no end-to-end report.
    ModelInfo model;
    bool has_model() const { return !model.name.empty(); }
};

// The end-to-end figures of a model (`htune compare --workloads MODEL.json`): per column (row
// name), the sum over layers of count x time_ms. A column is complete only when every layer
// has an ok row in it; an incomplete column has NO total (no "best available" sum is made up).
struct ModelColumn {
    std::string schedule;
    double total_ms = 0;  // sum of count x time_ms; 0 unless complete
    int missing = 0;      // layers without an ok row in this column
    // Why, per reason: a row status (unavailable, no_record, compile_error, ...) or "no row"
    // (the column does not apply to that layer, e.g. openblas beside a conv), in table order.
    std::vector<std::pair<std::string, int>> missing_by;
    double vs_heuristic = 0;           // heuristic total / this total; 0 = n/a
    double vs_best_autoscheduler = 0;  // best autoscheduler total / this total; 0 = n/a
    bool complete() const { return missing == 0; }
};
struct ModelLayer {
    size_t workload = 0;  // index into CompareReport::workloads
    std::string name, label;
    double count = 1;
    double time_ms = 0;  // of the share column (0 when there is none)
    double share = 0;    // count x time_ms / that column's total (0 when there is none)
};
// The model latency over the wall-clock time of tuning, from the database history: at time T
// (minutes since the first record of any of the layers), sum over layers of count x the best ok
// time measured up to T; from the moment every layer has one. One point per change.
struct ModelCurvePoint {
    double minutes = 0;
    double ms = 0;
};
struct ModelSummary {
    std::string name, description;
    std::vector<std::pair<std::string, long long>> parameters;
    int layers = 0;                    // distinct layers (workloads)
    double instances = 0;              // sum of counts
    std::vector<ModelColumn> columns;  // every row name present in any layer, in table order
    std::string best_autoscheduler;    // complete autoscheduler column with the lowest total; ""
    std::string share_column;          // "tuned", else "heuristic" (the first complete); ""
    std::vector<ModelLayer> by_share;  // every layer; largest share first when share_column
    std::vector<ModelCurvePoint> curve;
    int64_t curve_start = 0;      // Unix seconds of the first record among the layers (0: none)
    double curve_end = 0;         // minutes from curve_start to the last record among the layers
    int layers_without_best = 0;  // layers with no ok record in the history (no curve when > 0)
    const ModelColumn *column(const std::string &schedule) const;
};

ModelSummary summarize_model(const CompareReport &r);
// The model-latency curve of `workloads` from their `history` (see ModelCurvePoint); empty when
// a layer has no ok record. `start` gets the first record's timestamp (0 without any), `end` the
// minutes from it to the last record, `layers_without_best` how many layers have no ok record.
std::vector<ModelCurvePoint> model_curve(const std::vector<CompareWorkload> &workloads, int64_t *start,
                                         double *end, int *layers_without_best);
// The text of the model's end-to-end table and per-layer share.
std::string format_model(const ModelSummary &m);
// The "model" object of the --json document.
nlohmann::json model_json(const ModelSummary &m);
// "- (3 of 22 layers missing: 2 unavailable, 1 no row)" for an incomplete column, else the
// total in ms.
std::string model_total_text(const ModelColumn &c, int layers);

// Measures the selected rows of `w` in ONE Runner batch (compiled in parallel,
// then timed back to back). `db` may be null (no tuned record, no history); it
// is only read.
CompareWorkload compare_workload(Runner &runner, const Workload &w, Database *db, const CompareOptions &o,
                                 const MachinePeaks &peaks);

// Fills gflops/gbs/pct_peak/speedups of every row from time_ms, the workload's
// flops and bytes, and the peaks.
void derive_figures(CompareWorkload &cw, const MachinePeaks &peaks);

// The text table of one workload (header line, one line per row, notes below).
std::string format_table(const CompareWorkload &cw);
// "peak: 97.1 GFLOP/s fp32 FMA (avx2+fma, 2 threads), 21.3 GB/s memory
// bandwidth"
std::string format_peaks(const MachinePeaks &p);

// The --json document: {"machine": {...}, "workloads": [{"workload", "count", "label",
// "results": [...], "history": [...]}], and with a model "model": {...}} (docs/COMMANDS.md).
nlohmann::json to_json(const CompareReport &r);

}  // namespace htune
