// One stage's block of columns (FeaturizerImpl.h, FeatureColumns.h): placement, work and
// recomputation, the loops, vectors, unrolling and threads, the footprints per loop level
// against the caches, and the time proxy.
#include <algorithm>
#include <cmath>

#include "cost_model/FeatureColumns.h"
#include "cost_model/FeaturizerImpl.h"

namespace htune {

using namespace featurizer;

namespace {

// Cores kept busy: tasks run in waves of `units` (min(threads, physical
// cores)), the last wave partly idle. (v1 used `threads` for units.)
double parallel_efficiency(double par_total, int units) {
    const double tasks = std::max(1.0, par_total);
    const double waves = std::ceil(tasks / units);
    return tasks / (waves * units);
}

// A crude time in "operations": vector lanes (half the benefit off the dense
// dimension) and busy cores divide the `work`; every realization and the bytes
// of an allocation beyond L2 (`far_bytes`, 0 when it fits) add.
double time_proxy(const StageDyn &sd, double work, int native_lanes, double busy_cores, double far_bytes) {
    double speed = std::max(1.0, std::min(sd.vec_width, (double)native_lanes) * (sd.vec_dense ? 1.0 : 0.5));
    double cores = std::max(1.0, busy_cores);
    double memory = far_bytes * 0.25;
    return work / (speed * cores) + memory / cores + 50 * sd.realizations;
}

}  // namespace

void Featurizer::Static::stage_row(const std::vector<FuncDyn> &dyn, const StageStatic &ss, float *r) const {
    const FuncDyn &fd = dyn[ss.func];
    const FuncStatic &fst = funcs[ss.func];
    const FuncInfo &f = *fst.info;
    if (fd.placement == Placement::inline_) {
        r[c_inline] = 1;
        r[c_inline_copies] = (float)fd.expansion;
        return;
    }
    const StageDyn &sd = fd.stages[ss.index];
    r[c_root] = fd.placement == Placement::root;
    r[c_at] = fd.placement == Placement::at;
    const double points = sd.points * sd.padded_ratio;
    const double per_point = sd.ops + sd.loads;
    r[c_points] = (float)lg(sd.points);
    r[c_work] = (float)lg(points * per_point);
    r[c_realizations] = (float)lg(sd.realizations);
    r[c_recompute] = (float)lg(sd.points / std::max(1.0, ss.required_points) - 1);
    r[c_points_per_real] = (float)lg(sd.per_real_points);
    r[c_padding] = (float)lg(sd.padded_ratio - 1);
    r[c_ops] = (float)lg(sd.ops);
    r[c_loads] = (float)lg(sd.loads);
    const double bytes_per_point = fst.bytes_per_point * (1 + ss.distinct_inputs);
    r[c_arith] = (float)lg(sd.ops / bytes_per_point);
    r[c_inline_copies] = (float)sd.inline_copies;
    r[c_n_loops] = (float)sd.loops.size();
    const std::string dense = f.args.empty() ? std::string() : f.args[0];
    const auto &dims = ss.info->default_order;
    auto is_dense = [&](const Loop &l) { return l.dim >= 0 && dims[l.dim] == dense; };
    if (!sd.loops.empty()) {
        const Loop &inner = sd.loops.front();
        r[c_inner_extent] = (float)lg(inner.trip);
        r[c_inner_stride1] = is_dense(inner);
        r[c_inner_rvar] = inner.dim >= 0 && ss.dim_rvar[inner.dim];
    }
    r[c_vec_width] = (float)lg(sd.vec_width);
    r[c_vec_native] = (float)(sd.vec_width / fst.lanes);
    r[c_vec_stride1] = sd.vec_dense;
    r[c_unroll] = (float)lg(sd.unroll - 1);
    r[c_par_own] = (float)lg(sd.par_own - 1);
    r[c_par_total] = (float)lg(sd.par_total - 1);
    const double efficiency = parallel_efficiency(sd.par_total, units);
    r[c_par_eff] = (float)efficiency;
    r[c_nested_par] = sd.par_own > 1 && sd.par_total > sd.par_own;
    r[c_alloc] = (float)lg(fd.alloc_bytes);
    r[c_alloc_level] = (float)cache_level(fd.alloc_bytes);
    // Footprints per loop level: points inside the level * (output + distinct
    // inputs) bytes.
    double inside = 1, fit_l1 = 0, fit_l2 = 0, tile_fp = 0;
    bool in_tile = true;
    for (size_t j = 0; j < sd.loops.size(); j++) {
        inside *= sd.loops[j].trip;
        double fp = inside * bytes_per_point;
        if (j == 0) r[c_fp_inner] = (float)lg(fp);
        if (in_tile && (sd.loops[j].constant || j == 0))
            tile_fp = fp;
        else
            in_tile = false;
        fit_l1 += fp <= l1;
        fit_l2 += fp <= l2;
    }
    if (sd.loops.empty()) tile_fp = bytes_per_point;
    r[c_fp_tile] = (float)lg(tile_fp);
    r[c_tile_level] = (float)cache_level(tile_fp);
    const double nl = std::max<size_t>(1, sd.loops.size());
    r[c_fit_l1] = (float)(fit_l1 / nl);
    r[c_fit_l2] = (float)(fit_l2 / nl);
    double rvar_extent = 1;
    for (size_t d = 0; d < ss.full_extent.size(); d++)
        if (ss.dim_rvar[d]) rvar_extent *= ss.full_extent[d];
    r[c_rvar_extent] = (float)lg(rvar_extent - 1);
    r[c_time_proxy] =
        (float)lg(time_proxy(sd, points * per_point, fst.lanes, efficiency * units,
                             cache_level(fd.alloc_bytes) >= 2 ? sd.points * bytes_per_point : 0));
}

}  // namespace htune
