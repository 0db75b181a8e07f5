// rfactor (schedules/Schedule.h, RFactor): the structure an rfactor'd update
// stage takes, derived from PipelineAnalysis alone, so validation, sampling,
// apply() and to_cpp() agree on it. An rfactor of stage i of Func F (the loop
// `keep` kept, the other RVars moved out, new pure var `var`) makes:
//   - the merge stage (replaces F's stage i): loops = F's pure vars + `keep` (a
//   reduction loop);
//   - the intermediate Func rfactor_func_name(F, i), args = F's args + `var`:
//   stage 0 writes the
//     identity, stage 1 = the original update with `keep` turned into the pure
//     loop `var`, over the remaining RVars. It is consumed by the merge stage
//     only, and it consumes what F's stage i consumed. It is scheduled like any
//     Func (root or compute_at the merge's loops).
#pragma once

#include <string>
#include <vector>

#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

// "<func>_rf<stage>": the schedule key of the intermediate Func of stage
// `stage` of `func`.
std::string rfactor_func_name(const std::string &func, int stage);

// "" when `rf` is a legal rfactor of `stage` of `f`, else the reason (e.g. the
// update is not associative, so Halide refuses it).
std::string validate_rfactor(const FuncInfo &f, const StageInfo &stage, const RFactor &rf);

// True when some rfactor of `stage` is legal (an associative, commutative
// update with RVars).
bool can_rfactor(const StageInfo &stage);

// The merge stage and the intermediate Func of a legal `rf`.
StageInfo rfactor_merge_stage(const FuncInfo &f, const StageInfo &stage, const RFactor &rf);
FuncInfo rfactor_intermediate(const FuncInfo &f, const StageInfo &stage, const RFactor &rf);

// The loop of the intermediate's update that `keep` became, and the reduction
// loops `rf` moves into the intermediate (after the split of `rf.rvar`),
// innermost first.
std::vector<std::string> rfactor_moved_rvars(const StageInfo &stage, const RFactor &rf);

bool has_rfactor(const Schedule &s);

// The analysis of the pipeline as `s` schedules it: rfactor'd stages replaced
// by their merge stage, intermediates inserted before their Func, uses
// rewritten (what the original stage consumed is consumed by the intermediate's
// update). On an illegal rfactor, `*why` says so and the result is `a`
// unchanged.
PipelineAnalysis with_rfactors(const PipelineAnalysis &a, const Schedule &s, std::string *why);

}  // namespace htune
