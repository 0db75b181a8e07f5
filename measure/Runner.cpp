// Runner (see Runner.h): what every runner shares, the schedule-batch convenience over
// measure_candidates() and the default import_autoschedules().
#include "measure/Runner.h"

#include "ops/Error.h"

namespace htune {

std::vector<MeasureResult> Runner::measure(const Workload &w, const std::vector<Schedule> &batch,
                                           const std::vector<Fault> &faults) {
    if (!faults.empty() && faults.size() != batch.size())
        throw Error(ErrorKind::internal, "measure: faults must be empty or one per schedule");
    std::vector<Candidate> candidates;
    candidates.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); i++)
        candidates.push_back(Candidate::of(batch[i], faults.empty() ? Fault::none : faults[i]));
    return measure_candidates(w, candidates);
}

std::vector<ImportedCandidate> Runner::import_autoschedules(const Workload &,
                                                            const std::vector<Candidate> &autoschedulers) {
    std::vector<ImportedCandidate> out(autoschedulers.size());
    for (auto &c : out) {
        c.status = Status::compile_error;
        c.error = "this runner cannot run autoschedulers";
    }
    return out;
}

}  // namespace htune
