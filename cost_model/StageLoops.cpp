// The loops of one stage as a schedule makes them (FeaturizerImpl.h): the loops of
// schedules/Loops.h's model (split_loop_names, the trip counts of loop_nest(), st.order, the fused
// parallel loop of final_loops() and fused_loop_name) with their trip counts per realization, plus
// padding (split loops rounding the extent up), vector width and unrolled extent.
//
// Why this does not call loop_nest(): it is the featurizer's hot path, once per computed stage
// per candidate, and loop_nest() builds five string-keyed maps and sets per call; built on it,
// featurizing took about twice as long (htune_bench_featurize, run alternately with the old
// build on a loaded machine: harris 11-20 -> 33-36 us per candidate, local_laplacian 150-155 ->
// 278-295). What is the same is checked instead:
// tests/cost_model/StageLoopsTest.cpp requires the same loops, in the same order, with the same
// trip counts as loop_nest() + final_loops() for every stage of sampled valid schedules.
// What differs on purpose: the featurizer never rejects a schedule that does not fit, so a split
// it cannot read leaves its dim unsplit, an order that does not list exactly the loops is
// ignored, and parallel loops that do not all exist are not fused; and extents are the region
// computed per realization (Composition.cpp), doubles, not the whole Func's.
#include <algorithm>
#include <cmath>

#include "cost_model/FeaturizerImpl.h"
#include "schedules/Loops.h"

namespace htune {

using namespace featurizer;

void Featurizer::Static::build_loops(const FuncDyn &fd, const FuncStatic &fs, const StageStatic &ss,
                                     const StageSchedule &st, const std::vector<double> &extent,
                                     StageDyn &out) const {
    const auto &dims = ss.info->default_order;
    std::vector<Loop> loops;
    double true_points = 1, padded = 1;
    for (size_t d = 0; d < dims.size(); d++) {
        const DimSplit *split = nullptr;
        for (const auto &sp : st.splits)
            if (sp.var == dims[d]) split = &sp;
        double e = extent[d];
        true_points *= e;
        bool ok = split && !split->factors.empty() && split->factors.size() <= kMaxSplitLevels &&
                  std::all_of(split->factors.begin(), split->factors.end(), [](int f) { return f >= 1; });
        if (!ok) {
            loops.push_back({dims[d], (int)d, e, false});
            padded *= e;
            continue;
        }
        std::vector<std::string> names = split_loop_names(dims[d], split->factors.size());
        double f0 = split->factors[0];
        double outer = std::ceil(e / f0);
        // Innermost level first: its factor, then each level's ratio to the one inside.
        const auto &f = split->factors;
        loops.push_back({names.back(), (int)d, (double)f.back(), true});
        // A level that does not divide the one outside it (shift_inwards) runs one more,
        // overlapping tile: the points computed grow with it.
        double computed = f.back();
        for (size_t k = f.size() - 1; k > 0; k--) {
            double trips = std::max(1.0, std::ceil((double)f[k - 1] / f[k]));
            loops.push_back({names[k], (int)d, trips, true});
            computed *= trips;
        }
        loops.push_back({names[0], (int)d, std::max(1.0, outer), false});
        padded *= std::max(1.0, outer) * computed;
    }
    if (!st.order.empty() && st.order.size() == loops.size()) {
        std::vector<Loop> ordered;
        for (const std::string &n : st.order)
            for (const Loop &l : loops)
                if (l.name == n) {
                    ordered.push_back(l);
                    break;
                }
        if (ordered.size() == loops.size()) loops.swap(ordered);
    }
    const std::string dense = !fd.innermost.empty()   ? fd.innermost
                              : fs.info->args.empty() ? std::string()
                                                      : fs.info->args[0];
    out.vec_width = 0;
    out.unroll = 1;
    for (const Loop &l : loops) {
        if (!st.vectorize.empty() && l.name == st.vectorize) {
            out.vec_width = l.trip;
            out.vec_dense = l.dim >= 0 && dims[l.dim] == dense;
        }
        if (std::find(st.unroll.begin(), st.unroll.end(), l.name) != st.unroll.end()) out.unroll *= l.trip;
    }
    out.par_own = 1;
    if (!st.parallel.empty()) {
        std::vector<Loop> kept;
        double fused = 1;
        size_t found = 0;
        for (const Loop &l : loops) {
            if (std::find(st.parallel.begin(), st.parallel.end(), l.name) != st.parallel.end()) {
                fused *= l.trip;
                // The run is contiguous: the fused loop takes its place (outermost, unless
                // serial loops run outside it).
                if (++found == st.parallel.size())
                    kept.push_back({fused_loop_name(st.parallel), -1, fused, false});
            } else {
                kept.push_back(l);
            }
        }
        if (found == st.parallel.size()) {
            loops.swap(kept);
            out.par_own = fused;
        }
    }
    out.loops = std::move(loops);
    out.per_real_points = true_points;
    out.padded_ratio = padded / std::max(1.0, true_points);
}

}  // namespace htune
