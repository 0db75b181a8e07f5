// import_schedule(): reads the schedule that Halide scheduling calls left on a Pipeline's
// Functions (an autoscheduler's output, a hand-written schedule, or apply_schedule's) and
// expresses it as a Schedule of htune's space, so the tuner can start its search from what
// Mullapudi2016 or Adams2019 found. The inverse of apply_schedule: import(apply(s)) == s for
// every valid schedule without rfactor. What the space cannot express (split chains deeper
// than two levels, unrolled loops without a constant extent, nested parallel loops, store_at
// more than one loop out, ...) is adapted to the nearest schedule it can, and each adaptation
// is listed in `changes`.
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

#include "schedules/Schedule.h"

namespace htune {

class ScheduleSpace;

struct ImportedSchedule {
    Schedule schedule;                 // valid in `space` (ScheduleSpace::validate is "")
    std::vector<std::string> changes;  // "harris stage 0: unroll of 'x.x' dropped (no constant extent)"
};

// `scheduled` is an instance of the pipeline `space` was built from, with its Functions
// scheduled. Throws a usage Error naming the Func and the reason when the schedule cannot be
// brought into the space at all (e.g. a Func the space does not know, a split by a non-constant
// factor).
//
// `names`: `stable` for a pipeline in canonical form (Workload::build, then scheduled: the
// autoscheduler case); `as_written` for the algorithm as its author built and scheduled it
// (Workload::build_as_written): Func, Var and RVar names are translated to canonical ones
// (canonical_func_names, canonical_var_name) before reading.
enum class ImportNames { stable, as_written };
ImportedSchedule import_schedule(const Halide::Pipeline &scheduled, const ScheduleSpace &space,
                                 ImportNames names = ImportNames::stable);

}  // namespace htune
