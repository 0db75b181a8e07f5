// Sliding-window sketches (apps/stencil_chain's hand schedule): the producers that feed only
// the output computed per output row in sliding windows, stored per strip.
#include <algorithm>
#include <memory>
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

// Sliding-window chains (apps/stencil_chain's hand schedule): the producers that only feed
// the output, directly or through each other (pure single-stage Funcs the heuristic
// computes at the root), are stored per column strip of the output (x_o) and computed per
// output row (y_i), so each keeps a few rows of a strip in L1/L2 and Halide's sliding
// window computes every row once; the output is tiled tx x ty (256x64, 128x32, 512x128),
// its row tiles parallel, its small further dims (channels) inside the row loop. Each
// chain Func is vectorized at native width.
std::vector<Schedule> sliding_windows(const SketchInput &in) {
    const PipelineAnalysis &a = in.space.analysis();
    const Halide::Target &target = in.space.target();
    const Schedule &base = in.heuristic;
    std::vector<Schedule> out;
    for (const FuncInfo &o : a.funcs()) {
        if (!o.is_output || o.stages.size() != 1 || o.stages[0].pure_vars.size() < 2) continue;
        const StageInfo &os = o.stages[0];
        const std::string &x = os.pure_vars[0], &y = os.pure_vars[1];
        auto ext = [&](const std::string &v) { return extent_of(os, v); };
        // The output's further dims go inside its row loop when small (an image's channels: a
        // row of the chain then serves every channel), else the output is skipped.
        std::vector<std::string> inner_dims;
        for (size_t d = 2; d < os.pure_vars.size(); d++)
            if (ext(os.pure_vars[d]) <= 4) inner_dims.push_back(os.pure_vars[d]);
        if (inner_dims.size() + 2 != os.pure_vars.size()) continue;
        std::set<std::string> chain;
        const auto &funcs = a.funcs();
        for (auto it = funcs.rbegin(); it != funcs.rend(); ++it) {  // consumers first
            const FuncInfo &f = *it;
            if (f.is_output || f.stages.size() != 1 || f.uses.empty() || f.stages[0].pure_vars.empty())
                continue;
            const Placement pl = base.funcs.at(f.name).placement;
            // A 2-D Func the heuristic inlines into a multi-channel output (a per-pixel factor
            // applied to every channel) joins too: per row it is computed once, not per channel.
            bool per_pixel_factor =
                pl == Placement::inline_ && !inner_dims.empty() && f.stages[0].pure_vars.size() == 2;
            for (const Use &u : f.uses) per_pixel_factor = per_pixel_factor && u.consumer == o.name;
            if (pl != Placement::root && !per_pixel_factor) continue;
            // (Consumers the heuristic inlines count as the Funcs they are inlined into.)
            bool feeds_only_chain = true;
            for (const auto &u : effective_uses(a, base, f))
                feeds_only_chain = feeds_only_chain && (u.first == o.name || chain.count(u.first));
            if (feeds_only_chain) chain.insert(f.name);
        }
        if (chain.size() < 2) continue;
        const int lanes = native_lanes(target, o.type);
        // (tx 0: full rows, the x loop split by the vector width only, the chain stored per
        // strip of rows; Halide then partitions a clamped producer's row loop into edges and
        // a dense middle, which it does not inside a column strip.)
        for (auto [tx, ty] : std::vector<std::pair<int, int>>{{256, 64}, {128, 32}, {512, 128}, {0, 32}}) {
            const bool full_rows = tx == 0;
            // (Tiles shrink to half the output at small sizes, so there are always two.)
            tx = full_rows ? lanes : std::min(tx, ext(x) / 2 / lanes * lanes);
            ty = std::min(ty, ext(y) / 2);
            if (tx < lanes || ty < 1) continue;
            Schedule s = base;
            StageSchedule ost;
            const bool strip_is_vector = tx == lanes;
            ost.splits = {{x, strip_is_vector ? std::vector<int>{tx} : std::vector<int>{tx, lanes}},
                          {y, {ty}}};
            auto nx = split_loop_names(x, ost.splits[0].factors.size()), ny = split_loop_names(y, 1);
            ost.vectorize = nx.back();
            ost.order = {nx.back()};
            if (!strip_is_vector || full_rows) ost.order.push_back(nx[full_rows ? 0 : 1]);
            ost.order.insert(ost.order.end(), inner_dims.begin(), inner_dims.end());
            ost.order.push_back(ny[1]);
            if (!full_rows) ost.order.push_back(nx[0]);
            ost.order.push_back(ny[0]);
            ost.parallel = {ny[0]};
            s.funcs[o.name].stages = {ost};
            for (const std::string &name : chain) {
                const FuncInfo &f = a.func(name);
                const StageInfo &fs0 = f.stages[0];
                FuncSchedule fs = computed_at(o.name, 0, ny[1], full_rows ? ny[0] : nx[0]);
                StageSchedule st;
                const int fl = native_lanes(target, f.type);
                const std::string &fx = fs0.pure_vars[0];
                if (fl >= 2) {
                    st.splits = {{fx, {fl}}};
                    st.vectorize = split_loop_names(fx, 1).back();
                }
                fs.stages = {st};
                s.funcs[name] = fs;
            }
            // In full rows a copy or a boundary condition (one load, at most a min and a max per
            // coordinate) is inlined: the clamp then splits each reader's row loop into edges
            // and a dense middle, where a per-row copy is one more store and load per point.
            // (Inside a column strip Halide 14 keeps the clamp on every vector, a gather, so
            // the strips keep the copy.)
            for (const std::string &name : full_rows ? chain : std::set<std::string>{}) {
                const FuncInfo &f = a.func(name);
                const StageInfo &d = f.stages[0];
                if (!f.can_inline || d.loads_per_point > 1 || d.ops_per_point > 2 * (int)f.args.size())
                    continue;
                Schedule t = s;
                t.funcs[name] = inlined();
                if (inline_allowed(a, t, f, kSketchInlineExpansion) && in.space.validate(t).empty()) s = t;
            }
            out.push_back(s);
        }
    }
    return out;
}

}  // namespace

std::unique_ptr<SketchRule> sliding_windows_rule() {
    return make_sketch_rule("sliding windows", sliding_windows);
}

}  // namespace htune
