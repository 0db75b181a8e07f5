// Featurizer: (pipeline, schedule) -> one fixed-length feature row, for ANY
// pipeline (any number of Funcs and stages), so one cost model serves every
// workload of a device type. Start here; the columns are listed in
// Featurizer.cpp (kStageColumns, kGlobalColumns) and the README.
#pragma once

#include <Halide.h>

#include <memory>
#include <vector>

#include "cost_model/FeatureMatrix.h"
#include "ops/Workload.h"
#include "schedules/Schedule.h"

namespace htune {

class PipelineAnalysis;  // schedules/PipelineAnalysis.h
class ScheduleSpace;     // schedules/Space.h

// "htune-features" v1: global columns ("g.*") then six blocks of per-stage
// columns: the output stage ("out.*"), the three statically most expensive
// other stages ("top1.*".."top3.*"), the work-weighted mean ("mean.*") and the
// maximum ("max.*") over every computed stage.
const FeatureSchema &feature_schema();

// Cache sizes the footprint features compare against (this machine: Zen3, per
// core L1d 32 KiB, L2 512 KiB, shared L3 32 MiB). Fixed, not probed, so
// features do not depend on the host.
constexpr double kL1Bytes = 32.0 * 1024, kL2Bytes = 512.0 * 1024, kL3Bytes = 32.0 * 1024 * 1024;

// Immutable after construction; features()/featurize() are const and
// thread-safe. Copies share the analysis. Never throws on a schedule that does
// not fit the pipeline (missing Funcs, unknown loops): those parts are
// featurized as compute_root with Halide's default loops.
class Featurizer {
public:
    // Builds the pipeline and its PipelineAnalysis once. `threads` = the Halide
    // thread count the candidates run with (the device key's); 0 = this machine's
    // hardware threads.
    Featurizer(const Workload &w, const Halide::Target &target, int threads = 0);
    // Reuses the space's analysis and target; `space` must outlive this
    // Featurizer.
    explicit Featurizer(const ScheduleSpace &space, int threads = 0);
    ~Featurizer();
    Featurizer(const Featurizer &) = default;
    Featurizer &operator=(const Featurizer &) = default;

    // One row of feature_schema().columns.size() finite floats.
    std::vector<float> features(const Schedule &s) const;
    // Rows in batch order, schema feature_schema().
    FeatureMatrix featurize(const std::vector<Schedule> &batch) const;

    int threads() const;

    struct Static;  // per-pipeline precomputation (Featurizer.cpp)

private:
    std::shared_ptr<const Static> static_;  // owns the analysis when built from a Workload
};

}  // namespace htune
