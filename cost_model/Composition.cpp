// How a schedule composes the stages (FeaturizerImpl.h): each Func's placement, inlined Funcs
// folded into their consumers (copies per point, per-point arithmetic and loads), and for the
// computed ones the region computed and stored per realization, the number of realizations and
// the stage's loops.
//
// The compute_at/store_at region here is an estimate for ANY placement: the consumer's tile at
// that loop level mapped onto the producer's args by Var name (else position), widened by a
// stencil's halo, with the realizations the loops outside it make. schedules/AtRegion.h answers
// a different question (the region's extent where it is a provable constant, which decides what
// may be unrolled or vectorized) and has no answer for most placements, so it is not used here.
#include <algorithm>
#include <cmath>

#include "cost_model/FeaturizerImpl.h"

namespace htune {

namespace {

const StageSchedule kDefaultStage{};

}  // namespace

std::vector<featurizer::FuncDyn> Featurizer::Static::compose(const Schedule &s) const {
    const size_t n = funcs.size();
    std::vector<FuncDyn> dyn(n);
    std::vector<const FuncSchedule *> sched(n, nullptr);
    for (size_t i = 0; i < n; i++) {
        auto it = s.funcs.find(funcs[i].info->name);
        if (it != s.funcs.end()) sched[i] = &it->second;
    }
    auto sched_of = [&](int i) { return sched[i]; };
    // Placements and inline expansion (consumers first).
    for (size_t k = n; k-- > 0;) {
        const FuncSchedule *fs = sched_of((int)k);
        FuncDyn &fd = dyn[k];
        fd.placement = fs ? fs->placement : Placement::root;
        if (fs && !fs->storage.empty()) fd.innermost = fs->storage[0];
        if (fd.placement == Placement::inline_ && !funcs[k].info->can_inline) fd.placement = Placement::root;
        double e = 0;
        for (const auto &cc : funcs[k].consumer_calls) {
            bool inl = dyn[cc.first].placement == Placement::inline_;
            e += cc.second * (inl ? dyn[cc.first].expansion : 1.0);
        }
        fd.expansion = std::min(1e6, std::max(1.0, e));
    }
    // Per-point cost of inlined Funcs, folded through chains of inlining
    // (producers first).
    auto fold = [&](const StageStatic &ss, double &ops, double &loads, double &copies) {
        ops = ss.info->ops_per_point;
        loads = ss.info->loads_per_point;
        copies = 0;
        for (const auto &pc : ss.producers) {
            const FuncDyn &p = dyn[pc.first];
            if (p.placement != Placement::inline_) continue;
            ops += pc.second * p.eff_ops;
            loads += pc.second * (p.eff_loads - 1);
            copies += pc.second * (1 + p.inline_copies);
        }
        loads = std::max(0.0, loads);
    };
    for (size_t i = 0; i < n; i++)
        if (dyn[i].placement == Placement::inline_)
            fold(stages[funcs[i].stages[0]], dyn[i].eff_ops, dyn[i].eff_loads, dyn[i].inline_copies);

    // Realizations, regions and loops of computed Funcs (consumers first).
    for (size_t k = n; k-- > 0;) {
        FuncDyn &fd = dyn[k];
        if (fd.placement == Placement::inline_) continue;
        const FuncStatic &fst = funcs[k];
        const FuncInfo &f = *fst.info;
        const FuncSchedule *fs = sched_of((int)k);
        fd.region.assign(f.extents.begin(), f.extents.end());
        std::vector<double> compute_region = fd.region;
        double store_real = 1;
        double par_outer = 1;
        if (fd.placement == Placement::at && fs) {
            auto g = index.find(fs->at_func);
            bool placed = false;
            if (g != index.end() && (size_t)g->second > k && dyn[g->second].placement != Placement::inline_ &&
                fs->at_stage >= 0 && fs->at_stage < (int)dyn[g->second].stages.size()) {
                const FuncDyn &gd = dyn[g->second];
                const StageDyn &gs = gd.stages[fs->at_stage];
                const StageStatic &gss = stages[funcs[g->second].stages[fs->at_stage]];
                auto find_loop = [&](const std::string &name) {
                    for (size_t j = 0; j < gs.loops.size(); j++)
                        if (gs.loops[j].name == name) return (int)j;
                    return -1;
                };
                int at = find_loop(fs->at_loop);
                // Stored where g is computed: outside all of g's loops, g's whole region.
                int st = fs->store_with_consumer  ? (int)gs.loops.size()
                         : fs->store_loop.empty() ? at
                                                  : find_loop(fs->store_loop);
                if (at >= 0 && st >= at) {
                    placed = true;
                    // f's region per iteration of loop `level` of g: g's tile there,
                    // mapped to f's dims by Var name (else position), with a stencil's
                    // halo.
                    auto region_at = [&](int level, double &realizations) {
                        realizations = gs.realizations;
                        for (size_t j = level; j < gs.loops.size(); j++) realizations *= gs.loops[j].trip;
                        std::vector<double> tile(gss.full_extent.size(), 1.0);
                        for (int j = 0; j < level; j++)
                            if (gs.loops[j].dim >= 0) tile[gs.loops[j].dim] *= gs.loops[j].trip;
                        std::vector<double> r(f.extents.size());
                        const auto &gdims = gss.info->default_order;
                        const auto &gpure = gss.info->pure_vars;
                        for (size_t a = 0; a < f.extents.size(); a++) {
                            double F = f.extents[a];
                            int gd_index = -1;
                            std::string var = f.args[a];
                            if (std::find(gpure.begin(), gpure.end(), var) == gpure.end())
                                var = a < gpure.size() ? gpure[a] : std::string();
                            for (size_t d = 0; d < gdims.size(); d++)
                                if (gdims[d] == var) gd_index = (int)d;
                            if (gd_index < 0) {
                                r[a] = F;
                                continue;
                            }
                            double G = gss.full_extent[gd_index], t = tile[gd_index];
                            double reg;
                            if (t >= G)
                                reg = F;
                            else {
                                double ratio = F / G;
                                reg = (ratio > 0.75 && ratio < 1.5) ? t + std::max(0.0, F - G)
                                                                    : std::ceil(t * ratio);
                            }
                            r[a] = std::min(F, std::max(1.0, reg));
                        }
                        return r;
                    };
                    compute_region = region_at(at, fd.realizations);
                    fd.region = st == at ? compute_region : region_at(st, store_real);
                    if (st == at) store_real = fd.realizations;
                    par_outer = gs.par_total;
                }
            }
            if (!placed) fd.placement = Placement::root;
        }
        double region_points = 1;
        for (double r : fd.region) region_points *= r;
        fd.alloc_bytes = region_points * fst.bytes_per_point;
        fd.stages.resize(fst.stages.size());
        for (size_t si = 0; si < fst.stages.size(); si++) {
            const StageStatic &ss = stages[fst.stages[si]];
            const StageSchedule &st = fs && si < fs->stages.size() && fs->placement != Placement::inline_
                                          ? fs->stages[si]
                                          : kDefaultStage;
            // Per-realization extent of each dim: pure dims from the computed region.
            auto dims_extent = [&](const std::vector<double> &region) {
                std::vector<double> e = ss.full_extent;
                for (size_t d = 0; d < e.size(); d++)
                    if (ss.dim_arg[d] >= 0) e[d] = region[ss.dim_arg[d]];
                return e;
            };
            StageDyn &sd = fd.stages[si];
            build_loops(fd, fst, ss, st, dims_extent(compute_region), sd);
            sd.realizations = fd.realizations;
            // With storage hoisted one loop out, Halide slides the window: each point
            // is computed once per storage realization.
            double store_points = 1;
            for (double e : dims_extent(fd.region)) store_points *= e;
            sd.points = fd.region == compute_region ? fd.realizations * sd.per_real_points
                                                    : store_real * store_points;
            sd.par_total = par_outer * sd.par_own;
            fold(ss, sd.ops, sd.loads, sd.inline_copies);
        }
    }
    return dyn;
}

}  // namespace htune
