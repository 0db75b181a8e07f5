// Scatter sketches, for updates that write a data-dependent coordinate (a histogram): the
// bins as independent unrolled chains, and the scattering Func computed per row of its one
// consumer (on the heuristic and on every sketch before).
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/SketchRule.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "schedules/sketches/SketchParts.h"

namespace htune {

namespace {

// An update stage that writes a data-dependent coordinate (a histogram): it has RVars and
// fewer pure vars than the Func has args.
bool is_scatter(const FuncInfo &f, const StageInfo &stage) {
    return !stage.rvars.empty() && stage.pure_vars.size() < f.args.size();
}

// The small dims (extent 2 to 4) among `vars`, each split in `st` by its whole extent so that
// its inner loop is constant and can be unrolled; the rest of `vars` in order.
struct SmallDims {
    std::vector<std::string> inner, outer, rest;  // inner/outer: the splits' loops
};
SmallDims split_small_dims(const StageInfo &stage, const std::vector<std::string> &vars, StageSchedule &st) {
    SmallDims d;
    for (const auto &v : vars) {
        int e = extent_of(stage, v);
        if (e < 2 || e > 4) {
            d.rest.push_back(v);
            continue;
        }
        st.splits.push_back({v, {e}});
        auto n = split_loop_names(v, 1);
        d.outer.push_back(n[0]);
        d.inner.push_back(n[1]);
    }
    return d;
}

// Scatter: an update that writes a data-dependent coordinate (a histogram: fewer pure vars
// than the Func has args) is a read-modify-write through memory, and consecutive
// iterations of its reduction usually hit the same bin, so at the heuristic's order (a
// vectorized pure var, reductions outside) it is a chain of store-to-load forwards with
// gathers. These tiles make u independent chains instead: the innermost pure var split by
// u and unrolled inside the reduction loops (small pure dims, extent 2 to 4, split by their
// extent and unrolled inside that), no vector loop, the outermost pure loop parallel.
std::vector<Schedule> scatter_chains(const SketchInput &in) {
    const PipelineAnalysis &a = in.space.analysis();
    const Schedule &base = in.heuristic;
    std::vector<Schedule> out;
    for (int u : {4, 8, 2}) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : a.funcs()) {
            if (s.funcs.at(f.name).placement != Placement::root) continue;
            for (size_t i = 1; i < f.stages.size(); i++) {
                const StageInfo &stage = f.stages[i];
                if (!is_scatter(f, stage)) continue;
                auto ext = [&](const std::string &v) { return extent_of(stage, v); };
                std::string x;
                for (const auto &v : stage.pure_vars)
                    if (ext(v) >= 2 * u) {
                        x = v;
                        break;
                    }
                if (x.empty()) continue;
                StageSchedule st;
                std::vector<std::string> others;
                for (const auto &v : stage.pure_vars)
                    if (v != x) others.push_back(v);
                const std::vector<std::string> small = split_small_dims(stage, others, st).inner;
                st.splits.push_back({x, {u}});
                auto nx = split_loop_names(x, 1);
                LoopNest nest = loop_nest(stage, st);
                std::vector<std::string> rv, outer, trivial;  // trivial: the small dims' outer loops
                for (const auto &l : nest.loops) {
                    if (l == nx[1] || std::find(small.begin(), small.end(), l) != small.end()) continue;
                    if (nest.is_rvar(l))
                        rv.push_back(l);
                    else if (nest.extent.at(l) <= 1)
                        trivial.push_back(l);
                    else
                        outer.push_back(l);
                }
                if (outer.empty()) continue;
                st.order = small;
                st.order.push_back(nx[1]);
                st.unroll = st.order;
                st.order.insert(st.order.end(), rv.begin(), rv.end());
                st.order.insert(st.order.end(), outer.begin(), outer.end() - 1);
                st.order.insert(st.order.end(), trivial.begin(), trivial.end());
                st.order.push_back(outer.back());
                st.parallel = {outer.back()};
                s.funcs[f.name].stages[i] = st;
                any = true;
            }
        }
        if (any) out.push_back(s);
    }
    return out;
}

// `start` with every such scattering Func computed per row of its consumer (nullopt when there
// is none): see scatter_at_consumer_rows.
std::optional<Schedule> at_consumer_rows(const ScheduleSpace &space, const Schedule &start) {
    const PipelineAnalysis &a = space.analysis();
    const Halide::Target &target = space.target();
    Schedule s = start;
    bool any = false;
    for (const FuncInfo &f : a.funcs()) {
        if (f.is_output || s.funcs.at(f.name).placement != Placement::root || f.uses.empty()) continue;
        bool scatter = false;
        for (size_t i = 1; i < f.stages.size(); i++) scatter = scatter || is_scatter(f, f.stages[i]);
        for (const StageSchedule &st : s.funcs.at(f.name).stages) scatter = scatter && st.rfactor.empty();
        if (!scatter) continue;  // (an rfactor'd one keeps its intermediate's schedule)
        bool one_consumer = true;
        for (const Use &u : f.uses)
            one_consumer = one_consumer && u.consumer == f.uses[0].consumer && u.stage == 0;
        const FuncInfo &g = a.func(f.uses[0].consumer);
        if (!one_consumer || g.stages.size() != 1 || s.funcs.at(g.name).placement == Placement::inline_)
            continue;
        const StageInfo &gs = g.stages[0];
        if (gs.pure_vars.size() < 2 || !gs.rvars.empty()) continue;
        const std::string &gx = gs.pure_vars[0], &gy = gs.pure_vars[1];
        const int lanes = native_lanes(target, g.type);
        if (extent_of(gs, gy) < 2) continue;
        StageSchedule gst;
        const bool vec = lanes >= 2 && extent_of(gs, gx) >= lanes;
        if (vec) {
            gst.splits = {{gx, {lanes}}};
            gst.vectorize = split_loop_names(gx, 1)[1];
            gst.order = {gst.vectorize};
        }
        SmallDims gd = split_small_dims(gs, {gs.pure_vars.begin() + 2, gs.pure_vars.end()}, gst);
        gst.unroll = gd.inner;
        for (const auto *loops : {&gd.inner, &gd.rest, &gd.outer})
            gst.order.insert(gst.order.end(), loops->begin(), loops->end());
        gst.order.push_back(vec ? split_loop_names(gx, 1)[0] : gx);
        gst.order.push_back(gy);
        gst.parallel = {gy};
        FuncSchedule fs = computed_at(g.name, 0, gy);
        for (const StageInfo &stage : f.stages) {
            StageSchedule st;
            if (stage.index == 0 || stage.rvars.empty()) {
                fs.stages.push_back(st);  // the initialization: Halide's default loops
                continue;
            }
            const SmallDims d = split_small_dims(stage, stage.pure_vars, st);
            st.unroll = d.inner;
            for (const auto *loops : {&d.inner, &stage.rvars, &d.rest, &d.outer})
                st.order.insert(st.order.end(), loops->begin(), loops->end());
            fs.stages.push_back(st);
        }
        FuncSchedule groot;  // (from a window too)
        groot.stages = {gst};
        s.funcs[g.name] = groot;
        s.funcs[f.name] = fs;
        for (const FuncInfo &p : a.funcs()) {
            if (!p.can_inline || p.uses.empty() || s.funcs.at(p.name).placement != Placement::root) continue;
            bool only_f = true;
            for (const Use &u : p.uses) only_f = only_f && u.consumer == f.name;
            if (only_f && is_cheap(p)) s.funcs[p.name] = inlined();
        }
        any = true;
    }
    if (!any) return std::nullopt;
    return s;
}

// Scatter at the consumer's rows (apps/bilateral_grid's hand schedule): a Func with a
// scatter update (a histogram) that only one root Func reads is computed per row of that
// consumer instead of at the root, so its bins stay in L1 while they are filled and read;
// its updates run the small pure dims (extent 2 to 4) unrolled innermost, then the
// reduction, then the other pure loops. The consumer's rows are its outermost loop
// (parallel; it moves to the root when a sketch computed it in a window), its vector loop
// innermost with its small dims unrolled just outside, and the cheap pure producers that
// only the scattering Func reads are inlined into it (a boundary condition read twice per
// point is one load after CSE). Applied to the heuristic and to every sketch before, so it
// combines with the sliding windows.
std::vector<Schedule> scatter_at_consumer_rows(const SketchInput &in) {
    return in.on_each_start([&](const Schedule &start) { return at_consumer_rows(in.space, start); });
}

}  // namespace

std::unique_ptr<SketchRule> scatter_chains_rule() {
    return make_sketch_rule("scatter chains", scatter_chains);
}
std::unique_ptr<SketchRule> scatter_at_consumer_rows_rule() {
    return make_sketch_rule("scatter at consumer rows", scatter_at_consumer_rows);
}

}  // namespace htune
