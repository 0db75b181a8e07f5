// The rules of the schedule space, shared by ScheduleSpace (Space.cpp), the heuristic and the
// sketches: Func-level validity (SpaceRules.cpp), sampling of loop nests and placements
// (SpaceSampling.cpp), the small mutations and the size count (SpaceMutations.cpp). Free
// functions over (PipelineAnalysis, Target, Schedule).
#pragma once

#include <Halide.h>

#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ops/ReferencePlan.h"
#include "schedules/AtRegion.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

using Rng = std::mt19937_64;

// Compile-time guards: beyond these, Halide/LLVM compile times explode (minutes) while the
// schedules are never fast. A Func may be inlined only if that copies its expression at most
// kMaxInlineExpansion times per point of the non-inlined consumers (call sites multiplied
// through chains of inlined consumers). A plain copy of another Func (no arithmetic, one
// call: `inGPyramid_0(x, y) = gray(x, y)`) is exempt: inlining it only renames a call, and the
// copies it makes of its callee are counted against the callee. (The unroll limit,
// kMaxUnrollProduct, is in Loops.h.) 32 admits what the autoschedulers inline: Mullapudi2016
// inlines a Harris' Ixx into a 3x3 box whose consumers use it 2 times: 18 copies.
constexpr int kMaxInlineExpansion = 32;
// The recomputation the sketches (ScheduleSpace::sketches) allow themselves when they inline:
// past it they compute per tile instead (the multi-scale family), a design choice of theirs,
// not a validity rule.
constexpr int kSketchInlineExpansion = 16;
// A split factor may exceed its dimension's extent at most this many times, and only with a
// guarded tail (validate_tile_sizes in SpaceRules.cpp).
constexpr int kMaxTileOverExtent = 8;

// The analysis `s` is validated and sampled against: `a` itself, or with_rfactors(a, s) when
// `s` rfactors a stage (schedules/RFactor.h), then with_wrappers of that when it wraps a Func
// (schedules/Wrappers.h). why() is non-empty for an illegal rfactor or wrap.
class EffectiveAnalysis {
public:
    EffectiveAnalysis(const PipelineAnalysis &a, const Schedule &s);
    EffectiveAnalysis(const EffectiveAnalysis &) = delete;
    EffectiveAnalysis &operator=(const EffectiveAnalysis &) = delete;
    const PipelineAnalysis &get() const { return own_ ? *own_ : *a_; }
    const std::string &why() const { return why_; }

private:
    const PipelineAnalysis *a_;
    std::optional<PipelineAnalysis> own_;
    std::string why_;
};

// How many copies of f's expression inlining makes per point of its non-inlined consumers.
int inline_expansion(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f);
// f.can_inline and within `limit` copies (or a plain copy).
bool inline_allowed(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                    int limit = kMaxInlineExpansion);

// Loops of (g, stage) that a producer may be computed or stored at: not vectorized. An
// unrolled loop is valid (Halide unrolls the producer with it: Adams2019 computes Harris' Ix
// per unrolled row of the output) and so is a reduction loop (Adams2019 computes lens blur's
// cost volume per disparity, inside argmin's RVar loop), but sampling picks neither
// (`unrolled_ok`, `rvar_ok` false): computing inside an RVar loop with a two-level split there
// segfaults Halide 14 (the example Generator; the multi-level rule rejects that form), and it is
// rarely profitable, so imported schedules bring one in and mutations keep it. Innermost first.
std::vector<std::string> placement_loops(const FuncInfo &g, int stage, const StageSchedule &st,
                                         bool unrolled_ok = false, bool rvar_ok = false);

// Every split of `st` down to one level (its outer and inner loops), as a Func computed inside
// another's loops must split (validate_func, multi_level_split_reason).
void one_level_splits(StageSchedule &st);

// f is not an output and its root buffer reaches Halide's 2^31-byte limit
// (ops/ReferencePlan.h, kHalideBufferLimit; candidates are built without large_buffers): it
// must be inlined or computed inside a consumer's loops (a non-local means' 4-D distances).
bool too_large_for_root(const FuncInfo &f);

// Whether computing f over more than its required region along its pure arg `arg` (a rounded-up
// or shifted tile) reads an input outside its sized region: by its own reads
// (FuncInfo::input_unbounded_args), or through a producer it then reads past its region
// (FuncInfo::producers_read_past) that is computed with it, recursively. A producer is computed
// with f when it is inlined, or computed inside the loops of f (or of a Func computed with f):
// Halide derives its region per iteration from f's loops, rounded up. A producer computed
// anywhere else (the root, an outer consumer) is computed over what the pipeline requires of it:
// Halide sizes its buffer for f's rounded-up loop, computes only the required part, and f's extra
// points read the rest uninitialized and are never used (a standalone program showed both, with
// softmax's exp_val at the root and inlined).
bool reads_input_past(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                      const std::string &arg);

// Native vector lanes of `t` on `target` (e.g. 8 for float32 on AVX2, 16 on AVX-512).
int native_lanes(const Halide::Target &target, Halide::Type t);

// Where f's values are consumed once inlined consumers are seen through: (Func, stage) pairs.
std::set<std::pair<std::string, int>> effective_uses(const PipelineAnalysis &a, const Schedule &s,
                                                     const FuncInfo &f);

// "" when the explicit tails (DimSplit::tail) of one stage of f are legal, else the reason.
std::string validate_tails(const FuncInfo &f, const StageInfo &stage, const StageSchedule &st);

// "" when f's entry of `s` is valid (placement, stages, compute_at target), else the reason.
// Why f's multi-level splits are not allowed where it is placed ("" when they are): a Func
// computed inside another's loops splits a dim in more than one level only without tails.
std::string multi_level_split_reason(const FuncInfo &f, const FuncSchedule &fs, const ConstantRegion &region);

// Why f, computed at loops[ci] of its consumer's stage (`nest`, scheduled by `st`; its final
// loops innermost first) and stored at loops[si] more than one loop further out, gives wrong
// values on Halide 14; "" when it does not: a single-stage Func stored two loops out over a pure
// loop whose value does not move f's region, or over one that does, where the arg it moves is
// not also moved by the compute loop's dim, stored at a loop of the compute loop's dimension or
// at the split level just outside the loop between (SpaceRules.cpp says what was seen).
std::string hoisted_storage_reason(const FuncInfo &f, const LoopNest &nest, const StageSchedule &st,
                                   const std::vector<std::string> &loops, int ci, int si,
                                   const RegionInfo &region);
// Why f, stored outside `compute_loop` of its consumer's stage (`nest`), the loop it is computed at,
// is not allowed; "" when it is: an update stage of f rounds up a split while that loop moves f's
// region (Halide 14 slides the window and computes past it; SpaceRules.cpp says what was seen).
// `region` is f's (region_info).
std::string sliding_update_reason(const FuncInfo &f, const FuncSchedule &fs, const RegionInfo &region,
                                  const LoopNest &nest, const std::string &compute_loop);
// Why f, stored at loops[si] of its consumer's stage (`loops` innermost first), outside the loop it
// is computed at, is not allowed; "" when it is: a consumer of f computed at the same loop is
// stored further out than f (Halide 14 computed wrong values; SpaceRules.cpp says where).
std::string nested_windows_reason(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                                  const FuncSchedule &fs, const std::vector<std::string> &loops, int si);
// Why f, computed at loop `at_loop` of g (whose stage's final loops are `loops`, innermost first)
// and stored where g is computed (FuncSchedule::store_with_consumer), is not allowed; "" when it
// is: f and g single-stage, at_loop g's outermost loop, pure and serial, g computed inside another
// Func's loops and stored there.
std::string store_with_consumer_reason(const FuncInfo &f, const FuncInfo &g, const FuncSchedule &gs,
                                       const LoopNest &nest, const std::vector<std::string> &loops,
                                       const std::string &at_loop);
// Why f, computed inside its consumers' loops with `region` per iteration (region_per_iteration),
// is read in a way Halide 14 miscompiles ("" when it is not): a consumer vectorized along a dim
// in which it loads f 2 to 4 elements apart, from a constant index (nothing but the vector loop
// and unrolled loops between f's compute level and the load) that, rounded down to the stride, is
// not a multiple of a vector. HalideFaults.cpp says what was seen.
std::string strided_load_reason(const PipelineAnalysis &a, const Halide::Target &target, const Schedule &s,
                                const FuncInfo &f, const FuncSchedule &fs, const ConstantRegion &region);
// Why stage `stage` of f, scheduled as `st`, unrolls a loop Halide 14 gets wrong ("" when it does
// not): an unrolled loop with a reduction loop inside it, in a stage whose RDom has a where()
// predicate (HalideFaults.cpp says what was seen).
std::string predicated_unroll_reason(const FuncInfo &f, const StageInfo &stage, const StageSchedule &st);
std::string validate_func(const PipelineAnalysis &a, const Halide::Target &target, const Schedule &s,
                          const FuncInfo &f);

// Random loop nests for every stage of f; `p_parallel` = chance of parallel outer loops.
std::vector<StageSchedule> sample_stages(const FuncInfo &f, const Halide::Target &target, Rng &rng,
                                         double p_parallel);
// `prefer_vec`: a pure var to vectorize if it can be; `prefer_outer`: a pure var whose
// outermost loop goes outermost and parallel (rfactor intermediates: u).
StageSchedule sample_stage(const FuncInfo &f, const StageInfo &stage, const Halide::Target &target, Rng &rng,
                           double p_parallel, const std::string &prefer_vec = "",
                           const std::string &prefer_outer = "");

// rfactor: the choices sampling draws from for one stage (empty when the stage cannot be
// rfactor'd), and a random rfactor of Func `f` (original analysis `a`): with some probability
// per eligible stage, sets the stage's rfactor and resamples its (merge) loop nest, then
// schedules every new intermediate. Draws nothing from `rng` for Funcs with no eligible stage.
std::vector<RFactor> rfactor_choices(const FuncInfo &f, const StageInfo &stage);
void sample_rfactors(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, const FuncInfo &f,
                     Rng &rng, double p);
// Sets rfactor `rf` on stage `stage` of f (or clears it when rf is empty), with fresh loop
// nests for the stage and the intermediate, and its placement. The rest of `s` may need
// repair_placements afterwards (f's producers changed consumer).
void set_rfactor(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, const FuncInfo &f,
                 int stage, const RFactor &rf, Rng &rng);

// The consumers f may get a private copy for (Func::in, schedules/Wrappers.h): f is a Func
// of the pipeline with at least two consumers (its wrappers count), and each one returned
// is a non-inlined pipeline Func that calls f and has no wrapper of f yet. `original` is the
// pipeline's analysis; f comes from the effective analysis of `s` (its uses as `s` wraps them).
std::vector<std::string> wrap_candidates(const PipelineAnalysis &original, const Schedule &s,
                                         const FuncInfo &f);

// Samples f's placement given its consumers' current placements (so call consumers first);
// gives f stages when it stops being inlined. `force_change` avoids keeping the same spot.
void sample_placement(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, const FuncInfo &f,
                      Rng &rng, bool force_change = false);

// Re-places (and if needed re-tiles) every Func that a change made invalid.
// Drops f's unrolled loops whose trip count is no longer a constant (its consumer's tile
// changed under it): the Func stays where it is, only rolled.
void drop_unknown_unrolls(const PipelineAnalysis &a, Schedule &s, const FuncInfo &f);
void repair_placements(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, Rng &rng);

// Small mutations of one stage; each keeps the loop names (so placements stay valid).
void mutate_tile_factor(const StageInfo &stage, const FuncInfo &f, const Halide::Target &target,
                        StageSchedule &st, Rng &rng);
void mutate_vector_width(const StageInfo &stage, const FuncInfo &f, const Halide::Target &target,
                         StageSchedule &st, Rng &rng);
void mutate_parallel(const StageInfo &stage, StageSchedule &st, Rng &rng, bool prefer_parallel);
void mutate_unroll(const StageInfo &stage, StageSchedule &st, Rng &rng);
// Another tail strategy (DimSplit::tail) for one split of a pure var of a pure definition;
// validate() still has to accept it (outputs need extents that fit).
void mutate_tail(const StageInfo &stage, StageSchedule &st, Rng &rng);

// log10 of the number of distinct schedules of f that sampling can produce (a lower bound).
double log10_choices(const PipelineAnalysis &a, const Halide::Target &target, const FuncInfo &f);

}  // namespace htune
