// Featurizer: (pipeline, schedule) -> one fixed-length feature row, for ANY
// pipeline (any number of Funcs and stages), so one cost model serves every
// workload of a device type. Start here; the columns are listed in
// FeatureColumns.h (kStageColumns, kGlobalColumns), the parts of the
// implementation in FeaturizerImpl.h.
#pragma once

#include <Halide.h>

#include <memory>
#include <vector>

#include "cost_model/FeatureMatrix.h"
#include "measure/Machine.h"
#include "ops/Workload.h"
#include "schedules/Schedule.h"

namespace htune {

class PipelineAnalysis;  // schedules/PipelineAnalysis.h
class ScheduleSpace;     // schedules/Space.h

// "htune-features" v3: global columns ("g.*") then six blocks of per-stage
// columns: the output stage ("out.*"), the three statically most expensive
// other stages ("top1.*".."top3.*"), the work-weighted mean ("mean.*") and the
// maximum ("max.*") over every computed stage. v2 (same columns as v1): the
// cache sizes and the core count are this machine's (probe_caches), no longer
// fixed Zen3 constants, and parallel efficiency counts at most one busy thread
// per physical core. v3 (same columns): a schedule that rfactors stages or wraps
// Funcs is featurized as the pipeline it makes Halide run, its rfactor
// intermediates and wrappers Funcs with their own regions, loops and blocks
// (before, they were only counted in g.log_extra_funcs).
const FeatureSchema &feature_schema();

// Immutable after construction; features()/featurize() are const and
// thread-safe. Copies share the analysis. Never throws on a schedule that does
// not fit the pipeline (missing Funcs, unknown loops): those parts are
// featurized as compute_root with Halide's default loops.
//
// The footprint features (cache levels, fits in L1/L2, allocations beyond
// L2/L3, the time proxy's memory term) compare against `caches`, by default
// probe_caches(): this machine's per-core L1d and L2 and its core complex's L3
// (measure/Machine.h), and min(threads, caches.cores) threads run at once.
// Machines of one device type (same CPU model and threads) are assumed to have
// the same caches; a device key's own caches are not stored, so featurizing
// another device type's records uses this host's. Tests pass explicit
// MachineCaches to be host-independent.
class Featurizer {
public:
    // Builds the pipeline and its PipelineAnalysis once. `threads` = the Halide
    // thread count the candidates run with (the device key's); 0 = this machine's
    // hardware threads. `caches` is copied.
    Featurizer(const Workload &w, const Halide::Target &target, int threads = 0,
               const MachineCaches &caches = probe_caches());
    // Reuses the space's analysis and target; `space` must outlive this
    // Featurizer.
    explicit Featurizer(const ScheduleSpace &space, int threads = 0,
                        const MachineCaches &caches = probe_caches());
    ~Featurizer();
    Featurizer(const Featurizer &) = default;
    Featurizer &operator=(const Featurizer &) = default;

    // One row of feature_schema().columns.size() finite floats.
    std::vector<float> features(const Schedule &s) const;
    // Rows in batch order, schema feature_schema().
    FeatureMatrix featurize(const std::vector<Schedule> &batch) const;
    // One row per computed (not inlined) stage of the scheduled pipeline, in pipeline order:
    // the stage's block of columns (the per-stage columns of feature_schema(), without a block
    // prefix) followed by the global columns ("g.*"). For models that score stages and sum them
    // (tuner/bench/StageModelBench.cpp); not part of the stored schema.
    std::vector<std::vector<float>> stage_features(const Schedule &s) const;

    int threads() const;
    const MachineCaches &caches() const;

    struct Static;  // per-pipeline precomputation (FeaturizerImpl.h)

private:
    std::shared_ptr<const Static> static_;  // owns the analysis when built from a Workload
};

}  // namespace htune
