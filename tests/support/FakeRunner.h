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
    // Called once per schedule candidate, in batch order; `fault` is Fault::none unless injected.
    using Function = std::function<MeasureResult(const Workload &w, const Schedule &s, Fault fault)>;

    explicit FakeRunner(Function fn);
    // A deterministic default: status ok, median_ms derived from the schedule's hash (so
    // different schedules differ and the same schedule always measures the same); a fault
    // maps to its status (crash, timeout, runtime_error, wrong_output).
    FakeRunner();

    // Schedule candidates go to the function; every other kind is compile_error ("this runner
    // cannot measure naive candidates"). A candidate with its own run limit (run_timeout_s > 0)
    // has it recorded (run_timeouts()); one with its own compile limit (compile_timeout_s > 0)
    // too (compile_timeouts()), and when the function's result took longer to compile than that,
    // it is a timeout, as the worker runner makes it.
    std::vector<MeasureResult> measure_candidates(const Workload &w,
                                                  const std::vector<Candidate> &batch) override;

    // import_autoschedules: whatever `importer` returns (one entry per candidate); without one,
    // the Runner default (every candidate compile_error).
    std::function<std::vector<ImportedCandidate>(const Workload &, const std::vector<Candidate> &)> importer;
    std::vector<ImportedCandidate> import_autoschedules(
        const Workload &w, const std::vector<Candidate> &autoschedulers) override {
        return importer ? importer(w, autoschedulers) : Runner::import_autoschedules(w, autoschedulers);
    }

    // Every run limit a candidate brought (run_timeout_s > 0), in order; every cutoff_ms > 0.
    const std::vector<double> &run_timeouts() const { return run_timeouts_; }
    const std::vector<double> &cutoffs() const { return cutoffs_; }
    const std::vector<double> &compile_timeouts() const { return compile_timeouts_; }

    // Every batch seen, in call order (the hashes of its schedule candidates), for assertions.
    const std::vector<std::vector<std::string>> &batches() const { return batches_; }
    int candidates_measured() const { return measured_; }

private:
    Function fn_;
    std::vector<std::vector<std::string>> batches_;
    int measured_ = 0;
    std::vector<double> run_timeouts_, cutoffs_, compile_timeouts_;
};

// The default FakeRunner function (see FakeRunner()).
MeasureResult fake_measure(const Workload &w, const Schedule &s, Fault fault);

}  // namespace htune
