// Gather sketches (apps/bilateral_grid's slicing): a Func that gathers across a small dim
// computed per row of its consumer, vectorized along that dim, stored with it innermost.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/SketchRule.h"
#include "schedules/Space.h"
#include "schedules/sketches/SketchParts.h"

namespace htune {

namespace {

// A Func F whose definition gathers from a producer G (an index that depends on loaded data)
// while passing a small dim d (extent 2 to 4, a channel) through unchanged is, vectorized
// along its x, a gather per lane per channel: Halide 14 extracts every lane's index from a
// vector and inserts every loaded value back (most of bilateral_grid's slicing time). Instead
// F is computed per row of its one consumer C (C's innermost loop outside its vector dim), its
// loop over d innermost and vectorized, and d innermost in F's storage and in G's, with G's
// gathered dims next: each gather becomes one dense load of all of d's values from a
// neighbourhood of consecutive addresses, and C still reads F with dense vectors.
std::optional<Schedule> interleave_gathers(const ScheduleSpace &space, const Schedule &base) {
    const PipelineAnalysis &a = space.analysis();
    Schedule s = base;
    bool any = false;
    for (const FuncInfo &f : a.funcs()) {
        if (!f.can_inline || f.stages.size() != 1 || f.uses.empty()) continue;
        bool one_consumer = true;
        for (const Use &u : f.uses)
            one_consumer = one_consumer && u.consumer == f.uses[0].consumer && u.stage == 0;
        if (!one_consumer) continue;
        const FuncInfo &c = a.func(f.uses[0].consumer);
        const FuncSchedule &cs = s.funcs.at(c.name);
        if (cs.placement != Placement::root || cs.stages.empty() || cs.stages[0].vectorize.empty()) continue;
        // The small dim, and the producers F gathers from across it.
        const StageInfo &fst = f.stages[0];
        std::string d;
        std::vector<std::pair<const FuncInfo *, size_t>> gathered;  // producer, its arg that is d
        for (const auto &v : fst.pure_vars) {
            int e = extent_of(fst, v);
            if (e < 2 || e > 4 || !d.empty()) continue;
            for (const FuncInfo &g : a.funcs())
                for (const Use &u : g.uses) {
                    if (u.consumer != f.name) continue;
                    bool gathers = std::find(u.gathered.begin(), u.gathered.end(), true) != u.gathered.end();
                    for (size_t q = 0; q < u.arg_vars.size(); q++)
                        if (gathers && u.arg_vars[q] == v) gathered.emplace_back(&g, q);
                }
            if (!gathered.empty()) d = v;
        }
        if (d.empty()) continue;
        // Where: C's innermost loop outside its vector dim (a row of C's tile).
        const StageSchedule &cst = cs.stages[0];
        LoopNest cn = loop_nest(c.stages[0], cst);
        const std::string vdim = cn.dim.at(cst.vectorize);
        std::string row;
        for (const auto &l : cn.loops)
            if (cn.dim.at(l) != vdim &&
                std::find(cst.unroll.begin(), cst.unroll.end(), l) == cst.unroll.end()) {
                row = l;
                break;
            }
        if (row.empty()) continue;
        FuncSchedule fs = computed_at(c.name, 0, row);
        StageSchedule st;
        st.splits = {{d, {extent_of(fst, d)}}};
        auto dn = split_loop_names(d, 1);
        st.vectorize = dn[1];
        st.order = {dn[1]};
        for (const auto &v : fst.pure_vars)
            if (v != d) st.order.push_back(v);
        st.order.push_back(dn[0]);
        fs.stages = {st};
        fs.storage = {d};
        for (const auto &a : f.args)
            if (a != d) fs.storage.push_back(a);
        s.funcs[f.name] = fs;
        for (const auto &gq : gathered) {
            const FuncInfo &g = *gq.first;
            FuncSchedule &gs = s.funcs.at(g.name);
            if (gs.placement == Placement::inline_) continue;
            std::vector<bool> is_gathered(g.args.size(), false);
            for (const Use &u : g.uses)
                if (u.consumer == f.name)
                    for (size_t i = 0; i < u.gathered.size() && i < g.args.size(); i++)
                        is_gathered[i] = is_gathered[i] || u.gathered[i];
            gs.storage = {g.args[gq.second]};
            for (bool want : {true, false})
                for (size_t i = 0; i < g.args.size(); i++)
                    if (i != gq.second && is_gathered[i] == want) gs.storage.push_back(g.args[i]);
        }
        any = true;
    }
    if (!any) return std::nullopt;  // (the caller validates)
    return s;
}

// Gathers across a small dim (apps/bilateral_grid's slicing: a Func of (x, y, c) that
// reads its grid at data-dependent z for each c): see interleave_gathers. Applied to the
// heuristic and to every sketch before.
std::vector<Schedule> interleaved_gathers(const SketchInput &in) {
    return in.on_each_start([&](const Schedule &start) { return interleave_gathers(in.space, start); });
}

}  // namespace

std::unique_ptr<SketchRule> interleaved_gathers_rule() {
    return make_sketch_rule("interleaved gathers", interleaved_gathers);
}

}  // namespace htune
