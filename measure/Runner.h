// Runner: the measurement seam. Measures a batch of Candidates (measure/Candidate.h) of one
// workload and returns one MeasureResult per candidate. Start here; the real implementation
// (isolated worker processes, WorkerRunner.cpp) is behind make_worker_runner, configured by
// MeasureOptions (measure/MeasureOptions.h); the test double is tests/support/FakeRunner.h.
#pragma once

#include <memory>
#include <vector>

#include "measure/Candidate.h"
#include "measure/MeasureOptions.h"
#include "measure/MeasureResult.h"
#include "ops/Workload.h"
#include "schedules/Schedule.h"

namespace htune {

class Runner {
public:
    virtual ~Runner() = default;

    // Measures every candidate of `batch` on workload `w`, returning one result per candidate in
    // batch order: the one entry point an implementation provides. Candidates are measured as
    // given (no dedup, no cache), so the same call re-measures a list of known schedules, e.g. to
    // confirm the best ones at the end of a run. A failed candidate is a result status with its
    // error text, including one that cannot be built (an autoscheduler that throws, aborts or
    // hangs; an external kernel that does not apply to the workload; a kind this runner cannot
    // measure: compile_error). Throws htune::Error only when the workload itself cannot be set up
    // (its reference fails, no worker can start). Not thread-safe: one batch at a time.
    virtual std::vector<MeasureResult> measure_candidates(const Workload &w,
                                                          const std::vector<Candidate> &batch) = 0;

    // measure_candidates() for a batch of schedules: Candidate::of(batch[i], faults[i]).
    // `faults` is empty or has one entry per schedule (else an internal Error).
    std::vector<MeasureResult> measure(const Workload &w, const std::vector<Schedule> &batch,
                                       const std::vector<Fault> &faults = {});

    // measure() for candidates that are compared with each other (the confirmation at the end of
    // a run): on one machine, side by side. The default is measure(); a runner that spreads a
    // batch over several machines (MpiFleet.h) sends it to one of them.
    virtual std::vector<MeasureResult> measure_together(const Workload &w,
                                                        const std::vector<Schedule> &batch) {
        return measure(w, batch);
    }

    // Runs each autoscheduler candidate's plugin on `w` in isolation (a plugin that aborts or
    // hangs costs a worker) and translates the schedule it makes into htune's space
    // (schedules/Import.h), without compiling or timing it: the seeds of a tuning run. One
    // entry per candidate. The default reports every candidate as compile_error.
    virtual std::vector<ImportedCandidate> import_autoschedules(const Workload &w,
                                                                const std::vector<Candidate> &autoschedulers);

    // One run of the workload's reference schedule (every Func compute_root), seconds,
    // computing the reference when needed; 0 when this runner does not know.
    virtual double reference_seconds(const Workload &w) { return 0; }
};

// Isolated worker processes (`htune worker`), parallel compile, one timed run at a time.
std::unique_ptr<Runner> make_worker_runner(const MeasureOptions &options);

}  // namespace htune
