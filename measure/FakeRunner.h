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

    // Every batch seen, in call order (schedule hashes), for assertions.
    const std::vector<std::vector<std::string>> &batches() const { return batches_; }
    int candidates_measured() const { return measured_; }

private:
    Function fn_;
    std::vector<std::vector<std::string>> batches_;
    int measured_ = 0;
};

// The default FakeRunner function (see FakeRunner()).
MeasureResult fake_measure(const Workload &w, const Schedule &s, Fault fault);

}  // namespace htune
