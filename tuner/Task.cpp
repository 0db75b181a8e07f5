// Task.h: one workload's state and its budget rules.
#include "tuner/Task.h"

#include <algorithm>
#include <utility>

namespace htune {

namespace {

// A workload none of whose candidates runs stops after this many failed batches (sooner when
// its heuristic failed too, see Task::no_progress).
constexpr int kNoProgressBatches = 3;

}  // namespace

void Task::add_result(const Schedule &s, const std::string &hash, const MeasureResult &r,
                      const TuneOptions &o) {
    measured.insert(hash);
    trials++;
    if (hash == heuristic_hash) {
        heuristic_measured = true;
        heuristic_ms = r.status == Status::ok ? r.min_ms : 0;
    }
    if (r.status != Status::ok || !(r.min_ms > 0)) {
        failures++;
        since_improvement++;
        errors[std::string(to_string(r.status)) + ": " +
               r.error.substr(0, std::min<size_t>(r.error.find('\n'), 200))]++;
        return;
    }
    rows.push_back(Row{s, hash, r.min_ms, {}});
    if (r.compile_s > 0) ok_compile_s.push_back(r.compile_s);
    if (best_ms == 0 || r.min_ms < best_ms) {
        best_ms = r.min_ms;
        best_hash = hash;
    }
    if (ref_ms == 0 || r.min_ms < ref_ms * (1 - o.min_improvement)) {
        ref_ms = r.min_ms;
        since_improvement = 0;
    } else {
        since_improvement++;
    }
}

void Task::stop(const std::string &why) {
    active = false;
    if (stop_reason.empty()) stop_reason = why;
}

std::string Task::check_budgets(const TuneOptions &o) {
    if (!active) return "";
    std::string stuck = no_progress(o);
    if (!stuck.empty()) return stuck;
    if (o.trials > 0 && trials >= o.trials)
        stop("trials");
    else if (o.early_stop > 0 && since_improvement >= o.early_stop && trials > 0)
        stop("early stop");
    return "";
}

// A workload none of whose candidates runs: its heuristic failed and a whole batch failed with
// it, or kNoProgressBatches batches failed. Trials spent on it are wasted: it stops, and its
// distinct errors are printed once.
std::string Task::no_progress(const TuneOptions &o) {
    if (!rows.empty()) return "";
    const bool heuristic_failed = heuristic_measured && !(heuristic_ms > 0);
    bool heuristic_and_batch = heuristic_failed && trials >= std::min(o.batch_size, std::max(1, o.trials));
    if (!heuristic_and_batch && trials < kNoProgressBatches * o.batch_size) return "";
    std::vector<std::pair<int, std::string>> distinct;
    for (const auto &kv : errors) distinct.emplace_back(kv.second, kv.first);
    std::sort(distinct.begin(), distinct.end(),
              [](const auto &a, const auto &b) { return a.first > b.first; });
    std::string what = "no candidate ran ok in " + std::to_string(trials) + " trial(s)" +
                       (heuristic_failed ? ", the heuristic schedule included" : "") + "; " +
                       std::to_string(distinct.size()) + " distinct error(s):";
    for (const auto &d : distinct) what += "\n    " + std::to_string(d.first) + "x " + d.second;
    error = what;
    active = false;
    stop_reason = "no progress";
    return "htune: error: " + name + ": " + what +
           "\n  (stopped: no more trials are spent on it; the run goes on)";
}

TaskStats Task::stats(const TuneOptions &o) const {
    TaskStats s;
    s.active = active;
    s.rounds = rounds;
    s.best_ms = best_ms;
    size_t window = (size_t)std::max(1, 2 * o.batch_size);
    s.best_ms_before = curve.empty() ? 0 : curve[curve.size() > window ? curve.size() - 1 - window : 0];
    s.window_rounds = std::min(rounds, 2);
    s.weight = spec.count;
    s.flops = w ? w->flops() : 0;
    s.bytes = w ? w->min_bytes() : 0;
    s.group = spec.generator_lib + "|" + spec.op;
    s.floor_ms = roofline_ms(s.flops, s.bytes, o);
    return s;
}

double Task::compile_cap_s(const TuneOptions &o) const {
    if (!(o.compile_cap_factor > 0) || ok_compile_s.empty()) return 0;
    std::vector<double> v = ok_compile_s;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return std::max(o.compile_cap_floor_s, o.compile_cap_factor * v[v.size() / 2]);
}

double roofline_ms(double flops, double bytes, const TuneOptions &o) {
    const MachinePeaks &p = o.peaks;
    if (!(p.peak_gflops > 0)) return 0;
    double ms = flops > 0 ? flops / (p.peak_gflops * 1e6) : 0;
    if (p.bandwidth_gbs > 0 && bytes > o.cache_bytes) ms = std::max(ms, bytes / (p.bandwidth_gbs * 1e6));
    return ms;
}

}  // namespace htune
