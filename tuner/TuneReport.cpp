// TuneReport.h: progress rows, notes and summary rows of a tuning run.
#include "tuner/TuneReport.h"

namespace htune {

namespace {

double gflops_of(const Task &t) {
    return t.w && t.best_ms > 0 && t.w->flops() > 0 ? t.w->flops() / (t.best_ms * 1e6) : 0;
}

double speedup_of(const Task &t) {
    return t.heuristic_ms > 0 && t.best_ms > 0 ? t.heuristic_ms / t.best_ms : 0;
}

}  // namespace

ProgressRow progress_row(const Task &t, const TuneOptions &o) {
    ProgressRow r;
    r.workload = t.display_name();
    r.trials = t.trials;
    r.budget = o.trials;
    r.best_ms = t.best_ms;
    r.gflops = gflops_of(t);
    r.speedup = speedup_of(t);
    r.failures = t.failures;
    if (!t.active) r.state = t.error.empty() ? t.stop_reason : "error";
    if (o.trials > 0 && t.run_trials > 0) r.eta_s = (o.trials - t.trials) * t.measure_s / t.run_trials;
    return r;
}

WorkloadOutcome outcome_of(const Task &t) {
    WorkloadOutcome w;
    w.workload = t.display_name();
    w.key = t.key;
    w.count = t.spec.count;
    w.label = t.spec.label;
    w.error = t.error;
    w.stop_reason = t.stop_reason;
    w.trials = t.trials;
    w.run_trials = t.run_trials;
    w.failures = t.failures;
    w.heuristic_ms = t.heuristic_ms;
    w.best_ms = t.best_ms;
    w.gflops = gflops_of(t);
    w.speedup = speedup_of(t);
    w.best_hash = t.best_hash;
    w.heuristic_hash = t.heuristic_hash;
    w.confirmed = t.confirmed;
    w.curve = t.curve;
    return w;
}

void Reporter::batch_done(const std::vector<std::unique_ptr<Task>> &tasks, int changed, double elapsed_s,
                          const TuneOptions &o, const std::string &total) const {
    if (!progress_) return;
    std::vector<ProgressRow> rows;
    for (const auto &t : tasks) rows.push_back(progress_row(*t, o));
    progress_->update(rows, changed, elapsed_s, total);
}

}  // namespace htune
