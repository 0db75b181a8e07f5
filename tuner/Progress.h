// Progress: what `htune tune` shows while it runs. On a terminal, a live block
// of one line per workload redrawn in place after every batch; otherwise one
// plain log line per measured batch (for log files and CI). Both print notes
// (errors, stops) as separate lines.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace htune {

struct ProgressRow {
    std::string workload;  // canonical name
    int trials = 0;        // measured records in the database (this device type)
    int budget = 0;        // --trials (0 = none)
    double best_ms = 0;    // 0 = none yet
    double gflops = 0;     // of the best (0 = unknown)
    double speedup = 0;    // heuristic / best (0 = unknown)
    int failures = 0;      // non-ok records
    double eta_s = -1;     // < 0 = unknown
    std::string state;     // "", "done", "early stop", "error", ...
};

// One line: "matmul:M=64,N=64,K=64  trials 20/48  best 0.123 ms  45.6
// GFLOP/s  3.10x  1 failed  eta 2m10s".
std::string format_row(const ProgressRow &row);
// "1h02m", "2m10s", "35s".
std::string format_duration(double seconds);

class Progress {
public:
    virtual ~Progress() = default;
    // After a batch of workload `changed` (index into rows) was committed.
    // `total`: a line about the whole run (the model latency of a network), or "".
    virtual void update(const std::vector<ProgressRow> &rows, int changed, double elapsed_s,
                        const std::string &total = "") = 0;
    virtual void note(const std::string &line) = 0;
    // Leaves the last state on screen; further output goes below it.
    virtual void finish() = 0;
};

// `live` = redraw in place (a terminal), else plain log lines. Writes to `os`.
std::unique_ptr<Progress> make_progress(std::ostream &os, bool live);

}  // namespace htune
