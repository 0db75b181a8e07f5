// The rules of the schedule space, shared by ScheduleSpace (Space.cpp) and the heuristic:
// Func-level validity, sampling of loop nests and placements, the small mutations, and the
// size count. Free functions over (PipelineAnalysis, Target, Schedule).
#pragma once

#include <Halide.h>

#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

using Rng = std::mt19937_64;

// Compile-time guards: beyond these, Halide/LLVM compile times explode (minutes) while the
// schedules are never fast. A Func may be inlined only if that copies its expression at most
// kMaxInlineExpansion times per point of the non-inlined consumers (call sites multiplied
// through chains of inlined consumers). (The unroll limit, kMaxUnrollProduct, is in Loops.h.)
constexpr int kMaxInlineExpansion = 16;

// How many copies of f's expression inlining makes per point of its non-inlined consumers.
int inline_expansion(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f);

// Native vector lanes of `t` on `target` (e.g. 8 for float32 on AVX2, 16 on AVX-512).
int native_lanes(const Halide::Target &target, Halide::Type t);

// Where f's values are consumed once inlined consumers are seen through: (Func, stage) pairs.
std::set<std::pair<std::string, int>> effective_uses(const PipelineAnalysis &a, const Schedule &s,
                                                     const FuncInfo &f);

// "" when f's entry of `s` is valid (placement, stages, compute_at target), else the reason.
std::string validate_func(const PipelineAnalysis &a, const Halide::Target &target, const Schedule &s,
                          const FuncInfo &f);

// Random loop nests for every stage of f; `p_parallel` = chance of parallel outer loops.
std::vector<StageSchedule> sample_stages(const FuncInfo &f, const Halide::Target &target, Rng &rng,
                                         double p_parallel);
StageSchedule sample_stage(const FuncInfo &f, const StageInfo &stage, const Halide::Target &target, Rng &rng,
                           double p_parallel);

// Samples f's placement given its consumers' current placements (so call consumers first);
// gives f stages when it stops being inlined. `force_change` avoids keeping the same spot.
void sample_placement(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, const FuncInfo &f,
                      Rng &rng, bool force_change = false);

// Re-places (and if needed re-tiles) every Func that a change made invalid.
void repair_placements(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, Rng &rng);

// Small mutations of one stage; each keeps the loop names (so placements stay valid).
void mutate_tile_factor(const StageInfo &stage, const FuncInfo &f, const Halide::Target &target,
                        StageSchedule &st, Rng &rng);
void mutate_vector_width(const StageInfo &stage, const FuncInfo &f, const Halide::Target &target,
                         StageSchedule &st, Rng &rng);
void mutate_parallel(const StageInfo &stage, StageSchedule &st, Rng &rng, bool prefer_parallel);
void mutate_unroll(const StageInfo &stage, StageSchedule &st, Rng &rng);

// log10 of the number of distinct schedules of f that sampling can produce (a lower bound).
double log10_choices(const PipelineAnalysis &a, const Halide::Target &target, const FuncInfo &f);

}  // namespace htune
