// Multi-scale (pyramid) sketches (apps/local_laplacian's hand schedule), derived from extents,
// not names: the resampling helpers inlined, and the levels collapsed per output row.
#include <algorithm>
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
#include "schedules/sketches/SketchParts.h"

namespace htune {

namespace {

// Extents of the same resolution but for halos (a resampling step changes them 2x): within
// 1.5x of each other.
bool same_scale(int a, int b) { return std::max(a, b) < 1.5 * std::max(1, std::min(a, b)); }

// A pure definition in Halide's default loop order but for its innermost var split by the
// native vector width and vectorized, where it is that long (a producer computed inside a
// consumer's loops).
StageSchedule vectorized_innermost(const FuncInfo &f, const Halide::Target &target) {
    StageSchedule st;
    const int lanes = native_lanes(target, f.type);
    const StageInfo &d = f.stages[0];
    if (d.pure_vars.empty() || lanes < 2 || extent_of(d, d.pure_vars[0]) < lanes) return st;
    st.splits = {{d.pure_vars[0], {lanes}}};
    st.vectorize = split_loop_names(d.pure_vars[0], 1).back();
    return st;
}

// `base` with the pyramid's private helpers inlined (nullopt when none is): step (1) of the
// family (see pyramids below).
std::optional<Schedule> inline_pyramid_helpers(const ScheduleSpace &space, const Schedule &base) {
    const PipelineAnalysis &a = space.analysis();
    const Halide::Target &target = space.target();
    const auto &funcs = a.funcs();
    const FuncInfo *o = nullptr;  // the output (the first, where there are several)
    for (const FuncInfo &f : funcs)
        if (f.is_output && !o) o = &f;
    Schedule s = base;
    bool any = false;
    for (auto it = funcs.rbegin(); it != funcs.rend(); ++it) {  // consumers first
        const FuncInfo &f = *it;
        const StageInfo &d = f.stages[0];
        const bool table = d.loads_per_point == 0 && d.ops_per_point <= 32;
        if (!f.can_inline || f.uses.empty() || s.funcs.at(f.name).placement != Placement::root ||
            !(is_cheap(f) || table))
            continue;
        const bool copy = d.ops_per_point == 0 && d.loads_per_point <= 1;
        bool one_consumer = true;
        int calls = 0;
        for (const Use &u : f.uses) {
            one_consumer = one_consumer && u.consumer == f.uses[0].consumer;
            calls += u.calls;
        }
        const FuncInfo &g = a.func(f.uses[0].consumer);
        bool half_pass = false, same_resolution = false;
        if (one_consumer && f.args.size() >= 2 && g.args.size() >= 2 && o && o->args.size() >= 2) {
            const double r = (double)f.extents[0] / f.extents[1] * o->extents[1] / o->extents[0];
            half_pass = r >= 1.5 || r <= 1 / 1.5;
        }
        // Same resolution: every consumer has f's x and y extents (a pointwise step), at most two
        // reads from one consumer or four in all.
        if (f.args.size() >= 2) {
            same_resolution = calls <= (one_consumer ? 2 : 4);
            for (const Use &u : f.uses) {
                const FuncInfo &c = a.func(u.consumer);
                same_resolution = same_resolution && c.args.size() >= 2 &&
                                  same_scale(f.extents[0], c.extents[0]) &&
                                  same_scale(f.extents[1], c.extents[1]);
            }
        }
        const bool big = o && f.points() >= 2 * o->points();
        if (!(table || copy || half_pass || same_resolution || big)) continue;
        Schedule t = s;
        t.funcs[f.name] = inlined();
        if (big && !inline_allowed(a, t, f, kSketchInlineExpansion)) {
            // Past the inline limit through inlined helpers: those are computed per tile of
            // their (root) consumer instead, each point once, and f inlined into them.
            for (const Use &u : f.uses) {
                const FuncInfo &c = a.func(u.consumer);
                if (t.funcs.at(c.name).placement != Placement::inline_ || c.uses.empty()) continue;
                const FuncInfo &g = a.func(c.uses[0].consumer);
                const FuncSchedule &gs = t.funcs.at(g.name);
                if (gs.placement != Placement::root || gs.stages.size() != 1) continue;
                const LoopNest nest = loop_nest(g.stages[0], gs.stages[0]);
                std::string tile;  // the innermost loop outside the tile
                for (const auto &l : nest.loops)
                    if (tile.empty() && !nest.constant.count(l) && l != gs.stages[0].vectorize) tile = l;
                if (tile.empty()) continue;
                FuncSchedule cs = computed_at(g.name, 0, tile);
                cs.stages = {vectorized_innermost(c, target)};
                t.funcs[c.name] = cs;
            }
        }
        if (!inline_allowed(a, t, f, kSketchInlineExpansion) || !space.validate(t).empty()) continue;
        s = std::move(t);
        any = true;
    }
    if (!any) return std::nullopt;
    return s;
}

// `helpers` with the output-side producers in sliding windows over output strips of `rows`
// rows (nullopt when it does not apply; not validated, the caller does): step (2).
std::optional<Schedule> collapse_at_output_rows(const ScheduleSpace &space, const Schedule &helpers,
                                                int rows) {
    const PipelineAnalysis &a = space.analysis();
    const Halide::Target &target = space.target();
    const auto &funcs = a.funcs();
    const FuncInfo *o = nullptr;
    for (const FuncInfo &f : funcs)
        if (f.is_output) {
            if (o) return std::nullopt;  // (one output)
            o = &f;
        }
    if (!o || o->stages.size() != 1 || o->stages[0].pure_vars.size() < 2) return std::nullopt;
    const StageInfo &os = o->stages[0];
    const std::string &x = os.pure_vars[0], &y = os.pure_vars[1];
    rows = std::min(rows, extent_of(os, y) / 2);
    // (Levels shorter than a strip are computed whole for every row: they stay at the root.)
    if (rows < 2) return std::nullopt;
    // The chain: pure, single-stage Funcs of 2 dims plus small ones (channels, extent <= 4)
    // whose values reach only the output or other chain Funcs at the same or a higher
    // resolution (the collapse; a window across a downsampling recomputes its rows): root ones,
    // and inlined ones at the output's resolution with fewer dims than it (inlined, they are
    // recomputed per channel).
    std::set<std::string> chain;
    for (auto it = funcs.rbegin(); it != funcs.rend(); ++it) {
        const FuncInfo &f = *it;
        const Placement p = helpers.funcs.at(f.name).placement;
        if (f.is_output || f.stages.size() != 1 || f.args.size() < 2 || !f.stages[0].rvars.empty() ||
            !(p == Placement::root ||
              (p == Placement::inline_ && f.args.size() < o->args.size() &&
               same_scale(f.extents[0], o->extents[0]) && same_scale(f.extents[1], o->extents[1]))))
            continue;
        bool fits = f.extents[1] >= rows;  // (and its other dims are small)
        for (size_t i = 2; i < f.extents.size(); i++) fits = fits && f.extents[i] <= 4;
        if (!fits) continue;
        auto uses = effective_uses(a, helpers, f);
        bool only_chain = !uses.empty();
        for (const auto &[consumer, stage] : uses) {
            const FuncInfo &g = a.func(consumer);
            only_chain = only_chain &&
                         (consumer == o->name || (chain.count(consumer) && p == Placement::root)) &&
                         (g.extents[0] >= f.extents[0] || same_scale(g.extents[0], f.extents[0])) &&
                         (g.extents[1] >= f.extents[1] || same_scale(g.extents[1], f.extents[1]));
        }
        if (only_chain) chain.insert(f.name);
    }
    if (chain.empty()) return std::nullopt;
    Schedule s = helpers;
    StageSchedule ost;
    const int lanes = native_lanes(target, o->type);
    const bool vec = lanes >= 2 && extent_of(os, x) >= lanes;
    if (vec) {
        ost.splits.push_back({x, {lanes}});
        ost.vectorize = split_loop_names(x, 1)[1];
        ost.order = {ost.vectorize};
    }
    ost.splits.push_back({y, {rows}});
    const auto ny = split_loop_names(y, 1);
    ost.order.insert(ost.order.end(), os.pure_vars.begin() + 2, os.pure_vars.end());
    ost.order.push_back(vec ? split_loop_names(x, 1)[0] : x);
    ost.order.push_back(ny[1]);
    ost.order.push_back(ny[0]);
    ost.parallel = {ny[0]};
    s.funcs[o->name].stages = {ost};
    for (const std::string &name : chain) {
        const FuncInfo &f = a.func(name);
        FuncSchedule fs = computed_at(o->name, 0, ny[1], ny[0]);
        fs.stages = {vectorized_innermost(f, target)};
        s.funcs[name] = fs;
    }
    return s;
}

// Multi-scale pipelines (apps/local_laplacian's hand schedule), derived from extents, not
// names: (1) the private helpers are inlined, consumers first, where the inline limit allows:
// a Func read by one consumer whose x:y aspect differs from the output's by 1.5x or more
// (the half pass of a separable resampling, downx or upx), a Func at the resolution of all
// its consumers (x and y extents within 1.5x) read at most twice by one consumer or four
// times by several (a pointwise step), a plain copy, a lookup table (no loads: recomputing
// it beats Halide 14's scalarized gathers), and a cheap Func of at least twice the output's
// points (its buffer costs more than recomputing it; where the limit stops that, the half
// passes reading it are computed per tile of their consumer instead); (2) the 2-D
// producers whose values reach only the output or each other at the same or a higher
// resolution (the collapse of the pyramid) are computed per output row and stored per
// parallel strip of rows (sliding windows, every level computed once), the output in
// full-width rows (x vectorized, its small dims inside), strips of 32 or 64 rows parallel.
// The other levels stay at the root with the heuristic's loops. One sketch for (1) alone,
// one per strip height for (1) and (2).
std::vector<Schedule> pyramids(const SketchInput &in) {
    const Schedule &base = in.heuristic;
    std::vector<Schedule> out;
    if (std::optional<Schedule> helpers = inline_pyramid_helpers(in.space, base)) {
        out.push_back(*helpers);
        for (int ty : {32, 64})
            if (std::optional<Schedule> s = collapse_at_output_rows(in.space, *helpers, ty))
                out.push_back(*s);
    }
    return out;
}

}  // namespace

std::unique_ptr<SketchRule> pyramids_rule() { return make_sketch_rule("multi-scale pyramids", pyramids); }

}  // namespace htune
