// Private-copy sketches: an inlined Func that a stencil consumer recomputes per tap gets a
// private copy (Func::in, schedules/Wrappers.h) computed per tile of that consumer.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/SketchRule.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "schedules/Wrappers.h"
#include "schedules/sketches/SketchParts.h"

namespace htune {

namespace {

// Arithmetic per point (own definition) above which an inlined Func recomputed by a stencil
// consumer is worth a private copy (wrap_recomputed_inlines); below it the copy's loads and
// stores cost more than the recomputation.
constexpr double kMinWrapOps = 8;

// An inlined Func f with arithmetic and several consumers, one of which C is computed at a
// loop L of some Func and reads f at several points (a stencil: apps/local_laplacian's
// downsampling of its remapped level 0, which evaluates an exp per tap) recomputes f per tap.
// f cannot be computed at L (its other consumers are elsewhere), but a private copy of f for
// C (Func::in) can: computed at L too, vectorized along f's first dim, it evaluates f once
// per point of C's tile. Applied to every such (f, C); nullopt when there is none.
std::optional<Schedule> wrap_recomputed_inlines(const PipelineAnalysis &a, const Halide::Target &target,
                                                const Schedule &base) {
    Schedule s = base;
    bool any = false;
    for (const FuncInfo &f : a.funcs()) {
        auto fit = s.funcs.find(f.name);
        if (fit == s.funcs.end() || fit->second.placement != Placement::inline_ || !fit->second.wrap.empty())
            continue;
        if (f.stages[0].ops_per_point < kMinWrapOps || f.args.empty()) continue;
        std::set<std::string> consumers;
        for (const Use &u : f.uses) consumers.insert(u.consumer);
        if (consumers.size() < 2) continue;
        for (const std::string &g : consumers) {
            int calls = 0;
            for (const Use &u : f.uses)
                if (u.consumer == g) calls += u.calls;
            auto git = s.funcs.find(g);
            if (calls < 2 || git == s.funcs.end() || git->second.placement != Placement::at) continue;
            const FuncSchedule gs = git->second;
            s.funcs[f.name].wrap.push_back(g);
            FuncSchedule ws = computed_at(gs.at_func, gs.at_stage, gs.at_loop);
            StageSchedule st;
            const std::string &x = f.args[0];
            const int lanes = native_lanes(target, f.type);
            if (lanes >= 2 && extent_of(f.stages[0], x) >= lanes) {
                st.splits = {{x, {lanes}}};
                auto names = split_loop_names(x, 1);
                st.vectorize = names[1];
                st.order = {names[1], names[0]};
                st.order.insert(st.order.end(), f.args.begin() + 1, f.args.end());
            }
            ws.stages = {st};
            s.funcs[wrapper_func_name(f.name, g)] = ws;
            any = true;
        }
    }
    if (!any) return std::nullopt;
    return s;
}

// Inlined Funcs a stencil consumer recomputes, given a private copy per tile of that
// consumer (see wrap_recomputed_inlines): on the heuristic and on every sketch before.
std::vector<Schedule> private_copies(const SketchInput &in) {
    return in.on_each_start([&](const Schedule &start) {
        return wrap_recomputed_inlines(in.space.analysis(), in.space.target(), start);
    });
}

}  // namespace

std::unique_ptr<SketchRule> private_copies_rule() {
    return make_sketch_rule("private copies", private_copies);
}

}  // namespace htune
