// FakeRunner: the Runner test double. Returns whatever a user-supplied function says for each
// candidate, with no processes and no Halide compile, so tuner tests run the loop in seconds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "measure/Runner.h"

namespace htune {

class FakeRunner : public Runner {
public:
    // Called once per candidate, in batch order; `fault` is Fault::none unless injected.
    using Function = std::function<MeasureResult(const Workload &w, const Schedule &s, Fault fault)>;

    explicit FakeRunner(Function fn);
    // A deterministic default: status ok, median_ms derived from the schedule's hash (so
    // different schedules differ and the same schedule always measures the same); a fault
    // maps to its status (crash, timeout, runtime_error, wrong_output).
    FakeRunner();

    std::vector<MeasureResult> measure(const Workload &w, const std::vector<Schedule> &batch,
                                       const std::vector<Fault> &faults = {}) override;

    // import_autoschedules: whatever `importer` returns (one entry per candidate); without one,
    // the Runner default (every candidate compile_error).
    std::function<std::vector<ImportedCandidate>(const Workload &, const std::vector<Candidate> &)> importer;
    std::vector<ImportedCandidate> import_autoschedules(
        const Workload &w, const std::vector<Candidate> &autoschedulers) override {
        return importer ? importer(w, autoschedulers) : Runner::import_autoschedules(w, autoschedulers);
    }

    // Records each candidate's run_timeout_s (run_timeouts()), then measures as measure() does.
    std::vector<MeasureResult> measure_candidates(const Workload &w, const std::vector<Candidate> &batch) override {
        for (const Candidate &c : batch) run_timeouts_.push_back(c.run_timeout_s);
        return Runner::measure_candidates(w, batch);
    }
    // run_timeout_s of every candidate that came through measure_candidates, in order.
    const std::vector<double> &run_timeouts() const { return run_timeouts_; }

    // Every batch seen, in call order (schedule hashes), for assertions.
    const std::vector<std::vector<std::string>> &batches() const { return batches_; }
    int candidates_measured() const { return measured_; }

private:
    Function fn_;
    std::vector<std::vector<std::string>> batches_;
    int measured_ = 0;
    std::vector<double> run_timeouts_;
};

// The default FakeRunner function (see FakeRunner()).
MeasureResult fake_measure(const Workload &w, const Schedule &s, Fault fault);

}  // namespace htune
