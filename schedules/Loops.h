// Loop naming: the loops a StageSchedule creates, their extents and origins. One place that
// apply(), to_cpp(), validation and sampling all agree on.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

// The unrolled loops of one stage multiply to at most this (beyond it compile times explode
// while the code only grows). 64 admits a register-blocked kernel as experts write it: Halide's
// conv_layer app (and htune's conv2d hand schedule) unrolls 4 vectors x 5 columns x 2 input
// channels = 40 per reduction step.
constexpr int kMaxUnrollProduct = 64;
// Sampling draws unrolled loops multiplying to at most this, so fresh candidates stay cheap to
// compile; imports, and mutations of them, may use the space's whole limit.
constexpr int kMaxSampledUnrollProduct = 32;

// Names of the loops a split of `var` makes, outermost first: {var_o, var_i},
// {var_o, var_m, var_i}, {var_o, var_m, var_n, var_i} or {var_o, var_m, var_n, var_p, var_i};
// {var} when unsplit.
std::vector<std::string> split_loop_names(const std::string &var, size_t factors);

// The split of `var` in `st`; nullptr when it is not split.
const DimSplit *split_of(const StageSchedule &st, const std::string &var);

// The fused loop that `parallel` (innermost first) becomes; the single loop when size 1.
std::string fused_loop_name(const std::vector<std::string> &parallel);

struct LoopNest {
    std::vector<std::string> loops;          // innermost first, after splits and order
    std::map<std::string, std::string> dim;  // loop -> the stage dim it came from
    std::map<std::string, int> extent;       // loop -> estimated trip count
    std::set<std::string> constant;          // loops with a constant extent (inner split levels)
    // Loops whose trip count Halide sees as a constant, which may be unrolled or vectorized:
    // the constant ones, every loop of a dim in the ConstantRegion and of an RVar of a constant
    // RDom (StageInfo::constant_rvars).
    std::set<std::string> known_extent;
    std::set<std::string> rvar_loops;  // loops derived from an RVar
    bool has(const std::string &loop) const { return extent.count(loop) > 0; }
    bool is_rvar(const std::string &loop) const { return rvar_loops.count(loop) > 0; }
};

// Pure var -> the constant extent of the region the Func computes per realization, where
// its placement makes it one (schedules/AtRegion.h); empty for a Func at the root.
using ConstantRegion = std::map<std::string, int>;

// The loop nest of `stage` under `st` (splits applied; `st.order` if given, else default
// order with split loops in place). Does not validate: see validate_stage. With `region`,
// the dims it names have that extent, and their outermost loops a constant one.
LoopNest loop_nest(const StageInfo &stage, const StageSchedule &st, const ConstantRegion &region = {});

// The loops of a nest by kind, each innermost first: pure loops of a constant extent (inner
// split levels: inside a tile), loops of RVars, and the other pure loops (outside the tile).
struct LoopKinds {
    std::vector<std::string> inner, rv, outer;
};
LoopKinds loop_kinds(const LoopNest &nest);

// Loops that exist after `st.parallel` is fused: the nest's loops with the fused ones replaced
// by the fused name (innermost first).
std::vector<std::string> final_loops(const LoopNest &nest, const StageSchedule &st);

// "" when `st` is a valid schedule of `stage`, else the reason. `func` names it in messages.
std::string validate_stage(const std::string &func, const StageInfo &stage, const StageSchedule &st,
                           int max_vector_lanes, const ConstantRegion &region = {});

}  // namespace htune
