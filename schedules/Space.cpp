// ScheduleSpace (see Space.h). TEMPORARY: only the empty schedule until the real one lands.
#include "schedules/Space.h"

#include "schedules/PipelineAnalysis.h"

namespace htune {

ScheduleSpace::ScheduleSpace(const Workload &w, const Halide::Target &target)
    : analysis_(std::make_unique<PipelineAnalysis>()), target_(target) {}
ScheduleSpace::~ScheduleSpace() = default;
Schedule ScheduleSpace::sample(std::mt19937_64 &rng) const { return Schedule{}; }
Schedule ScheduleSpace::mutate(const Schedule &s, std::mt19937_64 &rng) const { return s; }
std::string ScheduleSpace::validate(const Schedule &s) const { return ""; }
Schedule ScheduleSpace::heuristic() const { return Schedule{}; }
double ScheduleSpace::log10_size() const { return 0; }

}  // namespace htune
