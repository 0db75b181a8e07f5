// Import of one stage's Halide schedule (Internal::StageSchedule) into a StageSchedule: the split
// chains, order, vector, unroll and parallel loops, and the map from Halide's dim names to the
// space's loops that compute_at/store_at are resolved by. Used by import_schedule (Import.cpp).
#pragma once

#include <Halide.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

// One translated stage: the StageSchedule and, for compute_at/store_at, Halide's final dim
// names (innermost first) with the loop each became in the StageSchedule.
struct StageMap {
    StageSchedule st;
    // Unrolled loops whose trip count is not constant by their splits: kept once the
    // placement shows it constant (AtRegion.h); (our loop, Halide's name).
    std::vector<std::pair<std::string, std::string>> unroll_if_constant;
    std::vector<std::pair<std::string, std::string>> dims;  // Halide dim -> our loop
    std::map<std::string, Halide::TailStrategy> tails;      // split dim -> its first split's tail
    std::set<std::string> uneven_tiles;  // dims whose inner factors do not all divide (explicit tail)
};

// `hs`, the schedule of stage `info` of `fi`, in the space's terms; every split chain kept to at
// most `max_levels` levels. What cannot be said in the space is adapted and named in `changes`.
StageMap translate_stage(const FuncInfo &fi, const StageInfo &info, const Halide::Internal::StageSchedule &hs,
                         size_t max_levels, std::vector<std::string> &changes);

// The loop of a translated stage that LoopLevel var `var` names; "" when none.
std::string loop_named(const StageMap &m, const std::string &var);

}  // namespace htune
