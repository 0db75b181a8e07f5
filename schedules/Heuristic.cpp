// The heuristic schedule: what a competent Halide engineer writes in five minutes, for any
// pipeline: compute_root the expensive stages (reductions, reused stencils, shared inputs),
// inline cheap single-use pointwise stages, 2-D tiles of each root stage, vectorize the
// innermost dimension at native width, parallel over the outer tile rows. Every sketch
// (Sketches.cpp) starts from it.
#include <algorithm>

#include "schedules/AtRegion.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "schedules/sketches/SketchParts.h"

namespace htune {

namespace {

StageSchedule heuristic_stage(const FuncInfo &f, const StageInfo &stage, const Halide::Target &target) {
    StageSchedule st;
    const int lanes = native_lanes(target, f.type);
    auto ext = [&](const std::string &v) { return extent_of(stage, v); };
    const auto &pv = stage.pure_vars;
    std::string x = pv.size() > 0 ? pv[0] : "", y = pv.size() > 1 ? pv[1] : "";
    std::vector<std::string> order;
    // x: vectorize at native width, inside a tile of up to 64.
    bool vec = !x.empty() && ext(x) >= lanes && lanes >= 2;
    bool tile_y = !y.empty() && ext(y) >= 16;
    if (vec) {
        int tile = std::min(64, ext(x)) / lanes * lanes;
        if (tile > lanes && tile % lanes == 0) {
            tile = 1 << (31 - __builtin_clz((unsigned)tile));  // power of two
            if (tile > lanes)
                st.splits.push_back({x, {tile, lanes}});
            else
                st.splits.push_back({x, {lanes}});
        } else {
            st.splits.push_back({x, {lanes}});
        }
    }
    if (tile_y) st.splits.push_back({y, {std::min(16, ext(y)) >= 16 ? 16 : 8}});
    LoopNest nest = loop_nest(stage, st);
    // Order: vector loop, tile-inner loops, reductions, tile-outer loops, other dims.
    const auto [inner, rv, outer] = loop_kinds(nest);
    std::string vloop = vec ? split_loop_names(x, 1).back() : "";
    if (vec) order.push_back(vloop);
    for (const auto &l : inner)
        if (l != vloop) order.push_back(l);
    order.insert(order.end(), rv.begin(), rv.end());
    order.insert(order.end(), outer.begin(), outer.end());
    st.order = order;
    if (vec) st.vectorize = vloop;
    // Parallel: the outermost pure loop; fuse with the next when it is short for the cores.
    if (!order.empty() && !nest.is_rvar(order.back()) && order.back() != vloop &&
        !nest.constant.count(order.back())) {
        st.parallel = {order.back()};
        if (order.size() >= 2 && nest.extent.at(order.back()) < 8) {
            const std::string &next = order[order.size() - 2];
            if (!nest.is_rvar(next) && next != vloop && !nest.constant.count(next))
                st.parallel = {next, order.back()};
        }
    }
    return st;
}

// Bytes f computes per iteration of its compute_at loop in `s`: the constant region where it
// is one, the whole estimated extent elsewhere (an upper bound).
double bytes_per_iteration(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f) {
    ConstantRegion region = region_per_iteration(a, s, f);
    double bytes = f.type.bytes() * f.values;
    for (size_t i = 0; i < f.args.size(); i++) {
        auto it = region.find(f.args[i]);
        bytes *= it != region.end() ? it->second : f.extents[i];
    }
    return bytes;
}

// A Func too large for the root (SpaceRules.h, too_large_for_root: a non-local means' 4-D
// distances) is inlined where that is allowed, else computed inside its one consumer: at the
// outermost loop inside the consumer's parallel loop (one tile row's worth, as a Halide
// engineer writes it), moving inwards while that region still reaches the limit. Its own loop
// nest keeps one split level and no parallel loop (validate_func's rules for compute_at).
// Consumers come first, so a chain of such Funcs nests. Left at the root (invalid, the
// space's validation says why) when it has several consumers or no loop fits.
void place_too_large(const PipelineAnalysis &a, Schedule &s, const FuncInfo &f) {
    FuncSchedule &fs = s.funcs[f.name];
    if (fs.placement != Placement::root || !too_large_for_root(f)) return;
    if (inline_allowed(a, s, f)) {
        fs = inlined();
        return;
    }
    auto uses = effective_uses(a, s, f);
    if (uses.size() != 1) return;
    const auto [g, stage] = *uses.begin();
    const FuncSchedule &gs = s.funcs.at(g);
    if (gs.placement == Placement::inline_ || stage >= (int)gs.stages.size()) return;
    const StageSchedule &gst = gs.stages[stage];
    std::vector<std::string> loops = placement_loops(a.func(g), stage, gst);
    if (!gst.parallel.empty()) {
        auto par = std::find(loops.begin(), loops.end(), fused_loop_name(gst.parallel));
        loops.erase(par, loops.end());
    }
    const FuncSchedule root = fs;
    FuncSchedule at = computed_at(g, stage, "");
    at.stages = root.stages;
    for (auto &st : at.stages) {
        one_level_splits(st);
        st.parallel.clear();
    }
    for (auto l = loops.rbegin(); l != loops.rend(); ++l) {
        at.at_loop = *l;
        fs = at;
        if (bytes_per_iteration(a, s, f) < kHalideBufferLimit) return;
    }
    fs = root;
}

}  // namespace

Schedule ScheduleSpace::heuristic() const {
    Schedule s;
    const PipelineAnalysis &a = *analysis_;
    for (const FuncInfo &f : a.funcs()) {
        int calls = 0;
        for (const auto &u : f.uses) calls += u.calls;
        FuncSchedule fs;
        if (f.can_inline && calls <= 1 && is_cheap(f)) {
            fs.placement = Placement::inline_;
        } else {
            fs.placement = Placement::root;
            for (const auto &stage : f.stages) fs.stages.push_back(heuristic_stage(f, stage, target_));
        }
        s.funcs[f.name] = fs;
    }
    for (auto f = a.funcs().rbegin(); f != a.funcs().rend(); ++f) place_too_large(a, s, *f);
    return s;
}

}  // namespace htune
