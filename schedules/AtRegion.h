// The region a Func computes per iteration of the loop it is computed at, as far as it is a
// constant: what lets a Func inside another's tile unroll (or vectorize) a loop it never split.
// Adams2019 does this everywhere: Harris' Ix, computed per 8x1 tile of the output, unrolls its
// whole 10x3 region. Halide can only unroll a loop whose trip count bounds inference proves
// constant, so the space allows exactly that, computed the same way (DESIGN "Constant extents
// inside a tile"):
//
// - A consumer stage indexes a producer by sum(k * v) + [lo, hi] over its loop vars v (Use::index,
//   from the call sites; anything else is not constant).
// - A var of the stage f is computed at ranges, per iteration of that loop L, over
//   base + [0, span - 1], where span is the product of its loops inside L: split-inner loops
//   have constant trip counts; a var with no loop inside L spans 1; a var whose outermost loop
//   is inside L spans its whole region, constant only for an RVar of a constant RDom.
// - A consumer that is inlined, or computed at the same loop L, or at a loop inside it, or in
//   the loops of a Func that is (through a chain of compute_at) computed there, ranges over its
//   own region, computed the same way; any other consumer makes the region unknown.
// - The producer's region is the union over its uses: constant when all of them are offsets of
//   the same symbolic bases.
#pragma once

#include <map>
#include <set>
#include <string>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

// f's pure args -> the constant extent of the region f computes per iteration of its
// compute_at loop; args whose extent is not constant are absent. Empty unless f is placed
// Placement::at in `s`. `a` is the analysis `s` is validated against (EffectiveAnalysis).
ConstantRegion region_per_iteration(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f);

// The same region, and which of its args are "full": equal in every iteration, the last one
// included. A loop split with a GuardWithIf tail gives Halide's bounds inference a smaller last
// tile, unless its factor divides a full constant extent; round_up and shift_inwards tails,
// single points and constant RDoms are always full.
struct RegionInfo {
    ConstantRegion constant;
    std::set<std::string> full;
    // The dims of the stage f is computed at whose loop values move f's region (its position
    // is an affine function of them); `known` when every arg's range is, so that a dim absent
    // here leaves the region where it is (local_laplacian's 2-D f#0 under the output's c loop).
    std::set<std::string> moves_with;
    bool known = false;
    // Per arg, the dims of that stage whose loops (the loop f is computed at, or one outside it)
    // move where f's region lies along that arg, whether or not its size is a constant: an
    // index reading x and x + dx (dx over an RDom) moves with x alone. `placed` when every arg's
    // is known; an arg absent here is not.
    std::map<std::string, std::set<std::string>> arg_dims;
    bool placed = false;
};
RegionInfo region_info(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f);

// Whether the value of `loop`, a loop of the stage f is computed at (`nest`), may move f's
// region: it does, or the region is not known, or the loop is no dim's.
bool moved_by_loop(const RegionInfo &region, const LoopNest &nest, const std::string &loop);

// The args of `region`'s constant region that are full.
ConstantRegion tail_free_region(const RegionInfo &region);

// The args of region_per_iteration that are full: where f may split in several levels
// without a tail at any level (multi_level_split_reason).
ConstantRegion tail_free_region(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f);

}  // namespace htune
