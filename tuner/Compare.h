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
    double flops = 0, bytes = 0;
    std::vector<CompareRow> rows;
    std::vector<HistoryPoint> history;  // the tuning curve in the database (may be empty)
};

struct CompareReport {
    std::string device_key;
    MachinePeaks peaks;
    std::vector<CompareWorkload> workloads;
};

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

// The --json document: {"machine": {...}, "workloads": [{"workload", "results":
// [...]}]}.
nlohmann::json to_json(const CompareReport &r);

}  // namespace htune
