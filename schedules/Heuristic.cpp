// The heuristic schedule: what a competent Halide engineer writes in five minutes, for any
// pipeline: compute_root the expensive stages (reductions, reused stencils, shared inputs),
// inline cheap single-use pointwise stages, 2-D tiles of each root stage, vectorize the
// innermost dimension at native width, parallel over the outer tile rows. Every sketch
// (Sketches.cpp) starts from it.
#include <algorithm>

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
    return s;
}

}  // namespace htune
